from django.core.management.base import BaseCommand, CommandError

from maturity.levels import Level
from maturity.models import Framework


class Command(BaseCommand):
    help = "Print a framework as a readable outline, to compare with its source by eye."

    def add_arguments(self, parser):
        parser.add_argument("code", help="e.g. nps-2018")
        parser.add_argument("--brief", action="store_true", help="Sections and objective names only.")

    def handle(self, code, brief=False, **options):
        framework = Framework.objects.filter(code=code).first()
        if framework is None:
            known = ", ".join(Framework.objects.values_list("code", flat=True)) or "none loaded"
            raise CommandError(f"No framework '{code}' (known: {known}).")
        out = self.stdout.write
        out(f"{framework.name} ({framework.short_name})")
        out(f"Source: {framework.source}\n")
        theme = None
        for section in framework.sections_with_objectives():
            if section.theme != theme:
                theme = section.theme
                out(f"== {theme.name if theme else 'No theme'} ==")
            out(f"{section.number}. {section.name}")
            if not brief:
                out(_indent(section.description, 3))
                out(_indent(f"What it is: {section.what_it_is}", 3))
                out(_indent(f"Why it is important: {section.why_it_is_important}", 3))
                for level, text in zip(Level, section.principle_texts(), strict=False):
                    out(_indent(f"Principle {level.value} {level.label}: {text}", 3))
            for objective in section.objectives.all():
                flag = "" if objective.scorable else "  [not scorable until its text is loaded]"
                out(f"   {objective.number}. {objective.name}{flag}")
                if brief:
                    continue
                out(_indent(objective.description, 7))
                for level, text in objective.levels_with_descriptors():
                    out(_indent(f"{level.value} {level.label}: {text}", 7))
            out("")


def _indent(text, spaces):
    pad = " " * spaces
    return "\n".join(pad + line for line in (text or "").splitlines())
