"""Submitting (signing off) and reopening."""

from django.urls import reverse

from assessments.models import Assessment, AssessmentEvent


def test_submit_lists_unscored_objectives_and_needs_confirmation(client, head, blank_draft):
    client.force_login(head)
    page = client.get(reverse("assessments:submit", args=[blank_draft.pk])).content.decode()
    assert "59 unscored" in page and "Supplier financial distress" in page
    client.post(reverse("assessments:submit", args=[blank_draft.pk]), {})
    assert Assessment.objects.get(pk=blank_draft.pk).is_draft
    client.post(reverse("assessments:submit", args=[blank_draft.pk]), {"confirm": "on"})
    blank_draft.refresh_from_db()
    assert not blank_draft.is_draft and blank_draft.submitted_by == head
    assert blank_draft.scores.filter(level__isnull=True).count() == 59  # unscored stay unscored


def test_officer_cannot_submit(client, officer, blank_draft):
    client.force_login(officer)
    assert client.post(reverse("assessments:submit", args=[blank_draft.pk]), {"confirm": "on"}).status_code == 403
    assert Assessment.objects.get(pk=blank_draft.pk).is_draft


def test_reopen_needs_a_reason_which_is_recorded(client, head, last_year):
    client.force_login(head)
    response = client.post(reverse("assessments:reopen", args=[last_year.pk]), {"reason": ""})
    page = response.content.decode()
    assert "Say why the year is being reopened" in page and "This field is required" not in page and "<title>Error: " in page
    assert not Assessment.objects.get(pk=last_year.pk).is_draft
    client.post(reverse("assessments:reopen", args=[last_year.pk]), {"reason": "Committee asked to revisit social value"})
    assert Assessment.objects.get(pk=last_year.pk).is_draft
    event = AssessmentEvent.objects.get(assessment=last_year, kind="reopened")
    assert event.by == head and event.reason == "Committee asked to revisit social value"
    detail = client.get(reverse("assessments:detail", args=[last_year.pk])).content.decode()
    assert "Committee asked to revisit social value" in detail


def test_only_one_assessment_per_council_framework_and_year(client, officer, nps2018, blank_draft):
    client.force_login(officer)
    response = client.post(reverse("assessments:new"), {"framework": nps2018.pk, "year": 2024, "carry_forward": "on"})
    assert "already has a NPS 2018 assessment for 2024" in response.content.decode()
    assert Assessment.objects.count() == 1


def test_start_carried_forward_from_the_browser(client, officer, nps2018, last_year):
    client.force_login(officer)
    response = client.post(reverse("assessments:new"), {"framework": nps2018.pk, "year": 2024, "carry_forward": "on"}, follow=True)
    assert "carried forward from 2023" in response.content.decode()
    new = Assessment.objects.get(year=2024)
    assert new.scores.count() == 59 and new.scores.filter(carried_forward=True).count() == 59


def test_detail_shows_weakest_and_mean_per_key_area(client, officer, nps2018, council_a, head):
    from .conftest import submitted_assessment

    levels = {1: 1, 2: 3, 3: 4}  # Engaging Councillors: weakest 1, mean 2.7
    assessment = submitted_assessment(council_a, nps2018, 2022, head, level_of=lambda n: levels.get(n, 3))
    client.force_login(officer)
    body = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "Key-area level (weakest)" in body
    row = body.split("1. Engaging Councillors")[1].split("</tr>")[0]
    assert "2.7" in row and "level-1" in row


def test_year_on_year_filters_by_change(client, officer, nps2018, council_a, head):
    from .conftest import submitted_assessment

    submitted_assessment(council_a, nps2018, 2022, head)
    current = submitted_assessment(council_a, nps2018, 2023, head, level_of=lambda n: 4 if n == 5 else (2 if n == 6 else 3))
    client.force_login(officer)
    url = reverse("assessments:year_on_year", args=[current.pk])
    up = client.get(url, {"change": "up"}).content.decode()
    assert "Mission and strategy" in up and "Processes" not in up
    down = client.get(url, {"change": "down"}).content.decode()
    assert "Processes" in down and "Mission and strategy" not in down
    section = client.get(url, {"section": "2"}).content.decode()
    assert "Influence and impact" in section and "Culture" not in section


def test_sign_off_says_what_is_carried_forward_unchanged_and_which_fives_have_evidence(client, head, officer, draft):
    from assessments.models import Evidence, Score
    from assessments.services import Door, score_write

    score = Score.objects.get(assessment=draft, objective__number=2)
    Evidence.objects.create(score=score, title="Cabinet report", url="https://example.org/r")
    score_write(score_id=score.pk, version=score.version, user=officer, door=Door.AUTOSAVE, level=5)
    client.force_login(head)
    page = client.get(reverse("assessments:submit", args=[draft.pk])).content.decode()
    assert "58 objectives carried forward from 2023 unchanged" in page
    assert "1 changed level since 2023" in page
    assert "2. " in page and "1 attached item" in page


def test_the_overview_offers_the_next_unscored_and_finds_objectives(client, officer, blank_draft):
    client.force_login(officer)
    page = client.get(reverse("assessments:detail", args=[blank_draft.pk])).content.decode()
    assert "Next unscored: 1. " in page
    found = client.get(reverse("assessments:detail", args=[blank_draft.pk]), {"find": "22"})
    assert found.status_code == 302 and found["Location"].endswith("/sections/6/#objective-22")
    many = client.get(reverse("assessments:detail", args=[blank_draft.pk]), {"find": "social value"}).content.decode()
    assert "Objectives matching" in many and many.count("#objective-") >= 2
    none = client.get(reverse("assessments:detail", args=[blank_draft.pk]), {"find": "zebra"}).content.decode()
    assert "No objective matches" in none


def test_the_heads_landing_page_says_what_waits_for_them(client, head, officer, draft, invitation):
    from django.utils import timezone

    from assessments.models import Score

    client.force_login(head)
    assert "Waiting for you" not in client.get(reverse("home")).content.decode()
    type(invitation).objects.filter(pk=invitation.pk).update(submitted_at=timezone.now())
    Score.objects.filter(assessment=draft).update(carried_forward=False)  # every objective reviewed this year
    page = client.get(reverse("home")).content.decode()
    assert "NPS 2018 2024 is ready to sign off" in page and "1 rater has submitted ratings for NPS 2018 2024: consolidate them" in page
    client.force_login(officer)
    assert "Waiting for you" not in client.get(reverse("home")).content.decode()
