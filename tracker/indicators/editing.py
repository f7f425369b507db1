"""The office's corrections to parsed indicators: validation and the version-guarded UPDATE."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.audit import record_event, snapshot
from tracker.errors import StaleVersion, ValidationFailed
from tracker.extensions import db
from tracker.indicators.specs import ATTRIBUTES, KINDS
from tracker.locking import version_expected
from tracker.models import Indicator
from tracker.plans.indicator_table import parse_value

logger = logging.getLogger(__name__)

INDICATOR_FIELDS = (
    "number",
    "category",
    "name",
    "unit",
    "baseline",
    "baseline_text",
    "target",
    "target_text",
    "attribute",
    "cumulative",
    "kind",
    "department_id",
    "version",
)
EDITABLE = ("number", "category", "name", "unit", "baseline", "target", "attribute", "kind")


def guarded_indicator_update(indicator: Indicator, expected_version, values: dict) -> None:
    """UPDATE … WHERE version = :v; a stale version raises StaleVersion and changes nothing."""
    version = version_expected(expected_version, indicator.version)
    try:
        result = db.session.execute(
            update(Indicator)
            .where(Indicator.id == indicator.id, Indicator.version == version)
            .values(**values, version=Indicator.version + 1, updated_at=clock.now()),
            execution_options={"synchronize_session": False},
        )
    except IntegrityError:
        # Only (plan_id, number) is unique: someone else took the number meanwhile. The
        # caller rolls back on ValidationFailed (no SAVEPOINT: see report_value).
        raise ValidationFailed(
            {"number": _("Another indicator of this plan has that number.")}
        ) from None
    db.session.refresh(indicator)
    if result.rowcount != 1:
        raise StaleVersion(current_version=indicator.version)


def parse_plan_cell(value) -> tuple[float | None, str | None, set[str]]:
    """(number, text, flags) from what the plan prints: 96, 不低于96, [100], 前三, 完成, /."""
    if value is None:
        return None, None, set()
    if isinstance(value, bool):
        raise ValueError("not a value")
    if isinstance(value, int | float):
        number = float(value)
        return number, str(int(number)) if number.is_integer() else repr(number), set()
    parsed, flags = parse_value(str(value))
    if parsed is None:
        return None, None, flags
    if isinstance(parsed, str):
        return None, parsed, flags
    number = float(parsed)
    return number, str(int(number)) if number.is_integer() else repr(number), flags


def _text_field(fields: dict, name: str, current, max_chars: int, errors: dict, required=False):
    if name not in fields:
        return current
    value = (fields[name] or "").strip() if fields[name] is not None else ""
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_chars:
        errors[name] = _("At most %(n)s characters.", n=max_chars)
    return value


def clean_indicator_fields(indicator: Indicator, fields: dict) -> dict:
    """The column values after the change, or ValidationFailed naming each bad field."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed({name: _("This field cannot be changed.") for name in unknown})
    errors: dict[str, str] = {}
    values: dict = {}
    values["name"] = _text_field(fields, "name", indicator.name, 200, errors, required=True)
    values["category"] = _text_field(fields, "category", indicator.category, 60, errors)
    values["unit"] = _text_field(fields, "unit", indicator.unit or "", 30, errors) or None
    number = fields.get("number", indicator.number)
    try:
        number = int(number)
        if not 1 <= number <= 9999:
            raise ValueError
    except (TypeError, ValueError):
        errors["number"] = _("Enter a whole number from 1.")
    else:
        values["number"] = number
        clash = db.session.scalar(
            select(
                exists().where(
                    Indicator.plan_id == indicator.plan_id,
                    Indicator.number == number,
                    Indicator.id != indicator.id,
                )
            )
        )
        if clash:
            errors["number"] = _("Another indicator of this plan has that number.")
    attribute = fields.get("attribute", indicator.attribute)
    if attribute not in ATTRIBUTES:
        errors["attribute"] = _("Choose binding or expected.")
    values["attribute"] = attribute
    kind = fields.get("kind", indicator.kind)
    if kind not in KINDS:
        errors["kind"] = _("Choose one of the kinds.")
    values["kind"] = kind
    # The cumulative flag and the cumulative kind say the same thing; keep them together.
    values["cumulative"] = kind == "cumulative"
    for name in ("baseline", "target"):
        raw = fields.get(name, getattr(indicator, f"{name}_text"))
        try:
            number_value, text_value, flags = parse_plan_cell(raw)
        except ValueError:
            number_value, text_value, flags = None, None, {"unknown"}
        if "unknown" in flags:
            errors[name] = _("“%(value)s” is not understood.", value=raw)
        values[name], values[f"{name}_text"] = number_value, text_value
    if kind in KINDS and "target" not in errors and "baseline" not in errors:
        _check_kind(kind, values, errors)
    if errors:
        raise ValidationFailed(errors)
    return values


def _check_kind(kind: str, values: dict, errors: dict) -> None:
    """Each kind needs its numbers, or its status can never be judged."""
    if kind == "milestone":
        if values["target_text"] is None:
            values["target_text"] = "完成"
        values["target"] = None
        return
    if values["target"] is None:
        errors["target"] = _("This kind needs a number as its target.")
    if kind == "target" and values["baseline"] is None:
        errors["baseline"] = _("A target value needs a number as its baseline.")
    target = values["target"]
    if kind == "rank" and target is not None and (not target.is_integer() or target < 1):
        errors["target"] = _("A rank target is a position: a whole number from 1.")


def apply_indicator_changes(actor, indicator: Indicator, *, expected_version, **fields):
    """Validate, then save with the version guard and audit before → after."""
    values = clean_indicator_fields(indicator, fields)
    before = snapshot(indicator, INDICATOR_FIELDS)
    changed = {k: v for k, v in values.items() if getattr(indicator, k) != v}
    if not changed:
        if version_expected(expected_version, indicator.version) != indicator.version:
            raise StaleVersion(current_version=indicator.version)
        return indicator
    guarded_indicator_update(indicator, expected_version, changed)
    after = snapshot(indicator, INDICATOR_FIELDS)
    record_event(actor, "indicator.updated", indicator, before=before, after=after)
    db.session.flush()
    return indicator
