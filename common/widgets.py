"""The form renderer: Django's own, with its plainest widget templates written out in Python.

A plan line's page has about 30 fields: Django renders each widget through its template (and a select through one
more template per option, 59 for the objectives), which took half of that page's time (issue 26: every page p95
≤ 50 ms). `FastRenderer` writes exactly what those templates write, byte for byte, for the widgets whose templates
are plain (inputs, textareas, selects); any other template, including any a project overrides, goes through Django
as before. `tests/test_widgets.py` compares the two outputs widget by widget, with hostile values.
"""

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
INPUTS = {f"{WIDGETS}{name}.html" for name in ("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel", "color", "checkbox", "file")}


def _formatted(value):
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it is marked safe."""
    return conditional_escape(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"` per attribute, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget):
    """django/forms/widgets/input.html."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _textarea(widget):
    """django/forms/widgets/textarea.html."""
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


def _option(option):
    """django/forms/widgets/select_option.html."""
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n'


def _select(widget):
    """django/forms/widgets/select.html, its options included."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != f"{WIDGETS}select_option.html":
                raise _Unknown
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


class _Unknown(Exception):
    """A widget this module does not write: Django's template does."""


def _written_by_django(engine, template_name):
    """Whether the template the renderer's engine finds is Django's own (an installed app may override it)."""
    try:
        origin = engine.engine.find_template(template_name)[1]
    except TemplateDoesNotExist:
        return False
    return "/django/forms/templates/" in str(origin.name).replace("\\", "/")


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with inputs, textareas and selects written directly (see the module)."""

    def __init__(self):
        super().__init__()
        self._plain = {}

    def _writer(self, template_name):
        if template_name not in self._plain:
            writer = _input if template_name in INPUTS else _textarea if template_name == f"{WIDGETS}textarea.html" else _select if template_name == f"{WIDGETS}select.html" else None
            included = {_input: ["input", "attrs"], _textarea: ["attrs"], _select: ["select_option", "attrs"]}.get(writer, [])
            templates = [template_name, *(f"{WIDGETS}{name}.html" for name in included)]
            self._plain[template_name] = writer if writer and all(_written_by_django(self.engine, name) for name in templates) else None
        return self._plain[template_name]

    def render(self, template_name, context, request=None):
        writer = self._writer(template_name)
        if writer is not None and "widget" in context:
            try:
                html = writer(context["widget"])
            except _Unknown:
                pass
            else:
                return mark_safe(html.strip())  # as BaseRenderer.render strips what a template wrote
        return super().render(template_name, context, request)
