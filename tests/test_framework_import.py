"""Loading a framework file: good files load, bad ones are refused and change nothing, reloading is a no-op."""

import copy
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError

from assessments.services import assessment_start
from maturity.loading import FrameworkFileError, framework_as_dict, framework_load, parse_framework_file
from maturity.models import Framework, LevelDescriptor, Objective

from .conftest import FIXTURES


def small_framework():
    return {
        "code": "test-fw",
        "name": "Test framework",
        "short_name": "TEST",
        "year": 2030,
        "themes": ["Only theme"],
        "sections": [
            {
                "number": 1,
                "name": "Area one",
                "theme": "Only theme",
                "objectives": [
                    {"number": 1, "name": "First", "description": "d", "descriptors": ["a", "b", "c", "d", "e"]},
                    {"number": 2, "name": "Second", "descriptors": ["a", "b", "c", "d", "e"]},
                ],
            }
        ],
    }


def snapshot():
    return (
        list(Framework.objects.values_list("code", "name")),
        list(Objective.objects.values_list("framework__code", "number", "name")),
        list(LevelDescriptor.objects.values_list("objective_id", "level", "text")),
    )


def test_a_good_file_loads(db):
    result = framework_load(parse_framework_file(yaml.safe_dump(small_framework())))
    assert result.created
    assert result.framework.objectives.count() == 2
    assert result.framework.objectives.get(number=2).descriptors.get(level=5).text == "e"


def breakages():
    def drop_descriptor(d):
        d["sections"][0]["objectives"][0]["descriptors"].pop()

    def empty_descriptor(d):
        d["sections"][0]["objectives"][0]["descriptors"][2] = "  "

    def duplicate_number(d):
        d["sections"][0]["objectives"][1]["number"] = 1

    def empty_name(d):
        d["sections"][0]["objectives"][1]["name"] = ""

    def unknown_theme(d):
        d["sections"][0]["theme"] = "Nope"

    def typo_key(d):
        d["sections"][0]["objectives"][0]["descripton"] = "x"

    def no_sections(d):
        d["sections"] = []

    def bad_year(d):
        d["year"] = "twenty"

    return {
        "missing descriptor": (drop_descriptor, "five non-empty level descriptors"),
        "empty descriptor": (empty_descriptor, "five non-empty level descriptors"),
        "duplicate number": (duplicate_number, "used twice"),
        "empty name": (empty_name, "'name' is missing or empty"),
        "unknown theme": (unknown_theme, "not in 'themes'"),
        "typo key": (typo_key, "unknown key 'descripton'"),
        "no sections": (no_sections, "non-empty list"),
        "bad year": (bad_year, "whole number"),
    }


@pytest.mark.parametrize("kind", list(breakages()))
def test_each_kind_of_bad_file_is_refused_and_changes_nothing(db, kind):
    framework_load(parse_framework_file(yaml.safe_dump(small_framework())))
    before = snapshot()
    breaker, message = breakages()[kind]
    data = small_framework()
    data["name"] = "Changed name"  # a valid change that must not land either
    breaker(data)
    with pytest.raises(FrameworkFileError) as error:
        framework_load(parse_framework_file(yaml.safe_dump(data)))
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert snapshot() == before


def test_not_yaml_and_not_a_mapping_are_refused(db):
    with pytest.raises(FrameworkFileError, match="Not valid YAML"):
        parse_framework_file("code: [unclosed")
    with pytest.raises(FrameworkFileError, match="YAML mapping"):
        parse_framework_file("- just\n- a list\n")


def test_loading_the_same_file_twice_is_a_no_op(nps2018, django_assert_max_num_queries):
    text = (FIXTURES / "nps-2018.yaml").read_text(encoding="utf-8")
    before = snapshot()
    # Comparing needs only reads: a handful of queries, no writes.
    with django_assert_max_num_queries(10) as captured:
        result = framework_load(parse_framework_file(text))
    assert not result.changed
    assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in captured.captured_queries)
    assert snapshot() == before


def test_stored_framework_round_trips_to_the_file_format(nps2018):
    data = framework_as_dict(nps2018)
    fixture = yaml.safe_load((FIXTURES / "nps-2018.yaml").read_text(encoding="utf-8"))
    assert [o["descriptors"] for s in data["sections"] for o in s["objectives"]] == [
        o["descriptors"] for s in fixture["sections"] for o in s["objectives"]
    ]


def test_a_changed_text_updates_in_place(db):
    framework_load(parse_framework_file(yaml.safe_dump(small_framework())))
    data = copy.deepcopy(small_framework())
    data["sections"][0]["objectives"][0]["descriptors"][0] = "new text"
    result = framework_load(parse_framework_file(yaml.safe_dump(data)))
    assert result.changed and not result.created
    assert result.framework.objectives.get(number=1).descriptors.get(level=1).text == "new text"


def test_framework_in_use_cannot_be_deleted_nor_its_objectives_dropped(nps2018, council_a, head):
    assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=2024, user=head, carry_forward=False)
    with pytest.raises(ProtectedError):
        nps2018.delete()
    with pytest.raises(ProtectedError):
        nps2018.objectives.get(number=1).delete()
    data = framework_as_dict(nps2018)
    data["sections"][0]["objectives"].pop(0)
    with pytest.raises(FrameworkFileError, match="assessments already use"):
        framework_load(data)
    assert nps2018.objectives.count() == 59


def test_command_reports_problems_and_refuses(db, tmp_path):
    bad = small_framework()
    bad["sections"][0]["objectives"][0]["descriptors"] = ["only one"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(CommandError, match="refused, nothing was changed"):
        call_command("load_framework", str(path), stdout=StringIO())
    assert not Framework.objects.filter(code="test-fw").exists()
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(small_framework()))
    out = StringIO()
    call_command("load_framework", str(good), stdout=out)
    call_command("load_framework", str(good), stdout=out)
    assert "TEST created" in out.getvalue() and "TEST unchanged" in out.getvalue()
