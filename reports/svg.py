"""The summary charts as SVG for the PDF report (WeasyPrint runs no JavaScript), from the same chart data as the dashboards."""

import base64

from django.utils.html import escape, format_html

from maturity.levels import Level

from .chartdata import LEVEL_COLOURS, LEVEL_KEYS, LEVEL_TEXT_COLOURS

FONT = 'font-family="Report Sans, DejaVu Sans, Arial, sans-serif"'  # the report's embedded @font-face; on a page, the browser's sans


def _svg(width, height, body, label):
    """The chart as an <img> of SVG with `label` as its alternative text: in the tagged PDF it becomes a Figure whose
    /Alt states what the chart shows (an inline <svg> would be tagged with no alternative text)."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" {FONT}>'
        + "".join(body)
        + "</svg>"
    )
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return format_html('<img class="chart" src="{}" width="{}" height="{}" alt="{}">', source, width, height, label)


def overall_distribution(summary, width=340, height=210):
    """Objectives per level, including unscored: one bar each."""
    counts = [summary["overall"][level] for level in LEVEL_KEYS]
    top = max(max(counts), 1)
    left, bottom, plot_h = 30, 40, height - 60
    slot = (width - left - 10) / len(LEVEL_KEYS)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#495057" stroke-width="1"/>']
    for i, (level, count) in enumerate(zip(LEVEL_KEYS, counts, strict=True)):
        h = plot_h * count / top
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{LEVEL_COLOURS[level]}" stroke="#495057" stroke-width="0.6"/>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{count}</text>')
        number, name = ("", "Unscored") if level is None else (str(level), Level.label_of(level).split(" ", 1)[1])
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 12}" font-size="9" text-anchor="middle">{number}</text>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 23}" font-size="8" text-anchor="middle">{escape(name)}</text>')
    body.append(f'<text x="10" y="{(height - bottom) / 2 + 10:.0f}" font-size="9" transform="rotate(-90 10 {(height - bottom) / 2 + 10:.0f})" text-anchor="middle">Objectives</text>')
    return _svg(width, height, body, f"Overall score distribution: {', '.join(f'{c} at {Level.label_of(lv)}' for lv, c in zip(LEVEL_KEYS, counts, strict=True))}")


def section_distributions(summary, width=480, row=20):
    """One stacked bar per key area: its objectives by level."""
    sections = summary["sections"]
    label_w, height = 200, row * len(sections) + 30
    most = max((sum(s["counts"].values()) for s in sections), default=1) or 1
    scale = (width - label_w - 20) / most
    body = []
    for i, section in enumerate(sections):
        y = 5 + i * row
        name = f"{section['number']}. {section['name']}"
        body.append(f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" font-size="9" text-anchor="end">{escape(name[:42] + ("…" if len(name) > 42 else ""))}</text>')
        x = label_w
        for level in LEVEL_KEYS:
            count = section["counts"][level]
            if not count:
                continue
            w = count * scale
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{LEVEL_COLOURS[level]}" stroke="#495057" stroke-width="0.5"/>')
            body.append(f'<text x="{x + w / 2:.1f}" y="{y + row * 0.62:.1f}" font-size="8" text-anchor="middle" fill="{LEVEL_TEXT_COLOURS[level]}">{count}</text>')
            x += w
    body.append(f'<line x1="{label_w}" y1="3" x2="{label_w}" y2="{height - 25}" stroke="#495057" stroke-width="1"/>')
    body.append(f'<text x="{label_w + (width - label_w) / 2:.0f}" y="{height - 8}" font-size="9" text-anchor="middle">Objectives at each level</text>')
    return _svg(width, height, body, "Section score distributions: objectives per level in each key area")


def scores_by_objective(summary, width=700, height=170):
    """Each objective's level as a bar, so one sees which objectives sit at each level."""
    rows = summary["objectives"]
    left, bottom, plot_h = 62, 22, height - 32
    slot = (width - left - 5) / max(len(rows), 1)
    body = []
    for level in range(1, 6):
        y = height - bottom - plot_h * level / 5
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 5}" y2="{y:.1f}" stroke="#dee2e6" stroke-width="0.6"/>')
        body.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end">{escape(Level.label_of(level))}</text>')
    for i, row in enumerate(rows):
        level = row["level"] or 0
        h = plot_h * level / 5
        x = left + i * slot
        body.append(f'<rect x="{x + slot * 0.12:.1f}" y="{height - bottom - h:.1f}" width="{slot * 0.76:.1f}" height="{h:.1f}" fill="{LEVEL_COLOURS[row["level"]]}" stroke="#495057" stroke-width="0.3"/>')
        body.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 10}" font-size="6.5" text-anchor="middle">{row["number"]}</text>')
    body.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#495057" stroke-width="1"/>')
    return _svg(width, height, body, "Scores by objective: each objective's level")
