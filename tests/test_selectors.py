"""The read model: the one grouping of a year's scores by key area, in Python (key_area_levels) and in SQL
(key_area_weakest_sql), agrees on any data, out of scope and unscored objectives included."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment, Score
from assessments.selectors import key_area_figures, key_area_levels, key_area_weakest_sql, shown_level

# One objective's score: a level or none, and whether it is out of scope (then it has no level, as the rules keep).
SCORE = st.one_of(st.tuples(st.integers(1, 5), st.just(False)), st.tuples(st.none(), st.booleans()))


@pytest.fixture
def blank_years(nps2018, council_a, head):
    from assessments.services import assessment_start

    return [assessment_start(council_id=council_a.pk, framework_id=nps2018.pk, year=year, user=head, carry_forward=False) for year in (2023, 2024)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_sql_and_python_key_area_weakest_agree_on_random_years(blank_years, data):
    for assessment in blank_years:
        scores = list(assessment.scores.all())
        for score, (level, out) in zip(scores, data.draw(st.lists(SCORE, min_size=len(scores), max_size=len(scores))), strict=True):
            score.level, score.out_of_scope = level, out
        Score.objects.bulk_update(scores, ["level", "out_of_scope"])
    ids = [a.pk for a in blank_years]
    python = key_area_levels(assessment_ids=ids)
    sql = key_area_weakest_sql(assessments=Assessment.objects.filter(pk__in=ids))
    for assessment_id in ids:
        for section_id, figures in python[assessment_id]["sections"].items():
            assert sql.get((assessment_id, section_id)) == figures["weakest"], (assessment_id, section_id)
    # Out-of-scope objectives count nowhere: not in the total, not in the counts.
    for assessment in blank_years:
        rows = Score.objects.filter(assessment=assessment)
        overall = python[assessment.pk]["overall"]
        assert overall["total"] == rows.filter(out_of_scope=False).count()
        assert overall["scored"] == rows.filter(out_of_scope=False, level__isnull=False).count()


def test_the_weakest_objective_is_the_key_area_level_and_the_mean_is_beside_it():
    figures = key_area_figures([(1, 2, False), (1, 4, False), (1, None, True), (1, None, False), (2, 5, False)])
    area = figures["sections"][1]
    assert (area["weakest"], area["mean"], area["scored"], area["total"]) == (2, 3.0, 2, 3)
    assert figures["overall"]["weakest"] == 2


def test_a_split_score_is_shown_as_councils_write_it():
    shown = shown_level(level=2, working_towards=True, out_of_scope=False)
    assert shown["written"] == "2/3" and "Developing" in shown["words"] and "Mature" in shown["words"]
