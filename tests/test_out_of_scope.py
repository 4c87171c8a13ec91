from django.urls import reverse

from assessments.models import Score
from reports.chartdata import summary
from reports.pdf import report_html

from .conftest import score_post


def mark_out_of_scope(client, assessment, number, reason="District council: no social care contracts", **extra):
    score = assessment.scores.get(objective__number=number)
    data = score_post(number, level=extra.pop("level", ""), version=score.version, out_of_scope="on", out_of_scope_reason=reason, **extra)
    return client.post(reverse("assessments:autosave", args=[assessment.pk, number]), data)


def test_an_objective_marked_out_of_scope_leaves_the_roll_ups(client, officer, blank_draft):
    client.force_login(officer)
    for number in range(1, 60):
        if number != 7:
            score = blank_draft.scores.get(objective__number=number)
            client.post(reverse("assessments:autosave", args=[blank_draft.pk, number]), score_post(number, level=3, version=score.version))
    assert mark_out_of_scope(client, blank_draft, 7).status_code == 200
    score = blank_draft.scores.get(objective__number=7)
    assert score.out_of_scope and score.level is None and score.display_level == "n/a"
    detail = client.get(reverse("assessments:detail", args=[blank_draft.pk]))
    assert detail.context["overall"]["scored"] == 58 and detail.context["overall"]["total"] == 58
    data = summary(blank_draft)
    assert data["total"] == 58 and data["overall"][None] == 0 and data["overall"][3] == 58
    assert [row["number"] for row in data["out_of_scope"]] == [7]
    assert list(blank_draft.unscored()) == []
    html = report_html(blank_draft)
    assert "Out of scope:</span> District council: no social care contracts" in html


def test_out_of_scope_needs_a_reason_and_no_level(client, officer, blank_draft):
    client.force_login(officer)
    before = list(Score.objects.filter(assessment=blank_draft).values())
    no_reason = mark_out_of_scope(client, blank_draft, 7, reason="  ")
    assert no_reason.status_code == 422 and "Say why this objective does not apply" in no_reason.content.decode()
    with_level = mark_out_of_scope(client, blank_draft, 7, level=3)
    assert with_level.status_code == 422 and "An objective out of scope has no level" in with_level.content.decode()
    assert list(Score.objects.filter(assessment=blank_draft).values()) == before


def test_out_of_scope_is_carried_forward_and_shown_to_councillors(client, councillor, head, council_a, nps2018, blank_draft):
    from assessments.services import assessment_start, assessment_submit

    Score.objects.filter(assessment=blank_draft, objective__number=7).update(out_of_scope=True, out_of_scope_reason="No housing stock")
    assessment_submit(assessment_id=blank_draft.pk, user=head)
    next_year = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2025, user=head, carry_forward=True)
    assert next_year.scores.get(objective__number=7).out_of_scope_reason == "No housing stock"
    client.force_login(councillor)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Out of scope (1)" in page and "No housing stock" in page
