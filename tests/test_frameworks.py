"""The NPS fixtures are faithful to the source documents."""

import sys
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from maturity.models import Framework, Objective

from .conftest import FIXTURES, SEEDS

EXPECTED_SECTIONS = [
    ("Engaging Councillors", 3),
    ("Engaging senior managers", 4),
    ("Working with partners", 3),
    ("Engaging strategic suppliers", 3),
    ("Creating commercial opportunities", 6),
    ("Contract and relationship management", 6),
    ("Managing strategic risk", 5),
    ("Obtaining social value", 10),
    ("Local SME and micro-business engagement", 7),
    ("Engaging VCSEs (voluntary, community and social enterprises)", 8),
    ("Enablers", 4),
]


def test_nps2018_has_the_seeds_eleven_sections_and_59_objectives_in_order(nps2018):
    sections = list(nps2018.sections.all())
    assert [(s.name, s.objectives.count()) for s in sections] == EXPECTED_SECTIONS
    assert list(nps2018.objectives.values_list("number", flat=True)) == list(range(1, 60))
    assert nps2018.objectives.first().name == "Proc. and commercial champions"
    assert nps2018.objectives.last().name == "Embedding change"


def test_every_2018_objective_has_five_non_empty_descriptors(nps2018):
    for objective in nps2018.objectives.prefetch_related("descriptors"):
        texts = objective.descriptor_texts()
        assert len(texts) == 5 and all(t.strip() for t in texts), objective.name


def test_sampled_texts_equal_the_seed_exactly(nps2018):
    distress = Objective.objects.get(framework=nps2018, name="Supplier financial distress")
    assert distress.descriptors.get(level=4).text == "Standard supplier financial distress clause included in all major contracts for services."
    assert distress.description == "The extent to which suppliers in financial distress are identified and managed."
    champions = Objective.objects.get(framework=nps2018, number=1)
    assert champions.descriptors.get(level=3).text == (
        "Procurement and commercial are within the portfolio of a Cabinet member (or equivalent arrangements)."
    )
    councillors = nps2018.sections.get(number=1)
    assert councillors.what_it_is.startswith("Councillors set the council vision and strategic priorities")
    assert councillors.why_it_is_important.startswith("When councillors are fully engaged with procurement")


def test_html_is_stripped_but_line_breaks_are_kept(nps2018):
    data_collection = Objective.objects.get(framework=nps2018, name="Data collection and analysis")
    level1 = data_collection.descriptors.get(level=1).text
    assert "<p>" not in level1 and "</p>" not in level1
    assert level1.split("\n") == [
        "No common basis for departments to collect data and intelligence on suppliers.",
        "No system for sharing and analysing departmental data.",
        "No agreed definition of a 'strategic' supplier.",
    ]
    governance = Objective.objects.get(framework=nps2018, name="Governance and processes").descriptors.get(level=3).text
    assert "<ul" not in governance
    assert governance.split("\n")[1] == "• corporate service planning and budgeting processes"
    for objective in nps2018.objectives.prefetch_related("descriptors"):
        for text in objective.descriptor_texts():
            assert "<" not in text, objective.name


def test_section_principles_come_from_medway(nps2018):
    councillors = nps2018.sections.get(number=1)
    assert councillors.principle_texts()[0] == "Councillors regard procurement and commercial issues as purely operational matters."
    assert councillors.principle_texts()[4].endswith("or another innovative project.")
    assert "Medway" in councillors.principles_source
    assert nps2018.sections.get(name="Enablers").principle_texts() == []
    assert all(len(s.principle_texts()) == 5 for s in nps2018.sections.exclude(name="Enablers"))


def test_every_text_records_its_source(nps2018):
    assert "Dacorum" in nps2018.source
    assert all("Dacorum" in s.source for s in nps2018.sections.all())


def test_nps2022_has_three_themes_the_enablers_and_no_placeholder(db, nps2018):
    nps2022 = Framework.objects.get(code="nps-2022")
    assert list(nps2022.themes.values_list("name", flat=True)) == [
        "Showing leadership",
        "Behaving commercially",
        "Achieving community benefits",
        "Enablers",
    ]
    enablers = nps2022.sections.get(name="Enablers")
    # Medway's numbers for 2022 and 2023 (seed 002): 56 Developing talent ... 59 Embedding change.
    assert list(enablers.objectives.values_list("number", "name")) == [
        (56, "Developing talent"),
        (57, "Exploiting digital technology"),
        (58, "Enabling innovation"),
        (59, "Embedding change"),
    ]
    # Every objective can be scored: the counts everywhere agree on 59.
    assert nps2022.objectives.count() == nps2022.objectives.scorable().count() == 59
    assert nps2022.sections.get(number=6).objectives.get(name="Supplier financial distress").descriptors.get(level=4).text == (
        "Standard supplier financial distress clause included in all major contracts for services."
    )


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents (shared/seeds) are not beside this checkout")
def test_committed_fixtures_are_what_the_build_script_makes_from_the_seeds():
    sys.path.insert(0, str(FIXTURES))
    import build_nps_fixtures

    built = build_nps_fixtures.build(SEEDS)
    for name, text in built.items():
        assert (FIXTURES / name).read_text(encoding="utf-8") == text, f"{name} differs from the seeds; rerun fixtures/build_nps_fixtures.py"
    assert len(yaml.safe_load(built["nps-2018.yaml"])["sections"]) == 11


def test_outline_command_prints_sections_objectives_and_descriptors(nps2018):
    out = StringIO()
    call_command("show_framework", "nps-2018", stdout=out)
    text = out.getvalue()
    assert "6. Contract and relationship management" in text
    assert "   22. Supplier financial distress" in text
    assert "4 Leader: Standard supplier financial distress clause included in all major contracts for services." in text


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents (shared/seeds) are not beside this checkout")
def test_committed_demo_scores_match_seed_002():
    import sys

    sys.path.insert(0, str(FIXTURES))
    import build_demo_scores

    rows = build_demo_scores.extract(SEEDS)
    with open(FIXTURES / "demo-scores.csv", encoding="utf-8") as handle:
        import csv

        committed = list(csv.DictReader(handle))
    assert [{k: str(v) for k, v in row.items()} for row in rows] == committed
