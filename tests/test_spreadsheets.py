import csv
import io
import zipfile
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from assessments.models import Score
from assessments.services import assessment_start
from assessments.spreadsheets import SpreadsheetError, find_columns, parse_rows, read_table
from maturity.rules import LevelError, parse_level

from .conftest import FIXTURES, submitted_assessment

FIELDS = ("level", "working_towards", "comment", "action", "evidence", "out_of_scope", "out_of_scope_reason")


def snapshot(assessment):
    return list(Score.objects.filter(assessment=assessment).order_by("objective__number").values("objective__number", *FIELDS, "version"))


def xlsx(rows, sheets=None, merge=None, formula=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Scores"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula:
        sheet[formula] = "=1+2"
    for title in sheets or ():
        book.create_sheet(title).append(["notes"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, assessment, content, name="scores.xlsx", **fields):
    return client.post(reverse("assessments:import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, content), **fields})


def confirm(client, assessment, **kwargs):
    return client.post(reverse("assessments:import_confirm", args=[assessment.pk]), **kwargs)


@pytest.fixture
def varied(council_a, nps2018, head):
    """A submitted assessment using every kind of value: all levels, split scores, unscored, evidence, long text."""

    def level_of(number):
        return None if number in (58, 59) else 1 + number % 5

    assessment = submitted_assessment(council_a, nps2018, 2022, head, level_of=level_of)
    scores = list(assessment.scores.select_related("objective"))
    for score in scores:
        score.working_towards = score.level is not None and score.level < 5 and score.objective.number % 3 == 0
        score.evidence = "Case study: shared with the region" if score.level == 5 else ""
        score.comment = f"Line one for {score.objective.number}\nLine two, with “quotes”, £ and é"
        if score.objective.number == 58:
            score.out_of_scope, score.out_of_scope_reason = True, "District council: no social care contracts"
    Score.objects.bulk_update(scores, ["working_towards", "evidence", "comment", "out_of_scope", "out_of_scope_reason"])
    return assessment


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_into_a_new_draft_reproduces_the_assessment(client, officer, varied, council_a, nps2018, head, fmt):
    client.force_login(officer)
    response = client.get(reverse("assessments:export", args=[varied.pk]), {"format": fmt} if fmt == "csv" else {})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="alpha-nps-2018-2022.{fmt}"'
    draft = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2023, user=head, carry_forward=False)
    preview = upload(client, draft, response.content, name=f"export.{fmt}")
    assert preview.status_code == 200 and not preview.context["problems"], preview.context.get("problems")
    assert confirm(client, draft).status_code == 302
    original = [{k: v for k, v in row.items() if k != "version"} for row in snapshot(varied)]
    imported = [{k: v for k, v in row.items() if k != "version"} for row in snapshot(draft)]
    assert imported == original


def test_medways_layout_imports_into_two_assessments_with_the_published_distributions(client, officer, council_a, nps2018, head):
    with open(FIXTURES / "demo-scores.csv", encoding="utf-8") as handle:
        medway = list(csv.DictReader(handle))
    # Typed as Medway publish it: one row per objective, a score and a comment column per year.
    rows = [["Objective number", "Objective", "Description", "2022 Score", "2022 Comments and action", "2023 Score", "2023 Comments and action"]]
    rows += [[int(r["number"]), r["objective"], "", r["score_2022"], r["comment_2022"], r["score_2023"], r["comment_2023"]] for r in medway]
    content = xlsx(rows)
    client.force_login(officer)
    distributions = {}
    for year in (2022, 2023):
        draft = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=year, user=head, carry_forward=False)
        preview = upload(client, draft, content, name="medway.xlsx", score_year=year)
        assert not preview.context["problems"], preview.context["problems"]
        confirm(client, draft)
        distributions[year] = dict(Counter(Score.objects.filter(assessment=draft).values_list("level", flat=True)))
    assert distributions == {2022: {2: 9, 3: 47, 4: 3}, 2023: {2: 2, 3: 39, 4: 18}}
    split = Score.objects.get(assessment__year=2023, objective__number=3)
    assert (split.level, split.working_towards, split.source_text) == (2, True, "2/3")
    assert split.comment.startswith(medway[2]["comment_2023"][:30])


def test_preview_lists_every_row_problem_and_saves_nothing(client, officer, draft, nps2018):
    names = dict(nps2018.objectives.values_list("number", "name"))
    rows = [
        ["Number", "Objective", "Level", "Comment"],
        [1, names[1], "3", "fine"],
        [99, "Nothing", "3", ""],
        [2, "Completely different words here", "3", ""],
        [4, names[4], "7", ""],
        [5, names[5], "3", "x" * 10_001],
        [1, names[1], "4", "again"],
        ["abc", "", "3", ""],
    ]
    before = snapshot(draft)
    client.force_login(officer)
    response = upload(client, draft, xlsx(rows))
    problems = dict(response.context["problems"])
    assert set(problems) == {2, 3, 4, 5, 6, 7, 8}  # row 2 is good, but its objective is also in row 7
    assert "is also in row 7" in problems[2][0]
    assert "There is no objective 99" in problems[3][0]
    assert "does not match objective 2" in problems[4][0]
    assert "Level 7 is out of range" in problems[5][0]
    assert "at most 10,000 characters" in problems[6][0]
    assert "appears twice (rows 2 and 7)" in problems[7][0]
    assert "is not an objective number" in problems[8][0]
    page = response.content.decode()
    assert "7 of 7 rows have problems and will be left out" in page and "Import these" not in page
    assert confirm(client, draft).status_code == 302  # nothing pending
    assert snapshot(draft) == before


def test_rows_with_problems_are_left_out_and_the_good_ones_imported(client, officer, draft):
    """Issue 29, item 14: two bad rows no longer block the good changes; comment changes show what they were and are."""
    names = dict(draft.scores.values_list("objective__number", "objective__name"))
    Score.objects.filter(assessment=draft, objective__number=3).update(comment="Briefings twice a year")
    rows = [["Number", "Objective", "Level", "Comment"], [1, names[1], "2", ""], [2, names[2], "9", ""], [3, names[3], "2", "Briefings every quarter"], [99, "Nothing", "3", ""]]
    client.force_login(officer)
    response = upload(client, draft, xlsx(rows))
    page = response.content.decode()
    assert set(dict(response.context["problems"])) == {3, 5}
    assert "2 of 4 rows have problems and will be left out" in page and "Import these 2 changes and leave the 2 rows out" in page
    assert "Briefings twice a year</del>" in page and "Briefings every quarter</ins>" in page
    done = confirm(client, draft, follow=True)
    said = " ".join(str(m) for m in done.context["messages"])
    assert "2 objectives changed" in said and "rows 3, 5" in said
    levels = dict(draft.scores.filter(objective__number__in=[1, 2, 3]).values_list("objective__number", "level"))
    assert levels[1] == 2 and levels[3] == 2 and levels[2] != 9


def test_a_score_changed_after_the_preview_refuses_the_whole_import(client, officer, draft):
    client.force_login(officer)
    upload(client, draft, xlsx([["Number", "Level"], [1, "4"], [2, "4"]]))
    score = draft.scores.get(objective__number=2)
    Score.objects.filter(pk=score.pk).update(version=score.version + 1, comment="changed by a colleague")
    before = snapshot(draft)
    response = confirm(client, draft)
    assert response.status_code == 302
    assert snapshot(draft) == before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("changed by someone else since the preview" in m for m in messages)


def test_submitted_assessments_refuse_imports(client, officer, head, last_year, draft):
    client.force_login(officer)
    response = upload(client, last_year, xlsx([["Number", "Level"], [1, "1"]]))
    assert response.status_code == 302
    upload(client, draft, xlsx([["Number", "Level"], [1, "1"]]))
    from assessments.services import assessment_submit

    assessment_submit(assessment_id=draft.pk, user=head)
    before = snapshot(draft)
    confirm(client, draft)
    assert snapshot(draft) == before


def test_directorate_ratings_and_level_five_rules_hold_on_import(client, officer, draft, council_a):
    client.force_login(officer)
    response = upload(client, draft, xlsx([["Number", "Level", "Evidence"], [1, "5", ""]]))
    assert "A 5 (Innovator) means the council is ready to act as a case study" in dict(response.context["problems"])[2][0]


def csv_upload(client, assessment, content, name="scores.csv"):
    return upload(client, assessment, content, name=name)


BAD_FILES = [
    ("empty.xlsx", b"", "The submitted file is empty."),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a valid .xlsx workbook"),
    ("report.csv", b"%PDF-1.7\n\x00\x01\x02binary", "neither a spreadsheet nor a text CSV"),
    ("protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "password-protected"),
    ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 50, "not a valid .xlsx workbook"),
    ("odd.csv", b"Number,Level\n1,3\n" + b"\x81\x8d\x8f\x90\x9d", "encoding is not recognised"),
    ("none.csv", b"Title only\nnothing here\n", "No header row names an objective number column"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_get_a_clear_message_and_change_nothing(client, officer, draft, name, content, message):
    before = snapshot(draft)
    client.force_login(officer)
    response = upload(client, draft, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert snapshot(draft) == before


def test_a_zip_that_is_not_a_workbook_is_refused(client, officer, draft):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    client.force_login(officer)
    assert "not a valid .xlsx workbook" in upload(client, draft, out.getvalue()).content.decode()


def test_a_50_megabyte_file_is_refused(client, officer, draft):
    before = snapshot(draft)
    client.force_login(officer)
    response = upload(client, draft, b"Number,Level\n" + b"1,3\n" * (50 * 1024 * 1024 // 4), name="huge.csv")
    assert "the limit is 5 MB" in response.content.decode()
    assert snapshot(draft) == before


def test_formulas_and_merged_cells_are_refused(client, officer, draft):
    client.force_login(officer)
    formula = upload(client, draft, xlsx([["Number", "Level"], [1, 3]], formula="B2"))
    assert "Cell B2 holds a formula" in formula.content.decode()
    merged = upload(client, draft, xlsx([["Number", "Level"], [1, 3], [2, 3]], merge="A2:A3"))
    assert "merged cells (A2:A3)" in merged.content.decode()


def test_extra_sheets_are_named_and_ignored(client, officer, draft):
    client.force_login(officer)
    response = upload(client, draft, xlsx([["Number", "Level"], [1, "2"]], sheets=["Notes", "Charts"]))
    assert "ignored the other sheets: Notes, Charts" in response.content.decode()
    assert [c["number"] for c in response.context["changes"]] == [1]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_in_the_encodings_excel_writes(client, officer, draft, encoding):
    content = "Number;Level;Comment\n1;2/3;Spend £1m with local SMEs – café\n".encode(encoding)
    client.force_login(officer)
    upload(client, draft, content, name="scores.csv")
    confirm(client, draft)
    score = draft.scores.get(objective__number=1)
    assert (score.level, score.working_towards, score.comment) == (2, True, "Spend £1m with local SMEs – café")


def test_columns_named_on_the_form(client, officer, draft):
    client.force_login(officer)
    rows = [["Ref", "Rating (2024)", "Notes"], [1, "Leader", "named columns"]]
    response = upload(client, draft, xlsx(rows), number_column="Ref", level_column="Rating (2024)", comment_column="Notes")
    assert not response.context.get("problems") and response.context["changes"][0]["new"] == "4"
    missing = upload(client, draft, xlsx(rows), number_column="Ref", level_column="Nope")
    assert "No header row names" in missing.content.decode()


def test_history_export_has_a_column_pair_per_year(client, councillor, council_a, nps2018, head):
    submitted_assessment(council_a, nps2018, 2022, head, level_of=lambda n: 2)
    submitted_assessment(council_a, nps2018, 2023, head, level_of=lambda n: 3)
    assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=True)  # a draft: councillors must not get it
    client.force_login(councillor)
    response = client.get(reverse("assessments:history_export"), {"framework": "nps-2018"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[4:] == ["2022 Score", "2022 Comments and action", "2023 Score", "2023 Comments and action"]
    assert [c.value for c in sheet[2]][4] == "2" and sheet.max_row == 60


@pytest.mark.parametrize(("text", "expected"), [("3", (3, False)), ("3.0", (3, False)), ("2/3", (2, True)), ("NA", (None, False)), ("", (None, False)), ("Mature", (3, False)), ("4 Leader", (4, False)), (" n/a ", (None, False))])
def test_levels_are_read_as_people_write_them(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize("text", ["0", "6", "2/4", "three", "3 Leader", "3/2", "5/6", "3." + "0" * 59, "²", "٣"])
def test_unreadable_levels_are_refused(text):
    with pytest.raises(LevelError):
        parse_level(text)


cells = st.one_of(st.text(max_size=30), st.integers(-10, 100).map(str), st.sampled_from(["2/3", "NA", "Number", "Level", "Objective", "=SUM(A1)", ""]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=6), max_size=12))
def test_the_parser_only_ever_raises_spreadsheet_errors_on_tables(rows):
    try:
        header, columns = find_columns(rows, 2024)
        items = parse_rows(rows, columns, header)
    except SpreadsheetError:
        return
    for item in items:
        assert item.problems or item.number is not None
        assert item.values.get("level") in (None, 1, 2, 3, 4, 5)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_the_reader_only_ever_raises_spreadsheet_errors_on_bytes(data, name):
    try:
        rows, notes = read_table(name, data)
    except SpreadsheetError:
        return
    assert isinstance(rows, list)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=1, max_size=600))
def test_damaged_workbooks_only_raise_spreadsheet_errors(tail):
    try:
        read_table("x.xlsx", b"PK\x03\x04" + tail)
    except SpreadsheetError:
        pass


@pytest.mark.parametrize(("number", "level", "comment"), [("#", "Score", "Comments and action"), ("Ref", "Level", "Comment"), ("Objective code", "Score", "Comments")])
def test_headers_as_councils_write_them_are_recognised(client, officer, blank_draft, number, level, comment):
    client.force_login(officer)
    content = f"{number},{level},{comment}\n1,2/3,\"baseline of '3' agreed\"\n".encode()
    preview = upload(client, blank_draft, content, name="scores.csv")
    assert not preview.context["problems"], preview.context["problems"]
    assert preview.context["changes"][0]["values"]["comment"] == "baseline of '3' agreed"
    confirm(client, blank_draft)
    score = Score.objects.get(assessment=blank_draft, objective__number=1)
    assert (score.level, score.working_towards, score.source_text) == (2, True, "2/3")


def test_an_apostrophe_in_a_comment_never_becomes_a_quote_character(client, officer, blank_draft):
    """Medway's comments say "baseline of '3'": a guessed dialect once read ' as the quote character."""
    rows = ["Number,Level,Comment"] + [f"{n},3,\"NA, achieved baseline of '3' as agreed November 2021.\"" for n in range(1, 12)]
    client.force_login(officer)
    preview = upload(client, blank_draft, "\n".join(rows).encode(), name="medway.csv")
    assert not preview.context["problems"], preview.context["problems"]
    assert len(preview.context["changes"]) == 11


def test_demo_comments_are_whole_with_their_continuation_lines():
    rows = {int(r["number"]): r for r in csv.DictReader((FIXTURES / "demo-scores.csv").open(encoding="utf-8"))}
    assert rows[20]["comment_2022"].endswith("detailing when existing contracts expire for consideration.")
    assert rows[20]["comment_2023"].endswith("with Assistant Directors being approached sequentially.")


def _rows_of(content, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [["" if v is None else str(v) for v in row] for row in load_workbook(io.BytesIO(content))["Scores"].values]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_export_reimports_to_the_identical_state_with_links_out_of_scope_and_value_codes(client, officer, council_a, nps2018, head, fmt):
    """Issue #19: export → import into a blank year → export again gives the same file, character for character
    (bar the 'Previous level' column, which is about the year before); importing an export into its own year changes nothing."""
    from assessments.models import Evidence, KeyAreaFlags
    from assessments.services import key_area_flags_set

    source = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2023, user=head, carry_forward=False)
    scores = {s.objective.number: s for s in source.scores.select_related("objective")}
    for number, score in scores.items():
        score.level = None if number == 30 else 1 + number % 4
        score.working_towards = number % 3 == 0 and score.level is not None
        score.comment = f"NA, achieved baseline of '3' as agreed; row {number}\nsecond line, “quoted”, £185,000"
        score.source_text = "2/3" if number == 4 else ""
    scores[4].level, scores[4].working_towards = 2, True
    scores[30].out_of_scope, scores[30].out_of_scope_reason = True, "Combined authority: no housing stock"
    Score.objects.bulk_update(scores.values(), ["level", "working_towards", "comment", "source_text", "out_of_scope", "out_of_scope_reason"])
    Evidence.objects.create(score=scores[7], title="Procurement strategy 2023-2025, §3.8", url="https://example.org/strategy.pdf?page=8")
    Evidence.objects.create(score=scores[7], title="Contracts register | live", url="https://example.org/register")
    key_area_flags_set(assessment_id=source.pk, section_id=scores[12].objective.section_id, matters_most=True, support_needed=False, user=head)
    key_area_flags_set(assessment_id=source.pk, section_id=scores[40].objective.section_id, matters_most=True, support_needed=True, user=head)

    client.force_login(officer)
    params = {"format": "csv"} if fmt == "csv" else {}
    exported = client.get(reverse("assessments:export", args=[source.pk]), params).content

    # Into its own year: nothing to do.
    same = upload(client, source, exported, name=f"export.{fmt}")
    assert not same.context["problems"] and same.context["changes"] == [] and same.context["flags"] == []

    blank = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    preview = upload(client, blank, exported, name=f"export.{fmt}")
    assert not preview.context["problems"], preview.context["problems"]
    assert confirm(client, blank).status_code == 302
    again = client.get(reverse("assessments:export", args=[blank.pk]), params).content

    before, after = _rows_of(exported, fmt), _rows_of(again, fmt)
    previous = before[0].index("Previous level")
    strip = lambda rows: [[cell for i, cell in enumerate(row) if i != previous] for row in rows]  # noqa: E731
    assert strip(after) == strip(before)
    assert [(e.title, e.url) for e in Evidence.objects.filter(score__assessment=blank).order_by("pk")] == [
        ("Procurement strategy 2023-2025, §3.8", "https://example.org/strategy.pdf?page=8"), ("Contracts register | live", "https://example.org/register"),
    ]
    flags = lambda a: sorted(KeyAreaFlags.objects.filter(assessment=a).values_list("section__number", "matters_most", "support_needed"))  # noqa: E731
    assert flags(blank) == flags(source) == [(4, True, False), (8, True, True)]
    assert Score.objects.get(assessment=blank, objective__number=4).source_text == "2/3"


def test_rows_of_one_key_area_that_disagree_on_value_codes_are_refused(client, officer, blank_draft):
    client.force_login(officer)
    rows = [["Number", "Level", "Key area matters most"], [1, 2, "yes"], [2, 2, ""]]
    response = upload(client, blank_draft, xlsx(rows))
    problems = dict(response.context["problems"])
    assert "rows disagree on the value-code answers" in " ".join(problems[3]) and not blank_draft.key_area_flags.exists()


def test_a_file_reference_or_unreadable_evidence_cannot_come_in_through_a_spreadsheet(client, officer, blank_draft):
    client.force_login(officer)
    rows = [["Number", "Level", "Evidence attached"], [1, 2, "Minutes | file: cabinet-minutes.pdf"], [2, 2, "just some words"], [3, 2, "Bad | javascript:alert(1)"]]
    problems = dict(upload(client, blank_draft, xlsx(rows)).context["problems"])
    assert "cannot come in through a spreadsheet" in " ".join(problems[2])
    assert "is not evidence we can read" in " ".join(problems[3]) and "is not evidence we can read" in " ".join(problems[4])


def _medway_year(council, framework, year, head):
    """Medway's sheet (seed 002) for one year, comments whole and split scores as written, signed off."""
    from assessments.services import Door, assessment_submit, score_write

    rows = {int(row["number"]): row for row in csv.DictReader((FIXTURES / "demo-scores.csv").open(encoding="utf-8"))}
    assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=year, user=head, carry_forward=False)
    for score in assessment.scores.select_related("objective"):
        row = rows[score.objective.number]
        level, towards = parse_level(row[f"score_{year}"])
        score_write(score_id=score.pk, user=head, door=Door.IMPORT, version=score.version, level=level, working_towards=towards, comment=row[f"comment_{year}"], source_text=row[f"score_{year}"])
    return assessment_submit(assessment_id=assessment.pk, user=head)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_medways_history_round_trips_character_for_character(client, council_a, nps2018, head, fmt):
    from assessments.services import assessment_submit

    from .conftest import make_council, make_user

    for year in (2022, 2023):
        _medway_year(council_a, nps2018, year, head)
    params = {"framework": "nps-2018", **({"format": "csv"} if fmt == "csv" else {})}
    client.force_login(head)
    exported = client.get(reverse("assessments:history_export"), params).content
    assert "baseline of '3'" in exported.decode("utf-8-sig", errors="replace") if fmt == "csv" else True

    other = make_council("Second Borough Council", "second")
    other_head = make_user("second-head", other, "head")
    client.force_login(other_head)
    for year in (2022, 2023):
        blank = assessment_start(council_id=other.pk, framework_id=nps2018.pk, year=year, user=other_head, carry_forward=False)
        preview = upload(client, blank, exported, name=f"history.{fmt}", score_year=year)
        assert not preview.context["problems"], preview.context["problems"][:3]
        assert confirm(client, blank).status_code == 302
        assessment_submit(assessment_id=blank.pk, user=other_head)
    again = client.get(reverse("assessments:history_export"), params).content
    assert again == exported if fmt == "csv" else _rows_of_history(again) == _rows_of_history(exported)


def _rows_of_history(content):
    return [["" if v is None else str(v) for v in row] for row in load_workbook(io.BytesIO(content)).active.values]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_text_the_rule_allows_round_trips_and_what_it_refuses_is_refused_at_the_import_too(client, officer, varied, council_a, nps2018, head, fmt):
    """Right-to-left letters, emoji, combining accents, tabs and line breaks come back character for character;
    bidirectional controls and stray separators are refused by the import door with the same message as typing."""
    allowed = "עברית and العربية\tתו\nemoji 👩🏽‍💼, e\u0301, ‘quotes’, =SUM(A1), -1, @x"
    Score.objects.filter(assessment=varied, objective__number=1).update(comment=allowed)
    client.force_login(officer)
    exported = client.get(reverse("assessments:export", args=[varied.pk]), {"format": fmt} if fmt == "csv" else {}).content
    draft = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2023, user=head, carry_forward=False)
    preview = upload(client, draft, exported, name=f"export.{fmt}")
    assert not preview.context["problems"], preview.context["problems"]
    confirm(client, draft)
    assert Score.objects.get(assessment=draft, objective__number=1).comment == allowed
    for hostile in ("looks\u202eharmless", "one\u2028two", "a\u2066b\u2069"):
        other = assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2030 + len(hostile), user=head, carry_forward=False)
        page = upload(client, other, f"Number,Level,Comment\n1,3,{hostile}\n".encode(), name="hostile.csv")
        assert page.context["problems"], hostile
        confirm(client, other)
        assert hostile not in Score.objects.get(assessment=other, objective__number=1).comment
