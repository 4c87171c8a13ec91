"""Load a framework from its documented YAML form (see docs/framework-format.md).

`framework_load` validates the whole file first and refuses it with a list of
every problem; only a valid file touches the database, in one transaction.
Loading a file that matches what is stored changes nothing.
"""

from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.db.models import ProtectedError

from .levels import LEVELS
from .models import Framework, LevelDescriptor, LevelPrinciple, Objective, Section, Theme

FRAMEWORK_KEYS = {"code", "name", "short_name", "year", "source", "description", "themes", "sections"}
SECTION_KEYS = {"number", "name", "theme", "description", "what_it_is", "why_it_is_important", "source", "sources", "principles", "principles_source", "objectives"}
OBJECTIVE_KEYS = {"number", "name", "description", "what_it_is", "why_it_is_important", "descriptors", "scorable", "source", "sources"}


class FrameworkFileError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadResult:
    framework: Framework
    created: bool = False
    changed: bool = False
    notes: list = field(default_factory=list)


def _text(value):
    return value if isinstance(value, str) else ""


def parse_framework_file(content):
    """YAML text (or bytes) → validated dict, or FrameworkFileError listing every problem."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise FrameworkFileError([f"Not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise FrameworkFileError(["The file must be a YAML mapping with code, name, short_name, year, themes and sections."])
    problems = validate_framework(data)
    if problems:
        raise FrameworkFileError(problems)
    return data


def validate_framework(data):
    problems = []
    for key in sorted(set(data) - FRAMEWORK_KEYS):
        problems.append(f"Unknown key '{key}' at the top level.")
    for key in ("code", "name", "short_name"):
        if not _text(data.get(key)).strip():
            problems.append(f"'{key}' is missing or empty.")
    if not isinstance(data.get("year"), int):
        problems.append("'year' must be a whole number, e.g. 2018.")
    themes = data.get("themes") or []
    if not isinstance(themes, list) or not all(_text(t).strip() for t in themes):
        problems.append("'themes' must be a list of names.")
        themes = []
    elif len(set(themes)) != len(themes):
        problems.append("Theme names must be unique.")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append("'sections' must be a non-empty list.")
        return problems

    section_numbers, objective_numbers = set(), set()
    for s_index, section in enumerate(sections, start=1):
        if not isinstance(section, dict):
            problems.append(f"Section #{s_index} is not a mapping.")
            continue
        where = f"Section {section.get('number', '#' + str(s_index))}"
        problems += _check_entry(section, where, "section", SECTION_KEYS, section_numbers)
        if section.get("theme") is not None and section.get("theme") not in themes:
            problems.append(f"{where}: theme '{section.get('theme')}' is not in 'themes'.")
        principles = section.get("principles")
        if principles is not None and (
            not isinstance(principles, list) or len(principles) != 5 or not all(_text(p).strip() for p in principles)
        ):
            problems.append(f"{where}: 'principles' must list five non-empty texts, one per level.")
        problems += _check_sources(section, where, Section.TEXT_FIELDS)
        objectives = section.get("objectives")
        if objectives is None:
            objectives = []  # a key area the sources name but give no objectives for yet
        if not isinstance(objectives, list):
            problems.append(f"{where}: 'objectives' must be a list (empty for a key area awaiting its text).")
            continue
        for o_index, objective in enumerate(objectives, start=1):
            if not isinstance(objective, dict):
                problems.append(f"{where}, objective #{o_index}: not a mapping.")
                continue
            o_where = f"Objective {objective.get('number', '#' + str(o_index))}"
            problems += _check_entry(objective, o_where, "objective", OBJECTIVE_KEYS, objective_numbers)
            problems += _check_sources(objective, o_where, Objective.TEXT_FIELDS)
            scorable = objective.get("scorable", True)
            if not isinstance(scorable, bool):
                problems.append(f"{o_where}: 'scorable' must be true or false.")
            descriptors = objective.get("descriptors") or []
            complete = isinstance(descriptors, list) and len(descriptors) == 5 and all(_text(d).strip() for d in descriptors)
            if scorable is not False and not complete:
                problems.append(f"{o_where}: needs five non-empty level descriptors (1 Minimum … 5 Innovator), or 'scorable: false'.")
            if scorable is False and descriptors and not complete:
                problems.append(f"{o_where}: give all five descriptors or none.")
    return problems


def _check_entry(entry, where, kind, allowed_keys, seen_numbers):
    """Keys, a unique positive number and a name: what sections and objectives share."""
    problems = [f"{where}: unknown key '{key}'." for key in sorted(set(entry) - allowed_keys)]
    number = entry.get("number")
    if not isinstance(number, int) or number < 1:
        problems.append(f"{where}: 'number' must be a positive whole number.")
    elif number in seen_numbers:
        problems.append(f"{where}: {kind} number {number} is used twice.")
    seen_numbers.add(number)
    if not _text(entry.get("name")).strip():
        problems.append(f"{where}: 'name' is missing or empty.")
    return problems


def _check_sources(entry, where, text_fields):
    """`sources` says where individual texts come from: {text field: 'document, section'}."""
    sources = entry.get("sources")
    if sources is None:
        return []
    if not isinstance(sources, dict):
        return [f"{where}: 'sources' must map text names ({', '.join(text_fields)}) to where each comes from."]
    problems = [f"{where}: 'sources' names '{key}', which is not one of its texts ({', '.join(text_fields)})." for key in sorted(set(sources) - set(text_fields))]
    problems += [f"{where}: the source of '{key}' must be a non-empty text." for key, value in sources.items() if not _text(value).strip()]
    return problems


def framework_as_dict(framework):
    """The stored framework in the file format; the inverse of loading."""
    data = {
        "code": framework.code,
        "name": framework.name,
        "short_name": framework.short_name,
        "year": framework.year,
        "source": framework.source,
        "description": framework.description,
        "themes": [theme.name for theme in framework.themes.all()],
        "sections": [],
    }
    for section in framework.sections_with_objectives():
        entry = {
            "number": section.number,
            "name": section.name,
            "theme": section.theme.name if section.theme else None,
            "description": section.description,
            "what_it_is": section.what_it_is,
            "why_it_is_important": section.why_it_is_important,
            "source": section.source,
        }
        if section.sources:
            entry["sources"] = dict(section.sources)
        if principles := section.principle_texts():
            entry["principles"] = principles
        entry["principles_source"] = section.principles_source
        entry["objectives"] = []
        for objective in section.objectives.all():
            item = {"number": objective.number, "name": objective.name, "description": objective.description}
            if objective.what_it_is:
                item["what_it_is"] = objective.what_it_is
            if objective.why_it_is_important:
                item["why_it_is_important"] = objective.why_it_is_important
            item["descriptors"] = objective.descriptor_texts()
            if not objective.scorable:
                item["scorable"] = False
            if objective.source:
                item["source"] = objective.source
            if objective.sources:
                item["sources"] = dict(objective.sources)
            entry["objectives"].append(item)
        data["sections"].append(entry)
    return data


def _normalise(data):
    """Fill optional keys so a file and the stored copy compare equal."""
    out = {key: data.get(key, "" if key not in ("themes", "sections", "year") else data.get(key)) for key in FRAMEWORK_KEYS}
    out["source"] = data.get("source") or ""
    out["description"] = data.get("description") or ""
    out["sections"] = []
    for section in data["sections"]:
        s = {key: section.get(key) or "" for key in SECTION_KEYS - {"objectives", "principles", "theme", "number", "sources"}}
        s.update(number=section["number"], theme=section.get("theme"), principles=section.get("principles") or [], sources=section.get("sources") or {})
        s["objectives"] = sorted(
            (
                {
                    "number": o["number"],
                    "name": o["name"],
                    "description": o.get("description") or "",
                    "what_it_is": o.get("what_it_is") or "",
                    "why_it_is_important": o.get("why_it_is_important") or "",
                    "descriptors": o.get("descriptors") or [],
                    "scorable": o.get("scorable", True),
                    "source": o.get("source") or "",
                    "sources": o.get("sources") or {},
                }
                for o in section.get("objectives") or []
            ),
            key=lambda o: o["number"],
        )
        out["sections"].append(s)
    out["sections"].sort(key=lambda s: s["number"])
    return out


@transaction.atomic
def framework_load(data):
    """Create or update the framework described by validated `data`."""
    existing = Framework.objects.filter(code=data["code"]).first()
    if existing and _normalise(framework_as_dict(existing)) == _normalise(data):
        return LoadResult(existing, notes=["Already loaded; nothing changed."])

    framework, created = Framework.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "short_name": data["short_name"],
            "year": data["year"],
            "source": data.get("source") or "",
            "description": data.get("description") or "",
        },
    )
    themes = {}
    for order, name in enumerate(data.get("themes") or [], start=1):
        themes[name], _ = Theme.objects.update_or_create(framework=framework, name=name, defaults={"order": order})

    kept_sections, kept_objectives = [], []
    for s in data["sections"]:
        section, _ = Section.objects.update_or_create(
            framework=framework,
            number=s["number"],
            defaults={
                "name": s["name"],
                "theme": themes.get(s.get("theme")),
                "description": s.get("description") or "",
                "what_it_is": s.get("what_it_is") or "",
                "why_it_is_important": s.get("why_it_is_important") or "",
                "source": s.get("source") or "",
                "principles_source": s.get("principles_source") or "",
                "sources": s.get("sources") or {},
            },
        )
        kept_sections.append(section.pk)
        section.principles.exclude(level__in=LEVELS[: len(s.get("principles") or [])]).delete()
        for level, text in zip(LEVELS, s.get("principles") or [], strict=False):
            LevelPrinciple.objects.update_or_create(section=section, level=level, defaults={"text": text})
        for o in s.get("objectives") or []:
            objective, _ = Objective.objects.update_or_create(
                framework=framework,
                number=o["number"],
                defaults={
                    "section": section,
                    "name": o["name"],
                    "description": o.get("description") or "",
                    "what_it_is": o.get("what_it_is") or "",
                    "why_it_is_important": o.get("why_it_is_important") or "",
                    "scorable": o.get("scorable", True),
                    "source": o.get("source") or "",
                    "sources": o.get("sources") or {},
                },
            )
            kept_objectives.append(objective.pk)
            descriptors = o.get("descriptors") or []
            objective.descriptors.exclude(level__in=LEVELS[: len(descriptors)]).delete()
            for level, text in zip(LEVELS, descriptors, strict=False):
                LevelDescriptor.objects.update_or_create(objective=objective, level=level, defaults={"text": text})

    try:
        framework.objectives.exclude(pk__in=kept_objectives).delete()
        framework.sections.exclude(pk__in=kept_sections).delete()
        framework.themes.exclude(name__in=list(themes)).delete()
    except ProtectedError as exc:
        raise FrameworkFileError(
            ["The file drops objectives or sections that assessments already use; keep them in the file."]
        ) from exc
    return LoadResult(framework, created=created, changed=True)


def framework_load_file(path_or_text, *, is_text=False):
    content = path_or_text if is_text else open(path_or_text, encoding="utf-8").read()
    return framework_load(parse_framework_file(content))
