"""Scoring objectives: autosave, the weakest-level rule, level 5 evidence, stale versions, locking, history."""

import pytest
from django.urls import reverse

from assessments.models import DirectorateRating, Score
from assessments.services import assessment_start, assessment_submit

from .conftest import score_post, submitted_assessment


def autosave(client, assessment, number, data):
    return client.post(reverse("assessments:autosave", args=[assessment.pk, number]), data)


def stored(assessment, number):
    score = Score.objects.get(assessment=assessment, objective__number=number)
    return (score.level, score.working_towards, score.comment, score.action, score.evidence, score.version)


def test_it_saves_a_level_comment_and_action(client, officer, blank_draft):
    client.force_login(officer)
    response = autosave(client, blank_draft, 22, score_post(22, level=4, version=1, comment="Clause in all major contracts", action="Review yearly"))
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    assert stored(blank_draft, 22) == (4, False, "Clause in all major contracts", "Review yearly", "", 2)
    assert 'value="2"' in response.content.decode()  # the new version goes back to the page


@pytest.mark.parametrize("bad_level", ["0", "6", "abc", "3.5", "-1"])
def test_it_refuses_a_level_outside_1_to_5_and_changes_nothing(client, officer, blank_draft, bad_level):
    client.force_login(officer)
    before = stored(blank_draft, 5)
    response = autosave(client, blank_draft, 5, score_post(5, level=bad_level, version=1, comment="should not land"))
    assert response.status_code == 422
    assert "Choose a level from 1 (Minimum) to 5 (Innovator)" in response.content.decode()
    assert stored(blank_draft, 5) == before


def test_it_refuses_a_too_long_comment_with_a_message(client, officer, blank_draft):
    client.force_login(officer)
    response = autosave(client, blank_draft, 5, score_post(5, level=3, version=1, comment="x" * 10_001))
    assert response.status_code == 422
    assert "at most 10,000 characters" in response.content.decode()
    assert stored(blank_draft, 5)[0] is None


def test_it_refuses_level_5_without_evidence(client, officer, blank_draft):
    client.force_login(officer)
    response = autosave(client, blank_draft, 1, score_post(1, level=5, version=1))
    assert response.status_code == 422
    assert "ready to act as a case study" in response.content.decode()
    assert stored(blank_draft, 1)[0] is None
    response = autosave(client, blank_draft, 1, score_post(1, level=5, version=1, evidence="LGA case study 2024"))
    assert response.status_code == 200
    assert stored(blank_draft, 1)[0] == 5


def test_it_refuses_level_above_weakest_directorate_and_names_it(client, officer, blank_draft, council_a):
    adults, place, corporate = council_a.directorates.all()
    client.force_login(officer)
    data = score_post(9, level=3, version=1, directorates={adults: 4, place: 2, corporate: 3})
    response = autosave(client, blank_draft, 9, data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Place is at 2 Developing" in body and "must be 2" in body
    assert "Set the council score to 2 (Place)" in body
    assert stored(blank_draft, 9)[0] is None
    assert not DirectorateRating.objects.exists()


def test_it_refuses_level_below_weakest_directorate(client, officer, blank_draft, council_a):
    adults, place, corporate = council_a.directorates.all()
    client.force_login(officer)
    response = autosave(client, blank_draft, 9, score_post(9, level=1, version=1, directorates={adults: 3, place: 3}))
    assert response.status_code == 422
    assert "Adults &amp; Health is at 3 Mature" in response.content.decode()


def test_offer_to_set_the_weakest_level_saves_it(client, officer, blank_draft, council_a):
    adults, place, corporate = council_a.directorates.all()
    client.force_login(officer)
    data = score_post(9, level=3, version=1, directorates={adults: 4, place: 2}, use_weakest="1")
    response = autosave(client, blank_draft, 9, data)
    assert response.status_code == 200
    assert stored(blank_draft, 9)[0] == 2
    ratings = dict(DirectorateRating.objects.values_list("directorate__name", "level"))
    assert ratings == {"Adults & Health": 4, "Place": 2}


def test_setting_the_weakest_level_clears_working_towards(client, officer, blank_draft, council_a):
    """'Set the council score to 2' means 2, not 2 working towards 3 (issue 29, item 9)."""
    adults, place, corporate = council_a.directorates.all()
    client.force_login(officer)
    data = score_post(9, level=3, version=1, working_towards=True, directorates={adults: 4, place: 2}, use_weakest="1")
    response = autosave(client, blank_draft, 9, data)
    assert response.status_code == 200
    score = Score.objects.get(assessment=blank_draft, objective__number=9)
    assert (score.level, score.working_towards) == (2, False)
    assert 'id="id_o9-working_towards">' in response.content.decode()  # the page's box is unticked too


def test_working_towards_records_a_split_score(client, officer, blank_draft):
    client.force_login(officer)
    assert autosave(client, blank_draft, 3, score_post(3, level=2, version=1, working_towards=True)).status_code == 200
    score = Score.objects.get(assessment=blank_draft, objective__number=3)
    assert score.working_towards and score.display_level == "2/3"
    response = autosave(client, blank_draft, 3, score_post(3, level=5, version=2, evidence="e", working_towards=True))
    assert response.status_code == 422


def test_second_save_of_a_stale_version_is_refused_with_both_versions_shown(client, officer, head, blank_draft):
    client.force_login(head)
    assert autosave(client, blank_draft, 12, score_post(12, level=3, version=1, comment="Head view")).status_code == 200
    client.force_login(officer)
    response = autosave(client, blank_draft, 12, score_post(12, level=2, version=1, comment="Officer view"))
    body = response.content.decode()
    assert response.status_code == 409
    assert "Head view" in body and "Officer view" in body
    assert stored(blank_draft, 12)[:3] == (3, False, "Head view")
    # Choosing to overwrite re-posts with their version number.
    assert autosave(client, blank_draft, 12, score_post(12, level=2, version=2, comment="Officer view")).status_code == 200
    assert stored(blank_draft, 12)[2] == "Officer view"


def test_submitted_assessment_refuses_edits(client, officer, head, blank_draft):
    assessment_submit(assessment_id=blank_draft.pk, user=head)
    client.force_login(officer)
    response = autosave(client, blank_draft, 1, score_post(1, level=3, version=1))
    assert response.status_code == 423
    assert stored(blank_draft, 1)[0] is None
    page = client.post(reverse("assessments:section", args=[blank_draft.pk, 1]), score_post(1, level=3, version=1), follow=True)
    assert "read-only" in page.content.decode()
    assert stored(blank_draft, 1)[0] is None


def test_a_level_posted_for_another_councils_assessment_is_refused(client, other_officer, blank_draft):
    client.force_login(other_officer)
    assert autosave(client, blank_draft, 1, score_post(1, level=3, version=1)).status_code == 404
    assert client.get(reverse("assessments:section", args=[blank_draft.pk, 1])).status_code == 404
    assert stored(blank_draft, 1)[0] is None


def test_an_objective_number_outside_the_framework_is_not_found(client, officer, blank_draft):
    client.force_login(officer)
    assert autosave(client, blank_draft, 60, score_post(60, level=3, version=1)).status_code == 404
    assert client.get(reverse("assessments:section", args=[blank_draft.pk, 12])).status_code == 404


def test_councillor_cannot_change_scores(client, councillor, head, blank_draft):
    client.force_login(councillor)
    assert autosave(client, blank_draft, 1, score_post(1, level=3, version=1)).status_code == 403
    assert stored(blank_draft, 1)[0] is None


def test_carry_forward_copies_last_years_submitted_scores_marked_until_touched(client, officer, draft, last_year):
    assert draft.carried_forward_from == last_year
    copied = Score.objects.get(assessment=draft, objective__number=7)
    assert (copied.level, copied.comment, copied.carried_forward) == (3, "2023 comment for Senior managers development", True)
    client.force_login(officer)
    autosave(client, draft, 7, score_post(7, level=4, version=copied.version, comment="Better now"))
    copied.refresh_from_db()
    assert copied.carried_forward is False
    assert Score.objects.filter(assessment=draft, carried_forward=True).count() == 58
    page = client.get(reverse("assessments:section", args=[draft.pk, 2])).content.decode()
    assert "Carried forward" in page


def test_carry_forward_skips_drafts_and_takes_the_latest_submitted_year(nps2018, council_a, head):
    submitted_assessment(council_a, nps2018, 2021, head, level_of=lambda n: 1)
    submitted_assessment(council_a, nps2018, 2022, head, level_of=lambda n: 2)
    assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2023, user=head, carry_forward=False)  # a draft, not a source
    new = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)
    assert new.carried_forward_from.year == 2022
    assert set(new.scores.values_list("level", flat=True)) == {2}


def test_every_change_is_recorded_in_history(client, officer, head, blank_draft):
    client.force_login(officer)
    autosave(client, blank_draft, 20, score_post(20, level=2, version=1, comment="first"))
    client.force_login(head)
    autosave(client, blank_draft, 20, score_post(20, level=3, version=2, comment="second"))
    score = Score.objects.get(assessment=blank_draft, objective__number=20)
    users = [h.history_user.username for h in score.history.order_by("history_date") if h.history_user]
    assert users[-2:] == ["officer", "head"]
    page = client.get(reverse("assessments:history", args=[blank_draft.pk, 20])).content.decode()
    assert "first" in page and "second" in page and "Level" in page


def test_a_long_history_comes_a_page_at_a_time_in_a_bounded_number_of_queries(client, officer, blank_draft, django_assert_max_num_queries):
    """Autosave records every pause in typing: an objective with 120 changes shows the newest 50, each against the one
    before it (the oldest on a page too), with links between pages, and a page costs the same however long the history."""
    from assessments.services import Door, score_write

    score = Score.objects.get(assessment=blank_draft, objective__number=20)
    for i in range(1, 121):
        score_write(score_id=score.pk, user=officer, door=Door.AUTOSAVE, comment=f"note {i}")
    client.force_login(officer)
    url = reverse("assessments:history", args=[blank_draft.pk, 20])
    with django_assert_max_num_queries(10):
        first = client.get(url).content.decode()
    assert first.count("<strong>Comment</strong>") == 50
    assert "note 120" in first and "note 71" in first and "→ <span class=\"new\">note 70<" not in first
    assert "<span class=\"old\">note 70</span>" in first  # the oldest on the page, against the one before it
    assert "?page=2" in first and "Newer changes" not in first
    with django_assert_max_num_queries(10):
        last = client.get(url + "?page=3").content.decode()
    assert "Created" in last and "Newer changes" in last and "Older changes" not in last
    assert client.get(url + "?page=x").status_code == 200  # anything but a page number is the first page


def test_whole_section_posts_without_javascript(client, officer, blank_draft):
    client.force_login(officer)
    data = {}
    for number in (1, 2, 3):
        data.update(score_post(number, level=number, version=1, comment=f"c{number}"))
    response = client.post(reverse("assessments:section", args=[blank_draft.pk, 1]), data, follow=True)
    assert "Saved Engaging Councillors" in response.content.decode()
    assert [stored(blank_draft, n)[0] for n in (1, 2, 3)] == [1, 2, 3]


def test_whole_section_post_with_one_bad_objective_saves_nothing(client, officer, blank_draft):
    client.force_login(officer)
    data = {}
    data.update(score_post(1, level=2, version=1))
    data.update(score_post(2, level=5, version=1))  # no evidence
    data.update(score_post(3, level=3, version=1))
    response = client.post(reverse("assessments:section", args=[blank_draft.pk, 1]), data)
    assert response.status_code == 200
    assert "ready to act as a case study" in response.content.decode()
    assert [stored(blank_draft, n)[0] for n in (1, 2, 3)] == [None, None, None]


def test_scoring_page_shows_descriptors_previous_year_and_progress(client, officer, draft):
    client.force_login(officer)
    body = client.get(reverse("assessments:section", args=[draft.pk, 6])).content.decode()
    assert "Standard supplier financial distress clause included in all major contracts for services." in body
    assert "What it is" in body and "Why it is important" in body
    assert "2023 comment for Supplier financial distress" in body
    # carried forward from last year: every objective has a level, but none is reviewed yet (not "59 of 59 scored")
    assert "0 of 59 reviewed this year" in body and "59 of 59 scored" not in body
    assert "carried forward from last year, not yet reviewed" in body and "Not started" in body


@pytest.mark.parametrize("number", [1, 8])
def test_scoring_page_query_count_is_fixed(client, officer, draft, number, django_assert_max_num_queries):
    """Same bound for a 3-objective and a 10-objective section, with a previous year."""
    client.force_login(officer)
    client.get(reverse("assessments:section", args=[draft.pk, number]))  # warm the session
    with django_assert_max_num_queries(17):
        assert client.get(reverse("assessments:section", args=[draft.pk, number])).status_code == 200


def test_scoring_page_query_count_does_not_depend_on_a_previous_year(client, officer, blank_draft, django_assert_num_queries):
    client.force_login(officer)
    url = reverse("assessments:section", args=[blank_draft.pk, 8])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without_previous:
        client.get(url)
    submitted_assessment(blank_draft.council, blank_draft.framework, 2020, officer)
    with CaptureQueriesContext(connection) as with_previous:
        client.get(url)
    assert len(with_previous) - len(without_previous) <= 1  # only the previous year's scores query


def test_cached_scoring_cards_show_every_change(client, officer, draft):
    from django.core.cache import cache

    client.force_login(officer)
    url = reverse("assessments:section", args=[draft.pk, 1])
    assert "Regular briefings" not in client.get(url).content.decode()
    score = draft.scores.get(objective__number=1)
    client.post(reverse("assessments:autosave", args=[draft.pk, 1]), score_post(1, level=2, version=score.version, comment="Regular briefings"))
    page = client.get(url).content.decode()
    assert "Regular briefings" in page and 'id="id_o1-level_2" value="2" checked' in page
    # The second time the card comes from the fragment cache, and is still right.
    assert len(cache._cache) > 0 and 'id="id_o1-level_2" value="2" checked' in client.get(url).content.decode()
    whole = client.get(reverse("assessments:score_all", args=[draft.pk]) + "?show=all").content.decode()
    assert "Regular briefings" in whole
    draft.council.directorates.filter(name="Place").update(name="Place & Environment")
    assert "Place &amp; Environment" in client.get(url).content.decode()


def test_the_value_code_questions_are_answered_per_key_area_and_reported(client, officer, head, blank_draft):
    """Seed 003: "tell us which NPS value codes are most important to you and/or where you believe support is required"."""
    import io

    from openpyxl import load_workbook

    from assessments.services import assessment_submit
    from reports.pdf import report_html

    client.force_login(officer)
    url = reverse("assessments:key_area_flags", args=[blank_draft.pk, 8])
    assert client.post(url, {"matters_most": "on"}).status_code == 302
    client.post(reverse("assessments:key_area_flags", args=[blank_draft.pk, 9]), {"support_needed": "on"})
    page = client.get(reverse("assessments:section", args=[blank_draft.pk, 8])).content.decode()
    assert 'id="flag-matters" checked' in page
    book = load_workbook(io.BytesIO(client.get(reverse("assessments:export", args=[blank_draft.pk])).content))
    rows = {row[0]: row for row in book["Key areas"].iter_rows(min_row=2, values_only=True)}
    assert rows[8][4] == "yes" and rows[9][5] == "yes" and rows[1][4] is None
    html = report_html(blank_draft, "councillor")
    assert "Matter most to the council: 8. Obtaining social value" in html and "Support needed: 9. Local SME" in html
    assessment_submit(assessment_id=blank_draft.pk, user=head)
    client.post(url, {})  # signed off: nothing changes
    assert blank_draft.key_area_flags.get(section__number=8).matters_most


def test_saving_a_key_area_returns_to_the_objective_you_were_on(client, officer, blank_draft):
    client.force_login(officer)
    data = {}
    for number in (1, 2, 3):
        data.update(score_post(number, level=2, version=1))
    data["return_to"] = "objective-3"
    response = client.post(reverse("assessments:section", args=[blank_draft.pk, 1]), data)
    assert response.status_code == 302 and response["Location"].endswith("/sections/1/#objective-3")
    data["return_to"] = "javascript:alert(1)"
    assert client.post(reverse("assessments:section", args=[blank_draft.pk, 1]), data)["Location"].endswith("/sections/1/")


def test_reviewing_a_carried_forward_objective_counts_it_as_reviewed_this_year(client, officer, draft):
    from assessments.models import Assessment
    from assessments.selectors import year_levels

    client.force_login(officer)
    score = draft.scores.get(objective__number=1)
    client.post(reverse("assessments:autosave", args=[draft.pk, 1]), score_post(1, level=score.level, version=score.version, comment="Reviewed with the portfolio holder"))
    figures = year_levels(assessment=draft)
    assert figures["overall"]["reviewed"] == 1 and figures["overall"]["carried"] == 58
    area = figures["sections"][score.objective.section_id]
    assert area["state"] == "in_progress" and area["state_label"] == "In progress"
    assert Assessment.objects.with_progress().get(pk=draft.pk).reviewed_count == 1  # the SQL twin agrees
    assert "1 of 59 reviewed this year" in client.get(reverse("home")).content.decode()
