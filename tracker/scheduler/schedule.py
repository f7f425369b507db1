"""The schedule: every job in one readable list, with its trigger and misfire grace time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[Flask], None]
    trigger: Callable[[Flask], object]  # builds the APScheduler trigger from the config
    misfire_grace_time: int  # seconds; a run missed by less is still made once


JOBS: list[JobSpec] = []
