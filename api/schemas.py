"""What the API returns, typed (django-ninja builds the OpenAPI 3 document from these): ids, ISO dates, and words
beside every number (`level` 2 with `level_label` "2 Developing")."""

from datetime import date, datetime

from ninja import Schema


class Error(Schema):
    detail: str


class Page(Schema):
    count: int
    next: str | None
    previous: str | None


class Framework(Schema):
    code: str
    name: str
    short_name: str
    year: int
    source: str
    key_areas: int
    objectives: int


class Descriptor(Schema):
    level: int
    level_label: str
    text: str


class Objective(Schema):
    framework: str
    number: int
    name: str
    key_area_number: int
    key_area: str
    description: str
    what_it_is: str
    why_it_is_important: str
    source: str
    descriptors: list[Descriptor]


class ObjectivePage(Page):
    results: list[Objective]


class KeyAreaFigure(Schema):
    assessment_id: int
    framework: str
    year: int
    key_area_number: int
    key_area: str
    weakest: int | None
    weakest_label: str
    mean: float | None
    scored: int
    in_scope: int
    out_of_scope: int


class Assessment(Schema):
    id: int
    framework: str
    framework_name: str
    year: int
    submitted_at: datetime
    signed_off_by: str
    weakest: int | None
    weakest_label: str
    mean: float | None
    scored: int
    in_scope: int
    plan_id: int | None
    key_areas: list[KeyAreaFigure]


class AssessmentPage(Page):
    results: list[Assessment]


class KeyAreaPage(Page):
    results: list[KeyAreaFigure]


class EvidenceItem(Schema):
    title: str
    link: str


class Score(Schema):
    assessment_id: int
    framework: str
    year: int
    key_area_number: int
    key_area: str
    objective_number: int
    objective: str
    level: int | None
    level_label: str
    written: str
    working_towards: bool
    out_of_scope: bool
    out_of_scope_reason: str
    comment: str
    action: str
    evidence: str
    evidence_items: list[EvidenceItem]


class ScorePage(Page):
    results: list[Score]


class Plan(Schema):
    id: int
    title: str
    framework: str
    start_year: int
    end_year: int
    version: int
    status: str
    status_label: str
    published_at: datetime
    shown_for_years: list[int]


class PlanPage(Page):
    results: list[Plan]


class Target(Schema):
    year: int
    level: int | None
    level_label: str
    working_towards: bool
    narrative: str


class Line(Schema):
    id: int
    key_area_number: int | None
    key_area: str
    objective_number: int | None
    objective: str
    title: str
    current_level: int | None
    current_level_label: str
    current_text: str
    owner: str
    due_date: date | None
    progress: str
    progress_label: str
    targets: list[Target]


class Goal(Schema):
    text: str
    level_from: int | None
    level_to: int | None
    review_date: date | None


class Consideration(Schema):
    key_area: str
    description: str
    owner: str
    status: str
    status_label: str


class KpiPeriod(Schema):
    plan_id: int
    kpi_id: int
    kpi: str
    unit: str
    period: str
    period_start: date
    target: float | None
    target_text: str
    actual: float | None
    actual_text: str
    status: str
    status_label: str


class Kpi(Schema):
    id: int
    name: str
    kind: str
    unit: str
    frequency: str
    direction: str
    baseline: str
    in_development: bool
    periods: list[KpiPeriod]


class PlanDetail(Plan):
    lines: list[Line]
    goals: list[Goal]
    considerations: list[Consideration]
    kpis: list[Kpi]


class KpiPage(Page):
    results: list[KpiPeriod]


class Spread(Schema):
    number: int
    name: str
    own: int | None
    own_label: str
    councils: int | None
    lowest: float | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    highest: float | None


class Benchmark(Schema):
    framework: str
    year: int
    group: str
    group_label: str
    councils: int
    refused: bool
    message: str
    key_areas: list[Spread]
    objectives: list[Spread]
