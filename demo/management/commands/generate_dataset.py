"""A realistic national data set for benchmarks: every kind of council in every region, years of NPS 2018 assessments.

    manage.py generate_dataset --councils 400 --years 6

Idempotent per council slug (existing generated councils are skipped). Runs in minutes on SQLite and PostgreSQL:
rows go in with bulk_create, history rows included.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actionplans import rules as plan_rules
from actionplans.models import ActionPlan, Kpi, KpiValue, LineTarget, PlanLine
from assessments.models import Assessment, AssessmentEvent, DirectorateRating, Score
from councils.models import Council, Directorate, Membership
from maturity import rules
from maturity.models import Framework

WORDS = (
    "procurement contract category spend supplier social value councillors briefing commissioning strategy framework "
    "market engagement savings compliance waiver register monitoring quarterly annual report directorate training "
    "policy local SMEs VCSE risk resilience carbon net zero data dashboard toolkit performance outcome partnership"
).split()
DIRECTORATES = ["Adults & Health", "Children & Families", "Place", "Corporate Services"]


def sentence(rng, low=12, high=40):
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return (" ".join(words)).capitalize() + "."


class Command(BaseCommand):
    help = "Generate councils with years of submitted assessments, directorate ratings, history and action plans (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--councils", type=int, default=400)
        parser.add_argument("--years", type=int, default=6)
        parser.add_argument("--first-year", type=int, default=2019)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, councils, years, first_year, seed, **options):
        started = time.perf_counter()
        rng = random.Random(seed)
        framework = Framework.objects.get(code="nps-2018")
        objectives = list(framework.objectives.scorable().order_by("number"))
        sections = list(framework.sections.all())
        kinds, regions = list(Council.Kind), list(Council.Region)
        User = get_user_model()
        made = 0
        for i in range(councils):
            slug = f"gen-{i:04d}"
            if Council.objects.filter(slug=slug).exists():
                continue
            with transaction.atomic():
                council = Council.objects.create(name=f"Generated Council {i:04d}", slug=slug, kind=kinds[i % len(kinds)], region=regions[(i // len(kinds)) % len(regions)])
                directorates = Directorate.objects.bulk_create(Directorate(council=council, name=name, order=n) for n, name in enumerate(DIRECTORATES))
                head = User.objects.create_user(f"{slug}-head", f"{slug}-head@example.org", None, first_name="Head")
                Membership.objects.create(user=head, council=council, role=Membership.Role.HEAD)
                officer = User.objects.create_user(f"{slug}-officer", f"{slug}-officer@example.org", None, first_name="Officer")
                Membership.objects.create(user=officer, council=council, role=Membership.Role.OFFICER)
                self._assessments(rng, council, framework, objectives, directorates, head, officer, first_year, years)
                self._plan(rng, council, framework, sections, head, first_year + years - 1)
            made += 1
            if made % 50 == 0:
                self.stdout.write(f"  {made} councils, {time.perf_counter() - started:.0f} s")
        self.stdout.write(f"Generated {made} councils × {years} years in {time.perf_counter() - started:.0f} s.")

    def _assessments(self, rng, council, framework, objectives, directorates, head, officer, first_year, years):
        base = {o.pk: rng.choice([1, 2, 2, 3, 3, 3, 4]) for o in objectives}
        now = timezone.now()
        for offset in range(years):
            year = first_year + offset
            assessment = Assessment.objects.create(
                council=council, framework=framework, year=year, status=Assessment.Status.SUBMITTED,
                created_by=head, submitted_at=now - timedelta(days=365 * (years - offset)), submitted_by=head,
            )
            scores = []
            for objective in objectives:
                base[objective.pk] = max(1, min(5, base[objective.pk] + rng.choice([0, 0, 0, 1, 1, -1]) * (offset > 0)))
                level = base[objective.pk]
                scores.append(Score(
                    assessment=assessment, objective=objective, level=level, working_towards=level < 5 and rng.random() < 0.1,
                    comment=sentence(rng, 20, 60), action=sentence(rng, 8, 25), evidence=sentence(rng) if level == 5 else "", updated_by=officer,
                ))
            for score in scores:  # bulk rows, each checked first by the rules score_write keeps
                self._check("score", rules.score_problems(
                    level=score.level, working_towards=score.working_towards, out_of_scope=False, out_of_scope_reason="",
                    has_evidence=rules.has_evidence(evidence_text=score.evidence), texts={"comment": score.comment, "action": score.action, "evidence": score.evidence},
                ))
            scores = Score.objects.bulk_create(scores, batch_size=500)
            Score.history.bulk_create([
                Score.history.model(
                    id=s.pk, assessment_id=assessment.pk, objective_id=s.objective_id, level=s.level, working_towards=s.working_towards,
                    comment=s.comment, action=s.action, evidence=s.evidence, carried_forward=False, source_text="", version=1,
                    updated_by_id=officer.pk, history_date=now, history_type="+", history_user_id=officer.pk, history_change_reason="Generated data",
                )
                for s in scores
            ], batch_size=500)
            ratings = []
            for score in rng.sample(scores, k=6):
                levels = [score.level] + [min(5, score.level + rng.choice([0, 1])) for _ in directorates[1:]]
                ratings += [DirectorateRating(score=score, directorate=d, level=lv) for d, lv in zip(directorates, levels, strict=True)]
            DirectorateRating.objects.bulk_create(ratings)
            AssessmentEvent.objects.bulk_create([
                AssessmentEvent(assessment=assessment, kind=AssessmentEvent.Kind.STARTED, by=head),
                AssessmentEvent(assessment=assessment, kind=AssessmentEvent.Kind.SUBMITTED, by=head),
            ])

    def _plan(self, rng, council, framework, sections, head, year):
        """Bulk rows for speed, each checked first by the rules the plan services keep (actionplans.rules)."""
        title, start, end = "Procurement improvement plan", year, year + 2
        self._check("plan", plan_rules.plan_problems(title=title, start_year=start, end_year=end))
        # Published before the generated years were signed off, as a council's live plan is.
        plan = ActionPlan.objects.create(
            council=council, framework=framework, title=title, start_year=start, end_year=end, owner=head,
            status="published", published_at=timezone.now() - timedelta(days=365 * 10), published_by=head, version=1,
        )
        note = "Generated data: set by hand, not from an assessment."
        lines = [
            PlanLine(plan=plan, section=s, current_level=rng.randint(1, 4), current_level_note=note, owner="Head of Procurement", due_date=date(year + 2, 3, 31), order=s.number)
            for s in sections
        ]
        targets = {}
        for line in lines:
            self._check("line", plan_rules.line_problems(section_id=line.section_id, current_level=line.current_level, current_level_note=note))
            targets[line.section_id] = [{"year": y, "level": min(5, line.current_level + step), "narrative": sentence(rng, 8, 20)} for step, y in enumerate(plan.years)]
            self._check("targets", plan_rules.target_problems(start_year=start, end_year=end, custom=False, current_level=line.current_level, targets=targets[line.section_id]))
        lines = PlanLine.objects.bulk_create(lines)
        LineTarget.objects.bulk_create(LineTarget(line=line, **target) for line in lines for target in targets[line.section_id])
        for name, unit, direction, baseline in (("On-contract spend", "percent", "higher", 90), ("Waivers", "count", "lower", 150), ("Local and SME spend", "percent", "higher", 45)):
            values = [{"period_start": date(y, 4, 1), "actual": Decimal(min(100, baseline + rng.randint(-5, 5)))} for y in plan.years[:2]]
            self._check("KPI", plan_rules.kpi_problems(name=name, frequency="annual", unit=unit, baseline_value=Decimal(baseline), baseline_period=date(year - 1, 4, 1)))
            self._check("KPI values", plan_rules.kpi_value_problems(frequency="annual", unit=unit, values=values))
            kpi = Kpi.objects.create(plan=plan, name=name, kind=Kpi.Kind.QUANTITY, unit=unit, direction=direction, baseline_value=baseline, baseline_period=date(year - 1, 4, 1))
            KpiValue.objects.bulk_create(KpiValue(kpi=kpi, **value) for value in values)

    @staticmethod
    def _check(what, problems):
        if problems:
            raise CommandError(f"A generated {what} breaks a plan rule: {' '.join(problems.values())}")
