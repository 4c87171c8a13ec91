from django.core.management.base import BaseCommand, CommandError

from maturity.loading import FrameworkFileError, framework_load, parse_framework_file


class Command(BaseCommand):
    help = "Validate and load framework files (YAML, see docs/framework-format.md). Loading the same file twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--check", action="store_true", help="Only validate; change nothing.")

    def handle(self, *args, files, check=False, **options):
        for path in files:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = parse_framework_file(handle.read())
                if check:
                    self.stdout.write(f"{path}: valid")
                    continue
                result = framework_load(data)
            except OSError as exc:
                raise CommandError(f"{path}: cannot read: {exc}") from exc
            except FrameworkFileError as exc:
                report = "\n".join(f"  - {problem}" for problem in exc.problems)
                raise CommandError(f"{path}: refused, nothing was changed:\n{report}") from exc
            framework = result.framework
            state = "created" if result.created else ("updated" if result.changed else "unchanged")
            self.stdout.write(
                f"{path}: {framework.short_name} {state} "
                f"({framework.sections.count()} sections, {framework.objectives.count()} objectives)"
            )
