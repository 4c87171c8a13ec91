"""Text stored before the one text rule is cleaned by a data migration (issue 27): separators become line breaks,
bidirectional and control characters go, and an export of it re-imports to the same text."""

import importlib

from django.apps import apps

from assessments.models import Score

migration = importlib.import_module("actionplans.migrations.0008_clean_legacy_text")


def test_legacy_separators_and_bidi_controls_are_cleaned_and_clean_rows_are_left_alone(draft, plan):
    score = draft.scores.get(objective__number=1)
    Score.objects.filter(pk=score.pk).update(comment="Briefings\r\nquarterly\u2028and \u202eyearly\u202c\x0b", action="Fine as it is")
    line = plan.lines.first()
    type(line).objects.filter(pk=line.pk).update(progress_notes="One\rtwo\u0085three\u2029four")
    other = draft.scores.get(objective__number=2)
    before = Score.objects.get(pk=other.pk).version
    migration.clean(apps, None)
    score.refresh_from_db()
    line.refresh_from_db()
    assert score.comment == "Briefings\nquarterly\nand yearly" and score.action == "Fine as it is"
    assert line.progress_notes == "One\ntwo\nthree\nfour"
    assert Score.objects.get(pk=other.pk).version == before
    from maturity import rules

    assert rules.text_problem("Comment", score.comment) is None and rules.text_problem("Progress", line.progress_notes) is None
