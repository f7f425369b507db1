"""The scheduler: the job list (schedule.py) and how it runs (in-process or alone)."""
