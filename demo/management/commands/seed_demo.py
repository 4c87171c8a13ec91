import csv
import os
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplans.models import DeliveryConsideration, Kpi, KpiValue, LineTarget
from actionplans.services import plan_create
from assessments.services import Door, assessment_start, assessment_submit, score_write
from councils.models import Council, Directorate, Membership
from maturity.loading import framework_load_file
from maturity.models import Framework
from maturity.rules import parse_level

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DIRECTORATES = ["Adults & Health", "Children & Families", "Place", "Corporate Services"]


class Command(BaseCommand):
    help = "Load both NPS frameworks and a demo council with users for each role (idempotent). Development only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (the demo users share a published password).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates users with a published password, including a superuser; it runs only with DEBUG=1 (or --force).")
        for name in ("nps-2018.yaml", "nps-2022.yaml"):
            result = framework_load_file(FIXTURES / name)
            self.stdout.write(f"{result.framework.short_name}: {'loaded' if result.changed else 'already loaded'}")
        password = os.environ.get("DEMO_PASSWORD", "nps-demo-2026")
        with transaction.atomic():
            demo = self._council("Demo Borough Council", "demo", Council.Kind.UNITARY, Council.Region.SOUTH_EAST)
            other = self._council("Other District Council", "other", Council.Kind.DISTRICT, Council.Region.EAST)
            users = [
                self._user("officer", "Olivia", "Officer", demo, Membership.Role.OFFICER, password),
                self._user("head", "Harun", "Head", demo, Membership.Role.HEAD, password),
                self._user("councillor", "Cara", "Councillor", demo, Membership.Role.COUNCILLOR, password),
                self._user("other-officer", "Omar", "Other", other, Membership.Role.OFFICER, password),
                self._user("admin", "Site", "Admin", None, None, password, staff=True),
            ]
            self._history(demo, users[1])
            self._plan(demo, users[1])
            users.append(self._rater(demo, users[1], password))
        self.stdout.write(f"\nDemo users (password: {password}):")
        for user in users:
            role = user.membership.get_role_display() + ", " + str(user.membership.council) if hasattr(user, "membership") else "site staff"
            self.stdout.write(f"  {user.username:<14} {role}")

    def _council(self, name, slug, kind, region):
        council, created = Council.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "region": region})
        if created:
            Directorate.objects.bulk_create(Directorate(council=council, name=n, order=i) for i, n in enumerate(DIRECTORATES))
        return council

    def _user(self, username, first, last, council, role, password, staff=False):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"})
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = staff
            user.save()
            if council:
                Membership.objects.create(user=user, council=council, role=role)
        return user

    def _history(self, council, head):
        """2022 and 2023 submitted with Medway's published scores; 2024 a draft carried forward."""
        framework = Framework.objects.get(code="nps-2018")
        if council.assessments.exists():
            return
        with open(FIXTURES / "demo-scores.csv", encoding="utf-8") as handle:
            rows = {int(row["number"]): row for row in csv.DictReader(handle)}
        for year in (2022, 2023):
            assessment = assessment_start(council_id=council.pk, framework_id=framework.pk, year=year, user=head, carry_forward=False)
            # Medway's published sheet, read as the importer reads it ("2/3" is level 2 working towards 3).
            for score in assessment.scores.select_related("objective"):
                row = rows[score.objective.number]
                level, working_towards = parse_level(row[f"score_{year}"])
                score_write(
                    score_id=score.pk, user=head, door=Door.IMPORT, version=score.version, level=level, working_towards=working_towards,
                    comment=row[f"comment_{year}"], source_text=row[f"score_{year}"],
                )
            assessment_submit(assessment_id=assessment.pk, user=head)
        assessment_start(council_id=council.pk, framework_id=framework.pk, year=2024, user=head, carry_forward=True)

    def _plan(self, council, head):
        """A 2024–2026 plan from the 2023 levels, Leeds' KPIs and Cambridgeshire & Peterborough's delivery considerations."""
        if council.action_plans.exists():
            return
        framework = Framework.objects.get(code="nps-2018")
        plan = plan_create(council_id=council.pk, framework_id=framework.pk, title="Procurement improvement plan", start_year=2024, end_year=2026, user=head)
        for line in plan.lines.select_related("section"):
            if line.current_level is None:
                continue
            climb = [min(5, line.current_level + step) for step in (0, 1, 1)]
            for year, level in zip(plan.years, climb, strict=True):
                LineTarget.objects.create(line=line, year=year, level=level, narrative=f"Actions from the {year} annual review for {line.section.name.lower()}.")
            line.owner = "Head of Procurement"
            line.save()
        for text in ("Internal resource to manage and monitor delivery against these actions", "External support to aid in developing processes and templates", "A commitment from stakeholders to feed into the design of these processes"):
            DeliveryConsideration.objects.create(plan=plan, description=text, owner="Head of Procurement")
        annual = "annual"
        leeds = [
            ("Delivery of budget savings through procurement", Kpi.Unit.POUNDS, Kpi.Direction.HIGHER, "185000", 2019, []),
            ("Waivers of contract procedure rules", Kpi.Unit.COUNT, Kpi.Direction.LOWER, "189", 2018, [(2019, "171"), (2020, "180")]),
            ("On-contract spend", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER, "96.6", 2018, [(2019, "97.1"), (2020, "97.4")]),
            ("Spend with local suppliers and SMEs", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER, "51.97", 2018, [(2019, "52.4"), (2020, "51.2")]),
        ]
        for name, unit, direction, baseline, year, actuals in leeds:
            kpi = Kpi.objects.create(plan=plan, name=name, kind=Kpi.Kind.QUANTITY, frequency=annual, unit=unit, direction=direction, baseline_value=baseline, baseline_period=date(year, 4, 1))
            for period, actual in actuals:
                KpiValue.objects.create(kpi=kpi, period_start=date(period, 4, 1), actual=actual)

    def _rater(self, council, head, password):
        """A commissioner invited to rate key area 1 of the 2024 draft independently."""
        from ratings.models import Invitation

        user = self._user("rater", "Rita", "Rater", council, Membership.Role.RATER, password)
        draft = council.assessments.filter(status="draft").order_by("-year").first()
        if draft and not Invitation.objects.filter(assessment=draft, rater=user).exists():
            invitation = Invitation.objects.create(assessment=draft, rater=user, role_label="Commissioner", directorate=council.directorates.first(), invited_by=head)
            invitation.objectives.set(draft.framework.objectives.filter(section__number=1))
        return user
