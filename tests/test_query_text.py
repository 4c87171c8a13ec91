"""No query string answers 500: control characters anywhere in it are refused with a plain 400, page sizes are
bounded on every table, odd page numbers show a page."""

import pytest
from django.urls import reverse

ODD_VALUES = ["a\x00b", "\x1b[31m", "x\x7f", "\x85", "caf\u00e9\x08"]


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize(("url_name", "who"), [("assessments:list", "officer"), ("actionplans:list", "head"), ("reports:benchmark", "councillor"), ("reports:dashboard", "councillor")])
def test_a_control_character_in_the_query_is_refused_plainly(client, request, url_name, who, value, last_year):
    client.force_login(request.getfixturevalue(who))
    for query in ({"year": value}, {value: "1"}, {"q": value}):
        response = client.get(reverse(url_name), query)
        assert response.status_code == 400 and "cannot be used" in response.content.decode()


def test_ordinary_accented_search_words_still_work(client, officer, last_year):
    client.force_login(officer)
    assert client.get(reverse("assessments:list"), {"q": "Café – Ōtautahi"}).status_code == 200


@pytest.mark.parametrize("per_page", ["0", "-1", "1000000", "٣", " 5", "1e9", "abc", "100"])
@pytest.mark.parametrize("page", ["1", "0", "999999999", "٢", "-3"])
def test_page_and_page_size_are_bounded_on_every_table(client, officer, last_year, per_page, page):
    client.force_login(officer)
    for url_name in ("assessments:list", "actionplans:list"):
        response = client.get(reverse(url_name), {"per_page": per_page, "page": page})
        assert response.status_code == 200
        table = response.context["table"]
        assert 1 <= table.paginator.per_page <= 100


# One text rule for every stored text ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["before\u202eafter", "a\u2066b\u2069", "one\u2028two", "para\u2029graph", "next\x85line", "mark\u200fhere"])
def test_a_score_comment_with_a_bidi_control_or_a_stray_separator_is_refused_and_nothing_changes(officer, draft, text):
    from assessments.services import Door, NotValid, score_write

    score = draft.scores.get(objective__number=3)
    with pytest.raises(NotValid) as refused:
        score_write(score_id=score.pk, version=score.version, user=officer, door=Door.AUTOSAVE, comment=text)
    assert "comment" in refused.value.problems
    score.refresh_from_db()
    assert text not in score.comment


@pytest.mark.parametrize("name", ["Alpha\r\nBcc: everyone@example.org", "Alpha\tCouncil", "Al\u200bpha", "Alpha\u202e"])
def test_a_name_that_reaches_a_mail_header_must_be_one_visible_line(name, council_a):
    from django.core.exceptions import ValidationError

    council_a.name = name
    with pytest.raises(ValidationError):
        council_a.full_clean()


@pytest.mark.parametrize("username", ["hеad", "head\u200b", "a" * 65, "head name", "hëad"])
def test_usernames_are_plain_ascii_without_look_alikes(client, head, draft, username):
    client.force_login(head)
    page = client.post(reverse("ratings:raters", args=[draft.pk]), {"first_name": "A", "last_name": "B", "email": "a@example.org", "username": username, "role_label": "Commissioner", "key_areas": [draft.framework.sections.first().pk]}).content.decode()
    assert "A username may use only letters" in page


def test_the_admin_cannot_make_a_user_with_a_look_alike_username(client, staff):
    staff.is_superuser = True  # site staff who may add users
    staff.save()
    client.force_login(staff)
    page = client.post("/admin/auth/user/add/", {"username": "hеad", "password1": "Correct-horse-battery-9", "password2": "Correct-horse-battery-9", "usable_password": "true"}).content.decode()
    from django.contrib.auth import get_user_model

    assert "A username may use only letters" in page and not get_user_model().objects.filter(username="hеad").exists()
