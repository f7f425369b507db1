"""Demo steps of the later areas (plan import, work items, reports, indicators), in order."""


def extra_demo_steps() -> list:
    """Each step is `step(result, departments_by_code, now)`; idempotent like the rest."""
    from tracker.demo.assessment import load_assessment_demo
    from tracker.demo.indicators import load_indicator_demo
    from tracker.demo.items import load_items_demo
    from tracker.demo.letters import load_letters_demo
    from tracker.demo.plan import import_demo_plan
    from tracker.demo.schedule import load_schedule_demo
    from tracker.demo.signoff import load_acknowledgement_demo, load_signoff_demo

    return [
        import_demo_plan,
        load_indicator_demo,
        load_items_demo,
        load_schedule_demo,
        load_letters_demo,
        load_signoff_demo,
        load_acknowledgement_demo,
        load_assessment_demo,
    ]
