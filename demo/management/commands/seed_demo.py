import csv
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actionplans.models import (
    ActionPlan,
    Kpi,
    WorkStatus,
)
from actionplans.services import Door as PlanDoor
from actionplans.services import kpi_write, line_write, plan_create, plan_item_write, plan_publish
from assessments.models import Assessment
from assessments.services import Door, assessment_start, assessment_submit, score_write
from councils.models import Council, Directorate, Membership
from maturity.loading import framework_load_file
from maturity.models import Framework
from maturity.rules import parse_level

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DIRECTORATES = ["Adults & Health", "Children & Families", "Place", "Corporate Services"]

# The demo plan's actions are Cambridgeshire & Peterborough Combined Authority's own (seed 004, §3.5–3.8), by key area.
DEMO_ACTIONS = {
    1: {2024: "Establish a set protocol for engaging with councillors with the aim of their input adding value/ improving the outcome of the procurement",
        2025: "Increase engagement levels across all procurements based on an objective criterion and include a post award mechanism for monitoring the benefits of engagement"},
    2: {2024: "Establish a Gateway Process which is managed through a procurement committee made up of senior managers across various considerations, e.g., financial, legal",
        2025: "Review Gateway process and introduce a lesson's learned protocol that links back to the Gateway process so as to measure the benefits of the process and allow process improvements"},
    3: {2024: "Communicate the Authority's commitment to a shift from silo working and a culture of 'one team' both within the Authority and where appropriate, working with partner Authorities"},
    5: {2024: "Establish a policy/ guidance and embed this requirement within the Gateway process, a requirement for all relevant procurements to undertake an option appraisal that considers commercial, social and risk factors"},
    6: {2024: "Create a formal process for capturing savings and reporting benefits committed and subsequently delivered from all strategic contracts",
        2025: "Savings capture from contracts and benefits realisation is applied uniformly across the organisation and reported quarterly to councillors/ CA Board."},
}
DEMO_OUTSIDE = [
    (
        "Resourcing levels (Procurement operating model)",
        "Current team\n1 No FTE Procurement & Contracts Manager\n1 No FTE Procurement Officer\n1 No FTE Procurement Assistant",
        {
            2024: "Proposed team\nAddition to the team of\n1 no FTE Contracts Manager\nAn additional 2 no FTE Procurement Officer\nAccess to external support to facilitate delivery against the 2024",
            2025: "Proposed team\nTeam structure review in consideration of progress against the below action plan activities and overall strategy",
        },
    ),
    (
        "Gateway Process (Improve procurement scrutiny)",
        "No current process in place",
        {2024: "Design and implement a gateway process that covers the various stages of a procurement with the application being based on value, risk, political interest, or another identified requirement."},
    ),
]
DEMO_HOLD = {4, 7, 10}  # achieved
DEMO_LATE = {3, 6}  # overdue
DEMO_OWNERS = {1: "Democratic Services Manager", 2: "Chief Finance Officer", 3: "Head of Procurement", 5: "Commercial Manager", 6: "Contract Manager"}
DEMO_PROGRESS = {
    1: "Protocol drafted and shared with group leaders; briefing for Cabinet members booked.",
    2: "Gateway terms of reference agreed; first two procurements taken through it.",
    3: "Joint category plan with two neighbouring councils under discussion; 'one team' message not yet communicated.",
    6: "Savings tracker in use for 6 of 14 strategic contracts; quarterly reporting not yet started.",
}


DEMO_TOTP_SECRET = "NPSDEMOHEADSECRETNPSDEMOHEADSECR"  # base32; published in README, development only


class Command(BaseCommand):
    help = "Load both NPS frameworks and a demo council with users for each role (idempotent). Development only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (the demo users share a published password).")
        parser.add_argument("--reset", action="store_true", help="Delete the demo councils' assessments, plans and invitations first, and build them again.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates users with a published password, including a superuser; it runs only with DEBUG=1 (or --force).")
        for name in ("nps-2018.yaml", "nps-2022.yaml"):
            result = framework_load_file(FIXTURES / name)
            self.stdout.write(f"{result.framework.short_name}: {'loaded' if result.changed else 'already loaded'}")
        password = os.environ.get("DEMO_PASSWORD", "nps-demo-2026")
        with transaction.atomic():
            if options["reset"]:
                self._reset()
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
            for user in (users[1], users[4]):  # the head and site staff must sign in with a second factor
                self._authenticator(user)
        self.stdout.write(f"\nDemo users (password: {password}):")
        for user in users:
            role = user.membership.get_role_display() + ", " + str(user.membership.council) if hasattr(user, "membership") else "site staff"
            self.stdout.write(f"  {user.username:<14} {role}")
        self.stdout.write(f"head and admin also need a code from an authenticator app holding the demo secret {DEMO_TOTP_SECRET}")
        self.stdout.write("(or print the current one with: DEBUG=1 .venv/bin/python manage.py demo_code)")

    def _reset(self):
        from ratings.models import Invitation

        councils = Council.objects.filter(slug__in=["demo", "other"])
        Invitation.objects.filter(assessment__council__in=councils).delete()
        for plan in ActionPlan.objects.filter(council__in=councils):
            plan.kpis.all().delete()
            plan.considerations.all().delete()
            plan.lines.all().delete()
            plan.delete()
        for assessment in Assessment.objects.filter(council__in=councils):
            assessment.scores.all().delete()
            assessment.delete()
        self.stdout.write("Reset the demo councils' assessments, plans and invitations.")

    def _council(self, name, slug, kind, region):
        council, created = Council.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "region": region})
        if created:
            Directorate.objects.bulk_create(Directorate(council=council, name=n, order=i) for i, n in enumerate(DIRECTORATES))
        return council

    def _authenticator(self, user):
        """The demo's published authenticator secret (development only, like the password), so a newcomer can sign
        in as the head or site staff: `manage.py demo_code` prints the current code."""
        from allauth.mfa.models import Authenticator
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
        from allauth.mfa.totp.internal.auth import TOTP

        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)

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
                    score_id=score.pk, user=head, door=Door.DEMO, version=score.version, level=level, working_towards=working_towards,
                    comment=row[f"comment_{year}"], source_text=row[f"score_{year}"],
                )
            assessment_submit(assessment_id=assessment.pk, user=head)
            # Signed off in its own year (Medway's updates were taken to committee each November), not the day the demo was built.
            signed = timezone.make_aware(datetime(year, 11, 15, 10, 30))
            Assessment.objects.filter(pk=assessment.pk).update(submitted_at=signed, created_at=timezone.make_aware(datetime(year, 9, 1, 9, 0)))
            assessment.events.update(at=signed)
        assessment_start(council_id=council.pk, framework_id=framework.pk, year=2024, user=head, carry_forward=True)

    def _plan(self, council, head):
        """A 2024–2026 plan from the 2023 levels, Leeds' KPIs and Cambridgeshire & Peterborough's delivery considerations."""
        if council.action_plans.exists():
            return
        framework = Framework.objects.get(code="nps-2018")
        plan = plan_create(
            council_id=council.pk, framework_id=framework.pk, title="Procurement improvement plan", start_year=2024, end_year=2026, user=head, line_per_key_area=True, door=PlanDoor.DEMO,
        )
        today = timezone.localdate()
        for line in plan.lines.select_related("section"):
            if line.current_level is None:
                continue
            number, level = line.section.number, line.current_level
            if number in DEMO_HOLD:  # already where the council wants it: achieved
                climb, status, due = [level, level, level], WorkStatus.DONE, date(2025, 3, 31)
            elif number in DEMO_LATE:  # the 2025 step was not reached by the last assessment: overdue
                climb, status, due = [level, min(5, level + 1), min(5, level + 1)], WorkStatus.IN_PROGRESS, date(today.year, 3, 31)
            else:  # holding this year, one level up by the end of the plan: on track
                climb, status, due = [level, level, min(5, level + 1)], WorkStatus.IN_PROGRESS, date(today.year + 1, 3, 31)
            actions = DEMO_ACTIONS.get(number, {})
            line_write(
                plan_id=plan.pk, user=head, door=PlanDoor.DEMO, line_id=line.pk, section_id=line.section_id, current_level=level,
                owner=DEMO_OWNERS.get(number, "Head of Procurement"), status=status, due_date=due, progress_notes=DEMO_PROGRESS.get(number, ""),
                targets=[{"year": year, "level": target, "narrative": actions.get(year, "")} for year, target in zip(plan.years, climb, strict=True)],
            )
        for text in ("Internal resource to manage and monitor delivery against these actions", "External support to aid in developing processes and templates", "A commitment from stakeholders to feed into the design of these processes"):
            plan_item_write(plan_id=plan.pk, user=head, door=PlanDoor.DEMO, kind="consideration", values={"description": text, "owner": "Head of Procurement"})
        # Two areas outside the framework, in Cambridgeshire & Peterborough's words (seed 004, §3.3 and §3.7).
        for title, current, targets in DEMO_OUTSIDE:
            line_write(
                plan_id=plan.pk, user=head, door=PlanDoor.DEMO, section_id=None, title=title, current_text=current, owner="Head of Procurement", status=WorkStatus.IN_PROGRESS,
                targets=[{"year": year, "level": None, "narrative": text} for year, text in targets.items()],
            )
        # The plan-wide goal as Cambridgeshire & Peterborough wrote theirs (seed 004, §2.4 (d) and (e)).
        plan_item_write(plan_id=plan.pk, user=head, door=PlanDoor.DEMO, kind="goal", values={
            "text": "Over the next two years the aim is to increase the authority's maturity level to between Developing to Mature (2-3)",
            "level_from": 2, "level_to": 3, "review_date": date(2024, 12, 31),
        })
        # Leeds' four numeric KPIs (seed 001), with baselines as Leeds wrote them and periods inside this plan.
        leeds = [
            ("Delivery of budget savings through procurement", Kpi.Unit.POUNDS, Kpi.Direction.HIGHER, "185000", 2023, [(2024, "190000", "212500"), (2025, "200000", None)]),
            ("Waivers of contract procedure rules", Kpi.Unit.COUNT, Kpi.Direction.LOWER, "189", 2023, [(2024, None, "171"), (2025, None, "180")]),
            ("On-contract spend", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER, "96.6", 2023, [(2024, None, "97.1"), (2025, None, "97.4")]),
            ("Spend with local suppliers and SMEs", Kpi.Unit.PERCENT, Kpi.Direction.HIGHER, "51.97", 2023, [(2024, None, "52.4"), (2025, None, "51.2")]),
        ]
        number = lambda text: Decimal(text) if text is not None else None  # noqa: E731
        for name, unit, direction, baseline, year, values in leeds:
            kpi_write(
                plan_id=plan.pk, user=head, door=PlanDoor.DEMO, name=name, kind=Kpi.Kind.QUANTITY, frequency="annual", unit=unit, direction=direction,
                baseline_value=Decimal(baseline), baseline_period=date(year, 4, 1),
                values=[{"period_start": date(period, 4, 1), "target": number(target), "actual": number(actual)} for period, target, actual in values],
            )
        # Agreed at the committee that signed off 2023 (15 November 2023), published two weeks before it.
        plan_publish(plan_id=plan.pk, user=head, door=PlanDoor.DEMO, at=timezone.make_aware(datetime(2023, 11, 1, 9, 0)))

    def _rater(self, council, head, password):
        """A commissioner invited to rate key area 1 of the 2024 draft independently."""
        from ratings.models import Invitation

        user = self._user("rater", "Rita", "Rater", council, Membership.Role.RATER, password)
        draft = council.assessments.filter(status="draft").order_by("-year").first()
        if draft and not Invitation.objects.filter(assessment=draft, rater=user).exists():
            invitation = Invitation.objects.create(assessment=draft, rater=user, role_label="Commissioner", directorate=council.directorates.first(), invited_by=head)
            invitation.objectives.set(draft.framework.objectives.filter(section__number=1))
        return user
