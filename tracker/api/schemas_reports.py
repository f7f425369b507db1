"""The report's assessment fields (issue #19): the quality grade on the Report schema and the
verify body that may carry one (added to tracker.api.schemas.SCHEMAS, like the letters';
kept apart to keep that module short)."""

from __future__ import annotations

from tracker.api.schema_kit import VERSION, obj, text
from tracker.api.schemas import REPORT, SCHEMAS
from tracker.workflow import QualityGrade

QUALITY_GRADES = [grade.value for grade in QualityGrade]

REPORT_VERIFY_BODY = obj(
    {
        "version": VERSION,
        "comment": text(2000),
        "grade": {
            "type": "string",
            "enum": QUALITY_GRADES,
            "description": "Quality grade for the assessment: 优/良/中/差 (optional).",
        },
    },
    required=["version"],
)

SCHEMAS.update(
    {
        # The reviewer's grade, null until verified with one.
        "Report": obj(
            {
                **REPORT["properties"],
                "quality_grade": {"type": ["string", "null"], "enum": [*QUALITY_GRADES, None]},
            }
        ),
        "ReportVerifyBody": REPORT_VERIFY_BODY,
    }
)
