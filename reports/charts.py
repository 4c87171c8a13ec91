"""Plotly figures for the dashboards, drawn from chartdata's numbers.

Figures are plain dicts in Plotly's JSON schema: plotly.graph_objects validates every property as it is set,
which cost more than the rest of the dashboard together. tests/test_dashboards.py feeds each figure to
plotly.graph_objects.Figure, so the schema is still checked, once, in the tests. plotly.js (served locally) draws them.
"""

from maturity.levels import Level

from .chartdata import LEVEL_COLOURS, LEVEL_KEYS

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif", "size": 13, "color": "#212529"}
CONFIG = {"displayModeBar": False, "responsive": True, "topojsonURL": "/static/vendor/plotly/topojson/"}  # no toolbar: its buttons would nest controls inside the role="img" chart
LEVEL_AXIS = {"range": [0, 5.5], "tickvals": Level.values, "ticktext": [f"{v} {Level(v).label}" for v in Level.values], "title": {"text": "Level"}}
OUTLINE = {"color": "#495057", "width": 1}


def _axis(extra=None):
    return {"automargin": True, "gridcolor": "#e9ecef", **(extra or {})}


def _figure(data, height, *, xaxis=None, yaxis=None, legend=None, showlegend=True, **layout):
    # Legends go below the plot, across: on a phone a legend beside or over the plot would cover it.
    legend = legend or {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "xanchor": "left"}
    bottom = 70 if showlegend else 10
    return {
        "data": data,
        "layout": {
            "height": height + bottom, "margin": {"l": 10, "r": 10, "t": 10, "b": bottom}, "font": FONT,
            "plot_bgcolor": "#fff", "paper_bgcolor": "#fff", "showlegend": showlegend, "legend": legend,
            "xaxis": _axis(xaxis), "yaxis": _axis(yaxis), **layout,
        },
    }


def _title(text):
    return {"title": {"text": text}}


def overall_distribution(summary):
    labels = [Level.label_of(level) for level in LEVEL_KEYS]
    counts = [summary["overall"][level] for level in LEVEL_KEYS]
    bar = {
        "type": "bar", "x": labels, "y": counts, "text": counts, "textposition": "outside", "cliponaxis": False,
        "marker": {"color": [LEVEL_COLOURS[level] for level in LEVEL_KEYS], "line": OUTLINE},
        "hovertemplate": "%{x}: %{y} objectives<extra></extra>",
    }
    return _figure([bar], 320, yaxis=_title("Objectives"), showlegend=False)


def short_name(number, name, limit=26):
    """'10. Engaging VCSEs (voluntary…' : key-area labels that leave room for the plot on a phone; the full name is on hover."""
    text = f"{number}. {name}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def section_distributions(summary):
    sections = list(reversed(summary["sections"]))
    names = [short_name(s["number"], s["name"]) for s in sections]
    data = [
        {
            "type": "bar", "orientation": "h", "name": Level.label_of(level), "y": names, "x": [s["counts"][level] for s in sections],
            "marker": {"color": LEVEL_COLOURS[level], "line": OUTLINE},
            "customdata": [f"{s['number']}. {s['name']}" for s in sections],
            "hovertemplate": "%{customdata}: %{x} at " + Level.label_of(level) + "<extra></extra>",
        }
        for level in LEVEL_KEYS
    ]
    return _figure(data, 60 + 34 * len(sections), barmode="stack", xaxis=_title("Objectives"))


def scores_by_objective(summary):
    """Objectives in order, grouped by key area: one tick per key area where it starts, alternate key areas shaded;
    each objective's number and name on hover. 59 numbered ticks ran together."""
    rows = summary["objectives"]
    starts, shapes, previous = [], [], None
    for index, r in enumerate(rows):
        if r["section_number"] != previous:
            starts.append((index, r["section_number"]))
            previous = r["section_number"]
    for k, (index, _) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(rows)
        if k % 2:
            shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": index - 0.5, "x1": end - 0.5, "y0": 0, "y1": 1, "fillcolor": "#f1f3f5", "line": {"width": 0}, "layer": "below"})
    bar = {
        "type": "bar", "x": list(range(len(rows))), "y": [r["level"] or 0 for r in rows],
        "marker": {"color": [LEVEL_COLOURS[r["level"]] for r in rows], "line": {"color": "#495057", "width": 0.5}},
        "customdata": [[r["number"], r["name"], Level.label_of(r["level"]), r["section"]] for r in rows],
        "hovertemplate": "Objective %{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}<br>Key area: %{customdata[3]}<extra></extra>",
    }
    xaxis = {**_title("Key area (objectives in order)"), "tickmode": "array", "tickvals": [index for index, _ in starts], "ticktext": [str(number) for _, number in starts], "tickangle": 0, "range": [-0.5, len(rows) - 0.5]}
    return _figure([bar], 300, xaxis=xaxis, yaxis=LEVEL_AXIS, showlegend=False, shapes=shapes)


def key_area_profile(profile):
    """Assessed, current and target per key area, drawn so none hides another where they coincide: a large filled
    circle, a larger open square around it, a small diamond on top; each also differs in shape, not only colour."""
    areas = profile["areas"]
    names = [short_name(a["number"], a["name"]) for a in areas]
    data = [
        {"type": "scatter", "mode": "markers", "name": label, "y": names, "x": [a[key] for a in areas], "marker": {"symbol": symbol, "size": size, "color": colour, "line": {"width": 2, "color": colour}}}
        for key, label, symbol, colour, size in (
            ("assessed", "Latest assessed", "circle", "#2a788e", 14),
            ("current", "Plan's current", "square-open", "#212529", 22),
            ("target", "Target", "diamond", "#b5179e", 10),
        )
    ]
    return _figure(data, 60 + 34 * len(areas), xaxis=LEVEL_AXIS, yaxis={"autorange": "reversed"})


def _number(value):
    return float(value) if value is not None else None


def kpi_trend(trend):
    kpi, rows = trend["kpi"], trend["rows"]
    labels = [r["label"] for r in rows]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": "Actual", "x": labels, "y": [_number(r["value"].actual) for r in rows], "marker": {"color": "#2a788e"}},
        {"type": "scatter", "mode": "markers", "name": "Target (or the value to beat)", "x": labels, "y": [_number(r["target_value"]) for r in rows], "marker": {"symbol": "diamond-open", "size": 12, "color": "#b5179e", "line": {"width": 2}}},
    ]
    layout = {}
    if kpi.baseline_value is not None:
        baseline = float(kpi.baseline_value)
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": baseline, "y1": baseline, "line": {"dash": "dot", "color": "#6c757d"}}]
        layout["annotations"] = [{"xref": "paper", "x": 1, "y": baseline, "text": "Baseline", "showarrow": False, "xanchor": "right", "yanchor": "bottom"}]
    return _figure(data, 240, xaxis={"type": "category"}, yaxis=_title(kpi.get_unit_display()), **layout)


def benchmark_spread(rows, title="Key area"):
    """Interquartile range as a bar from Q1 to Q3, the median as a line mark, this council as a diamond."""
    rows = [r for r in rows if r["spread"]]
    names = [f"{r['number']}. {r['name']}" for r in rows]
    data = [
        {
            "type": "bar", "orientation": "h", "name": "Middle half of councils (Q1–Q3)", "y": names,
            "base": [r["spread"]["q1"] for r in rows], "x": [max(r["spread"]["q3"] - r["spread"]["q1"], 0.05) for r in rows],
            "marker": {"color": "#cfe2ff", "line": {"color": "#6c757d", "width": 1}}, "hovertemplate": "%{y}: Q1 %{base}<extra></extra>",
        },
        {"type": "scatter", "mode": "markers", "name": "Median", "y": names, "x": [r["spread"]["median"] for r in rows], "marker": {"symbol": "line-ns-open", "size": 18, "color": "#212529", "line": {"width": 3}}},
    ]
    if any(r["own"] is not None for r in rows):
        data.append({"type": "scatter", "mode": "markers", "name": "Your council", "y": names, "x": [r["own"] for r in rows], "marker": {"symbol": "diamond", "size": 12, "color": "#b5179e"}})
    return _figure(data, 60 + 34 * len(rows), xaxis=LEVEL_AXIS, yaxis={"autorange": "reversed", **_title(title)})


def as_json(fig):
    return {**fig, "config": CONFIG}


# Text alternatives: what each chart shows, in a sentence or two.


def _count_phrase(counts):
    parts = [f"{count} at {Level.label_of(level)}" for level, count in counts.items() if count]
    return ", ".join(parts) if parts else "nothing scored"


def captions(summary, history=None, profile=None):
    weakest = "; ".join(f"{s['number']}. {s['name']}: {Level.label_of(s['weakest']) if s['weakest'] else 'unscored'}" for s in summary["sections"])
    by_level = "; ".join(
        f"{Level.label_of(level)}: {', '.join(str(r['number']) for r in rows)}" for level, rows in summary["by_level"].items() if rows
    )
    result = {
        "overall": f"Of {summary['total']} objectives: {_count_phrase(summary['overall'])}.",
        "sections": f"Objectives per level in each key area. Weakest level per key area: {weakest}.",
        "objectives": f"Objective numbers at each level. {by_level}.",
    }
    if history is not None:
        years = history["years"]
        span = f"{years[0]} to {years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no years")
        changes = "; ".join(
            f"{s['name']}: " + " → ".join(str(s["weakest"].get(y, "–")) for y in years) for s in history["sections"]
        )
        result["history"] = f"Weakest level per key area, {span}. {changes}."
    if profile is not None:
        result["profile"] = "; ".join(
            f"{a['name']}: assessed {a['assessed'] or '–'}, current {a['current'] or '–'}, target {a['target'] or '–'}" for a in profile["areas"]
        ) + "."
    return result


def kpi_caption(trend):
    kpi = trend["kpi"]
    points = "; ".join(f"{r['label']}: actual {kpi.format_value(r['value'].actual)}, target {r['target_text']}, {r['status'].replace('_', ' ')}" for r in trend["rows"])
    return f"{kpi.name}, baseline {kpi.baseline_label}. {points}."
