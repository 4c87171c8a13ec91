import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Score
from councils.models import Membership
from ratings.models import Consolidation, Invitation, Rating

from .conftest import make_user


def invite(client, assessment, username, objectives=(), key_areas=(), directorate=None, role="Commissioner"):
    return client.post(reverse("ratings:raters", args=[assessment.pk]), {
        "first_name": username.title(), "last_name": "Rater", "email": f"{username}@example.org", "username": username,
        "role_label": role, "directorate": directorate.pk if directorate else "",
        "objectives": [o.pk for o in objectives], "key_areas": [s.pk for s in key_areas],
    })


def rate(client, invitation, levels, submit=False):
    data = {}
    for number, level in levels.items():
        data[f"r{number}-level"] = level
        data[f"r{number}-comment"] = f"rated {level}"
    if submit:
        data["submit"] = "1"
    return client.post(reverse("ratings:rate", args=[invitation.pk]), data)


@pytest.fixture
def two_raters(client, head, draft, nps2018, council_a, django_capture_on_commit_callbacks):
    client.force_login(head)
    adults, place = council_a.directorates.get(name="Adults & Health"), council_a.directorates.get(name="Place")
    first = nps2018.sections.get(number=1)  # objectives 1–3
    with django_capture_on_commit_callbacks(execute=True):  # the invitation e-mails go once the invitations commit
        invite(client, draft, "amira", key_areas=[first], directorate=adults)
        invite(client, draft, "pat", objectives=list(nps2018.objectives.filter(number__in=[1, 2, 3])), directorate=place, role="Contract manager")
    return Invitation.objects.get(rater__username="amira"), Invitation.objects.get(rater__username="pat")


def test_head_invites_colleagues_who_get_a_rater_sign_in_for_chosen_objectives(two_raters, draft):
    amira, pat = two_raters
    assert amira.rater.membership.role == Membership.Role.RATER and not amira.rater.has_usable_password()  # they choose it from the e-mail
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["amira@example.org"] and "/invitations/" in mail.outbox[0].body
    assert sorted(amira.objectives.values_list("number", flat=True)) == [1, 2, 3]
    assert (amira.directorate.name, pat.role_label) == ("Adults & Health", "Contract manager")


def test_a_head_invites_by_e_mail_alone_and_the_sign_in_name_is_made_from_it(client, head, draft, nps2018, council_b, django_capture_on_commit_callbacks):
    """Issue 29, item 15: the head no longer invents a username; the address is it, or its first part (with a number if taken)."""
    make_user("sam@example.org", council_b, Membership.Role.OFFICER)  # someone elsewhere already signs in as this
    make_user("sam", council_b, Membership.Role.OFFICER)
    client.force_login(head)
    first = nps2018.sections.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("Amira.Khan@Example.org", "sam@example.org"):
            response = client.post(reverse("ratings:raters", args=[draft.pk]), {
                "first_name": "Invited", "last_name": "Rater", "email": email, "username": "", "role_label": "Commissioner", "key_areas": [first.pk],
            })
            assert response.status_code == 302, response.content.decode()
    assert list(Invitation.objects.order_by("pk").values_list("rater__username", flat=True)) == ["amira.khan@example.org", "sam2"]
    assert "Your sign-in name is: sam2" in mail.outbox[-1].body


def test_an_invitee_sees_only_their_objectives_and_nothing_else(client, two_raters, draft, last_year, other_officer, nps2018):
    amira, pat = two_raters
    client.force_login(amira.rater)
    page = client.get(reverse("ratings:rate", args=[amira.pk])).content.decode()
    assert nps2018.objectives.get(number=1).name in page and nps2018.objectives.get(number=4).name not in page
    assert client.get(reverse("assessments:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("assessments:detail", args=[last_year.pk])).status_code == 404
    assert client.get(reverse("assessments:section", args=[draft.pk, 2])).status_code == 404
    assert client.get(reverse("ratings:rate", args=[pat.pk])).status_code == 404
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert "Assessments</a>" not in client.get(reverse("home")).content.decode()
    client.force_login(other_officer)
    assert client.get(reverse("ratings:rate", args=[amira.pk])).status_code == 404


def test_ratings_stay_hidden_from_colleagues_until_their_own_are_submitted(client, two_raters):
    amira, pat = two_raters
    client.force_login(amira.rater)
    rate(client, amira, {1: 2, 2: 3, 3: 4}, submit=True)
    client.force_login(pat.rater)
    rate(client, pat, {1: 4, 2: 3})
    before_submit = client.get(reverse("ratings:rate", args=[pat.pk])).content.decode()
    assert "rated 2" not in before_submit and "colleagues' submitted ratings" not in before_submit
    rate(client, pat, {1: 4, 2: 3, 3: 4}, submit=True)
    after = client.get(reverse("ratings:rate", args=[pat.pk])).content.decode()
    assert "colleagues' submitted ratings" in after and "rated 2" in after  # Amira's comment on objective 1


def test_submit_needs_every_objective_rated_and_then_freezes_them(client, two_raters):
    amira, _ = two_raters
    client.force_login(amira.rater)
    response = rate(client, amira, {1: 2, 2: 3}, submit=True)
    amira.refresh_from_db()
    assert not amira.is_submitted
    assert "not yet rated: 3." in " ".join(str(m) for m in response.wsgi_request._messages)
    rate(client, amira, {1: 2, 2: 3, 3: 3}, submit=True)
    before = list(Rating.objects.filter(invitation=amira).values())
    rate(client, amira, {1: 5, 2: 5, 3: 5})
    assert list(Rating.objects.filter(invitation=amira).values()) == before


def test_consolidation_shows_spread_and_takes_the_weakest_unless_overridden_with_a_reason(client, two_raters, head, draft):
    amira, pat = two_raters
    client.force_login(amira.rater)
    rate(client, amira, {1: 2, 2: 3, 3: 4}, submit=True)
    client.force_login(pat.rater)
    rate(client, pat, {1: 4, 2: 3, 3: 4}, submit=True)

    client.force_login(head)
    rows = client.get(reverse("ratings:consolidation", args=[draft.pk])).context["rows"]
    assert [row["objective"].number for row in rows] == [1, 2, 3]  # widest spread first
    assert rows[0]["spread"] == {"lowest": 2, "highest": 4, "median": 3.0, "range": 2, "weakest": 2, "count": 2}
    url = reverse("ratings:consolidate", args=[draft.pk, 1])
    score = Score.objects.get(assessment=draft, objective__number=1)

    client.post(url, {"c1-level": 3, "c1-reason": ""})  # override without a reason: refused
    assert Score.objects.get(pk=score.pk).level == score.level and not Consolidation.objects.exists()
    client.post(url, {"c1-level": 2, "c1-reason": ""})
    assert Score.objects.get(pk=score.pk).level == 2
    client.post(url, {"c1-level": 3, "c1-reason": "Adults & Health's gap is closed by the new contract register"})
    decision = Consolidation.objects.get(objective__number=1)
    assert (decision.weakest, decision.level, decision.overridden) == (2, 3, True)
    assert Score.objects.get(pk=score.pk).level == 3
    assert Score.objects.get(pk=score.pk).history.first().history_user == head


def test_consolidating_to_five_needs_evidence(client, two_raters, head, draft):
    amira, pat = two_raters
    for invitation in (amira, pat):
        client.force_login(invitation.rater)
        rate(client, invitation, {1: 5, 2: 5, 3: 5}, submit=True)
    client.force_login(head)
    client.post(reverse("ratings:consolidate", args=[draft.pk, 2]), {"c2-level": 5})
    assert Score.objects.get(assessment=draft, objective__number=2).level != 5


def test_a_refused_consolidation_keeps_the_reason_shows_the_error_on_its_card_and_the_directorate_levels(client, two_raters, head, draft, council_a):
    """Issue 29, item 7: a 2 refused because an officer entered Adults & Health at 1 on the scoring page. The card
    shows that level beside the raters', the message sits on the card's field, and the typed reason is still there."""
    from assessments.models import DirectorateRating

    amira, pat = two_raters
    for invitation, levels in ((amira, {1: 4, 2: 3, 3: 4}), (pat, {1: 2, 2: 3, 3: 4})):
        client.force_login(invitation.rater)
        rate(client, invitation, levels, submit=True)
    adults = council_a.directorates.get(name="Adults & Health")
    score = Score.objects.get(assessment=draft, objective__number=1)
    DirectorateRating.objects.create(score=score, directorate=adults, level=1)
    client.force_login(head)
    page = client.get(reverse("ratings:consolidation", args=[draft.pk])).content.decode()
    assert "Directorate levels entered on the scoring page" in page and "Adults &amp; Health 1 Minimum" in page
    response = client.post(reverse("ratings:consolidate", args=[draft.pk, 1]), {"c1-level": 3, "c1-reason": "The new contract register closes the gap"})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Consolidation" in page
    assert "The new contract register closes the gap</textarea>" in page  # what was typed is kept
    card = page[page.index('id="objective-1"'):page.index("</article>", page.index('id="objective-1"'))]
    assert 'class="error-message' in card and "Adults &amp; Health is at 1 Minimum" in card
    assert 'href="#id_c1-level"' in page  # the summary links to the field
    assert Score.objects.get(pk=score.pk).level == score.level and not Consolidation.objects.exists()


def test_set_every_objective_to_its_weakest_rating_keeps_argued_decisions_and_reports_refusals(client, two_raters, head, draft):
    amira, pat = two_raters
    for invitation, levels in ((amira, {1: 2, 2: 3, 3: 5}), (pat, {1: 4, 2: 2, 3: 5})):
        client.force_login(invitation.rater)
        rate(client, invitation, levels, submit=True)
    client.force_login(head)
    client.post(reverse("ratings:consolidate", args=[draft.pk, 1]), {"c1-level": 3, "c1-reason": "Agreed at the procurement board"})
    response = client.post(reverse("ratings:consolidate_weakest", args=[draft.pk]), follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    levels = dict(Score.objects.filter(assessment=draft, objective__number__in=[1, 2, 3]).values_list("objective__number", "level"))
    assert levels[1] == 3 and levels[2] == 2  # the argued 3 is kept; objective 2 takes its weakest
    assert levels[3] != 5 and "3. " in said and "was not changed" in said  # a 5 needs evidence: refused, and said
    assert "Set 1 objective to its weakest rating" in said and "Kept the decision recorded with a reason for 1." in said


def test_blank_response_sheet_lists_every_objective_with_its_descriptors(client, officer, draft, nps2018):
    client.force_login(officer)
    book = load_workbook(io.BytesIO(client.get(reverse("ratings:response_sheet", args=[draft.pk])).content))
    rows = list(book.active.values)
    assert rows[0][4:11] == ("1 Minimum", "2 Developing", "3 Mature", "4 Leader", "5 Innovator", "Your level (1–5)", "Your comment")
    assert len(rows) == 1 + nps2018.objectives.scorable().count()
    first = nps2018.objectives.get(number=1)
    assert rows[1][2] == first.name and rows[1][4] == first.descriptors.get(level=1).text


def test_a_rater_of_another_council_is_not_invited_across(client, head, draft, council_b):
    stranger = make_user("stranger", council_b, Membership.Role.RATER)
    client.force_login(stranger)
    assert client.get(reverse("ratings:raters", args=[draft.pk])).status_code == 404


def test_blank_response_sheet_as_pdf_has_every_objective_and_room_to_answer(client, officer, draft, nps2018):
    import re

    from pypdf import PdfReader

    client.force_login(officer)
    response = client.get(reverse("ratings:response_sheet", args=[draft.pk]), {"format": "pdf"})
    assert response["Content-Disposition"] == 'attachment; filename="nps-2018-2024-response-sheet.pdf"'
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    assert all(re.sub(r"\s+", " ", o.name) in text for o in nps2018.objectives.scorable())
    assert text.count("Level (1–5)") == nps2018.objectives.scorable().count()


def test_withdrawing_an_invitation_drops_its_ratings_and_the_sign_in(client, two_raters, head, draft):
    amira, pat = two_raters
    client.force_login(amira.rater)
    rate(client, amira, {1: 1, 2: 1, 3: 1}, submit=True)
    client.force_login(head)
    client.post(reverse("ratings:withdraw", args=[draft.pk, amira.pk]))
    assert not Invitation.objects.filter(pk=amira.pk).exists() and not Rating.objects.filter(invitation_id=amira.pk).exists()
    amira.rater.refresh_from_db()
    assert not amira.rater.is_active
    assert client.get(reverse("ratings:consolidation", args=[draft.pk])).context["rows"] == []
