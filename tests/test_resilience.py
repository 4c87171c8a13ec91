from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from config.views import server_error

from .conftest import score_post


def test_a_database_outage_answers_503_with_retry_after():
    try:
        raise OperationalError("could not connect to server: Connection refused")
    except OperationalError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"nothing was saved" in response.content


def test_other_errors_stay_500():
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_autosave_tells_the_client_the_version_it_now_holds(client, officer, draft):
    client.force_login(officer)
    score = draft.scores.get(objective__number=1)
    url = reverse("assessments:autosave", args=[draft.pk, 1])
    saved = client.post(url, score_post(1, level=2, version=score.version), HTTP_HX_REQUEST="true")
    assert (saved["X-Autosave-State"], saved["X-Score-Version"]) == ("saved", str(score.version + 1))
    stale = client.post(url, score_post(1, level=4, version=score.version), HTTP_HX_REQUEST="true")
    assert (stale["X-Autosave-State"], stale["X-Score-Version"]) == ("stale", str(score.version + 1))


def test_health_needs_no_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"
