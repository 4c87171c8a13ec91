"""Plain words: statuses as words, numbers in their units, one level label, people's names, plurals, empty lists that say what to do."""

import io
import re
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from actionplans.models import Kpi, KpiValue, LineTarget
from reports.pdf import report_pdf

INTERNAL_CODES = re.compile(r"\b(not_?met|no_?data|on_?track|no_?target|not_started|in_progress)\b")


def leeds_waivers(plan):
    kpi = Kpi.objects.create(plan=plan, name="Waivers of contract procedure rules", kind=Kpi.Kind.QUANTITY, unit=Kpi.Unit.COUNT, direction=Kpi.Direction.LOWER, baseline_value="189", baseline_period=date(2018, 4, 1))
    KpiValue.objects.create(kpi=kpi, period_start=date(2019, 4, 1), actual="171")
    KpiValue.objects.create(kpi=kpi, period_start=date(2020, 4, 1), actual="180")
    spend = plan.kpis.get(name="On-contract spend")
    KpiValue.objects.create(kpi=spend, period_start=date(2024, 4, 1), actual="97.4")
    LineTarget.objects.create(line=plan.lines.get(section__number=1), year=2025, level=4)
    return kpi


def test_the_plan_page_speaks_in_words_and_units(client, councillor, plan):
    leeds_waivers(plan)
    client.force_login(councillor)
    page = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert not INTERNAL_CODES.search(page), INTERNAL_CODES.search(page)
    assert "171.00" not in page and ">171<" in page and "97.4%" in page and "97.40" not in page
    assert "Not met" in page and "Met" in page


def test_the_pdf_speaks_in_words_and_units(head, last_year, plan):
    leeds_waivers(plan)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(last_year, "councillor"))).pages)
    assert not INTERNAL_CODES.search(text), INTERNAL_CODES.search(text)
    assert "171.00" not in text and "97.4%" in text and "Not met" in text


def test_the_plan_export_speaks_in_words_and_units(client, head, plan):
    leeds_waivers(plan)
    client.force_login(head)
    book = load_workbook(io.BytesIO(client.get(reverse("actionplans:export", args=[plan.pk])).content))
    cells = [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not any(INTERNAL_CODES.search(cell) for cell in cells)
    assert "171" in cells and "171.00" not in cells and "97.4%" in cells


def test_target_levels_read_as_number_and_name(client, head, plan):
    client.force_login(head)
    line = plan.lines.first()
    page = client.get(reverse("actionplans:line_edit", args=[plan.pk, line.pk])).content.decode()
    assert ">2 Developing</option>" in page and ">Developing</option>" not in page


def test_one_change_is_one_change(client, officer, blank_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    page = client.post(reverse("assessments:import", args=[blank_draft.pk]), {"file": SimpleUploadedFile("one.csv", b"Number,Level\n1,3\n")}).content.decode()
    assert "Import this change" in page and "1 changes" not in page


def test_an_empty_list_says_what_to_do_next(client, councillor):
    client.force_login(councillor)
    page = client.get(reverse("assessments:list")).content.decode()
    assert "No assessments to show" in page
    page = client.get(reverse("actionplans:list")).content.decode()
    assert "No action plans yet" in page


def test_signed_off_by_shows_a_name_not_a_username(client, councillor, last_year):
    client.force_login(councillor)
    page = client.get(reverse("assessments:list")).content.decode()
    assert "Head" in page and ">head<" not in page


def test_framework_pages_do_not_mention_how_the_data_was_built(client, officer):
    client.force_login(officer)
    for code in ("nps-2018", "nps-2022"):
        page = client.get(reverse("maturity:detail", args=[code])).content.decode()
        assert "(seed 0" not in page


def test_a_mistyped_address_in_development_shows_the_apps_own_page(client, officer, settings):
    settings.DEBUG = True
    client.force_login(officer)
    response = client.get("/assessmentz/")
    page = response.content.decode()
    assert response.status_code == 404 and "Page not found" in page and "Using the URLconf" not in page


def test_a_value_printed_without_a_filter_reads_the_same_unlocalised():
    """Pages render numbers unlocalised (base.html, for speed): a date, a time, a number or an amount printed without a
    filter must read as en-GB writes it either way (settings carry en-GB's own formats)."""
    from datetime import datetime
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import timezone

    values = {
        "day": date(2026, 3, 31), "moment": timezone.make_aware(datetime(2026, 3, 31, 14, 30)), "count": 141836, "mean": 2.5,
        "amount": Decimal("171.00"), "share": Decimal("12.5"),
    }
    body = " | ".join("{{ " + name + " }}" for name in values)
    localised = Template(body).render(Context(values))
    plain = Template("{% load l10n %}{% localize off %}" + body + "{% endlocalize %}").render(Context(values))
    assert plain == localised
    assert localised.startswith("31 Mar 2026 | 31 Mar 2026, 2:30 p.m. | 141836 | 2.5 | 171.00 | 12.5")
