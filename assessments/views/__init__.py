"""The assessment pages, by heading: scoring, lifecycle (start, sign-off, reopen, year on year), spreadsheets, evidence."""

from .evidence import evidence_delete, evidence_download, objective_evidence
from .lifecycle import (
    assessment_deadline,
    assessment_detail,
    assessment_list,
    assessment_new,
    assessment_reopen_view,
    assessment_submit_view,
    year_on_year,
)
from .scoring import (
    framework_score,
    framework_section,
    key_area_flags,
    objective_autosave,
    objective_history,
    section_score,
)
from .spreadsheets import assessment_export, assessment_import_confirm, assessment_import_view, history_export

__all__ = [
    "assessment_deadline", "assessment_detail", "assessment_export", "assessment_import_confirm", "assessment_import_view", "assessment_list", "assessment_new",
    "assessment_reopen_view", "assessment_submit_view", "evidence_delete", "evidence_download", "framework_score", "framework_section", "history_export", "key_area_flags",
    "objective_autosave", "objective_evidence", "objective_history", "section_score", "year_on_year",
]
