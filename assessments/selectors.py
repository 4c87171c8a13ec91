"""Every read of a year, written once (HackSoft's selectors): pages, exports, the PDF, the API and reminders call these.

* `key_area_levels` — the only code that groups scores by key area (weakest, mean, counts per level, out of scope
  left out, rules.roll_up). `key_area_weakest_sql` is its SQL form, for groups of councils too large to read score
  by score; `tests/test_selectors.py` checks on random data that the two agree.
* `shown_level` — an objective's level as every page, export and the PDF shows it.
* `previous_submitted` — "last year": the latest submitted year before this one.
* `score_has_evidence` — what counts as evidence for a 5.
"""

from collections import Counter, defaultdict

from django.db.models import Count, Min

from maturity import rules
from maturity.levels import Level
from maturity.rules import shown_level  # noqa: F401  (pure: it lives with the level rules; pages reach it as Score.shown)

from .models import Assessment, Score

LEVEL_KEYS = (*Level.values, None)  # None: unscored


def _figures(levels, reviewed=0):
    """rules.roll_up of one key area (or the whole year), with how many objectives stand at each level, how many were
    reviewed this year (scored, and not merely carried forward from last year), and the review state."""
    figures = rules.roll_up(levels)
    counts = Counter(level for level in levels if level != rules.OUT_OF_SCOPE)
    figures["counts"] = {level: counts.get(level, 0) for level in LEVEL_KEYS}
    figures["out_of_scope"] = sum(1 for level in levels if level == rules.OUT_OF_SCOPE)
    figures["reviewed"] = reviewed
    figures["carried"] = figures["scored"] - reviewed  # scored, but only carried forward from last year so far
    figures["state"], figures["state_label"] = rules.review_state(reviewed=reviewed, total=figures["total"])
    return figures


EMPTY_FIGURES = _figures([])  # a key area with no scores yet


def key_area_figures(rows):
    """The grouping itself: `rows` of (key area, level, out_of_scope[, carried_forward]) -> {"sections": {key area:
    figures}, "overall": figures}.

    figures: weakest, mean, scored, total (in scope), counts {level or None: objectives}, out_of_scope (rules.roll_up);
    reviewed (scored this year, not carried forward unchanged) and the key area's review state.
    """
    levels, reviewed = defaultdict(list), Counter()
    for section, level, out_of_scope, *carried in rows:
        levels[section].append(rules.OUT_OF_SCOPE if out_of_scope else level)
        reviewed[section] += rules.is_reviewed(level=level, out_of_scope=out_of_scope, carried_forward=bool(carried and carried[0]))
    return {
        "sections": {section: _figures(values, reviewed[section]) for section, values in levels.items()},
        "overall": _figures([level for values in levels.values() for level in values], sum(reviewed.values())),
    }


def key_area_levels(*, assessment_ids):
    """{assessment_id: key_area_figures by section id} from one query, whatever the number of years.

    An assessment without scores gets empty figures.
    """
    ids = list(assessment_ids)
    rows = defaultdict(list)
    for assessment_id, section_id, level, out_of_scope, carried in Score.objects.filter(assessment_id__in=ids).values_list("assessment_id", "objective__section_id", "level", "out_of_scope", "carried_forward"):
        rows[assessment_id].append((section_id, level, out_of_scope, carried))
    return {assessment_id: key_area_figures(rows.get(assessment_id, ())) for assessment_id in ids}


def year_levels(*, assessment):
    """key_area_levels of one assessment."""
    return key_area_levels(assessment_ids=[assessment.pk])[assessment.pk]


def key_area_weakest_sql(*, assessments):
    """{(assessment_id, section_id): weakest level}, computed by the database (Min over the scored, in-scope objectives).

    The same figure as key_area_levels' weakest (out of scope and unscored left out), for national groups of councils
    that are never read score by score. `assessments`: a QuerySet of assessments.
    """
    rows = (
        Score.objects.filter(assessment__in=assessments, level__isnull=False, out_of_scope=False)
        .values_list("assessment_id", "objective__section_id")
        .annotate(weakest=Min("level"))
        .order_by()
    )
    return {(assessment_id, section_id): weakest for assessment_id, section_id, weakest in rows}


def objective_level_counts_sql(*, assessments):
    """{objective_id: {level: assessments at that level}} over scored, in-scope objectives, counted by the database."""
    counts = defaultdict(Counter)
    scored = Score.objects.filter(assessment__in=assessments, level__isnull=False, out_of_scope=False)
    for objective_id, level, n in scored.values_list("objective_id", "level").annotate(n=Count("id")).order_by():
        counts[objective_id][level] = n
    return dict(counts)


def previous_submitted(*, assessment, among=None):
    """The latest submitted assessment of an earlier year, same council and framework, or None.

    `among`: assessments already read that hold every submitted year of that council and framework (a page's list of
    the council's years, say), to pick from instead of asking the database.
    """
    if among is not None:
        earlier = [
            a for a in among
            if a.status == Assessment.Status.SUBMITTED and (a.council_id, a.framework_id) == (assessment.council_id, assessment.framework_id) and a.year < assessment.year
        ]
        return max(earlier, key=lambda a: a.year, default=None)
    return (
        Assessment.objects.submitted()
        .filter(council_id=assessment.council_id, framework_id=assessment.framework_id, year__lt=assessment.year)
        .order_by("-year")
        .first()
    )


def previous_levels(*, assessment):
    """{objective_id: shown_level} of the previous submitted year (empty if there is none), in one query."""
    previous = previous_submitted(assessment=assessment)
    if previous is None:
        return None, {}
    rows = previous.scores.values_list("objective_id", "level", "working_towards", "out_of_scope")
    return previous, {objective_id: shown_level(level=level, working_towards=wt, out_of_scope=oos) for objective_id, level, wt, oos in rows}


def sign_off_summary(*, assessment):
    """What signing off this year signs: how many changed since last year, came across unchanged, are unscored, and the
    5s with their evidence."""
    scores = list(assessment.scores.select_related("objective__section").prefetch_related("evidence_items").order_by("objective__number"))
    previous, before = previous_levels(assessment=assessment)
    in_scope = [s for s in scores if not s.out_of_scope]
    return {
        "total": len(in_scope),
        "changed": sum(1 for s in in_scope if previous and s.level != before.get(s.objective_id, {}).get("level")),
        "carried_unchanged": [s for s in in_scope if s.carried_forward],
        "unscored": [s for s in in_scope if s.level is None],
        "fives": [(s, bool(s.evidence.strip()), len(s.evidence_items.all())) for s in in_scope if s.level == Level.INNOVATOR],
        "out_of_scope": [s for s in scores if s.out_of_scope],
        "previous": previous,
    }


def score_has_evidence(*, score, evidence_text=None, more_links=0):
    """Whether `score` has evidence for a 5 (rules.has_evidence): its evidence note (or `evidence_text`, the note about
    to be saved), its attached files and links (prefetched or one query), and `more_links` an import is bringing."""
    text = score.evidence if evidence_text is None else evidence_text
    if rules.has_evidence(evidence_text=text, attached=more_links):
        return True
    cache = getattr(score, "_prefetched_objects_cache", {})
    attached = len(cache["evidence_items"]) if "evidence_items" in cache else score.evidence_items.count() if score.pk else 0
    return rules.has_evidence(evidence_text=text, attached=attached)
