"""The full draft PDF against WeasyPrint alone on the plain descriptor-table document, measured in one run (issue #17).

    DEBUG=1 .venv/bin/python manage.py seed_demo              # or any database with the demo council
    .venv/bin/python bench/pdf.py [--runs 5] [--write docs/benchmarks.md]

Floor: WeasyPrint laying out a plain HTML document of the framework's 59 objectives, each with its five level
descriptors in a table (no stylesheet of ours, the same fonts WeasyPrint finds on the machine). Measured: the full
draft report exactly as a worker makes it (`reports.pdf.render_report`: gather, draw charts, lay out, keep), not
from the cache. Target: full ≤ 1.2 × floor. Both are timed alternately in the same process, so a busy machine slows
both alike. The report lays out with Python's cycle collector paused (`reports.pdf.collector_paused`); the floor is also
timed with the same pause, so the table shows what that pause alone is worth.

On a shared machine one run can take 40 % longer than the next for the same work, and the slowdowns come in spells.
Each round times the floor and the report back to back, so the round's own ratio (report ÷ floor) is measured under
one spell; the table gives the median of those ratios beside the ratio of the two medians, and the spread of the rounds'
ratios, so a reader can see how much the machine moved. The verdict takes the median of the rounds' ratios.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.utils.html import escape  # noqa: E402
from weasyprint import HTML  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from reports.pdf import collector_paused, render_report  # noqa: E402

TARGET = 1.2


def plain_document(framework):
    """The floor's document: every objective with its five descriptors, as plain as HTML gets."""
    parts = [f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(framework.name)}</title></head><body><h1>{escape(framework.name)}</h1>"]
    for section in framework.sections_with_objectives():
        parts.append(f"<h2>{section.number}. {escape(section.name)}</h2>")
        for objective in section.objectives.all():
            cells = "".join(f"<td>{escape(text)}</td>" for text in objective.descriptor_texts())
            heads = "".join(f"<th>{level.value} {level.label}</th>" for level, _ in objective.levels_with_descriptors())
            parts.append(f"<h3>{objective.number}. {escape(objective.name)}</h3><p>{escape(objective.description)}</p><table border='1'><tr>{heads}</tr><tr>{cells}</tr></table>")
    parts.append("</body></html>")
    return "".join(parts)


def measure(runs):
    assessment = Assessment.objects.filter(status=Assessment.Status.DRAFT, council__slug="demo").select_related("framework", "council").order_by("-year").first()
    if assessment is None:
        sys.exit("No demo draft assessment: run `DEBUG=1 .venv/bin/python manage.py seed_demo` first.")
    plain = plain_document(assessment.framework)
    floor, paused, full = [], [], []
    HTML(string=plain).write_pdf()  # warm both (fonts, imports)
    render_report(assessment, "full")
    for _ in range(runs):
        start = time.perf_counter()
        HTML(string=plain).write_pdf()
        floor.append(time.perf_counter() - start)
        start = time.perf_counter()
        with collector_paused():  # the floor given the same treatment as the report, shown beside it for fairness
            HTML(string=plain).write_pdf()
        paused.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_report(assessment, "full")
        full.append(time.perf_counter() - start)
    rounds = sorted(f / b for f, b in zip(full, floor, strict=True))
    return assessment, statistics.median(floor), statistics.median(paused), statistics.median(full), rounds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", help="append the result to this Markdown file")
    args = parser.parse_args()
    assessment, floor, paused, full, rounds = measure(args.runs)
    ratio = statistics.median(rounds)
    lines = [
        f"### PDF {datetime.now():%Y-%m-%d %H:%M} — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        f"{assessment.council} {assessment.framework} {assessment.year} draft, full edition; median of {args.runs} runs, alternating.",
        "",
        "| document | median s | ratio |",
        "|---|---:|---:|",
        f"| Floor: WeasyPrint alone, plain descriptor-table document | {floor:.2f} | 1.00× |",
        f"| Floor with the cycle collector paused, as the report runs | {paused:.2f} | {paused / floor:.2f}× |",
        f"| Full draft report (render_report, not cached) | {full:.2f} | {full / floor:.2f}× the floor's median; {full / paused:.2f}× the paused floor |",
        "",
        f"Median of the {len(rounds)} rounds' own ratios (report ÷ floor timed back to back): **{ratio:.2f}×** (target ≤ {TARGET}×); "
        f"the rounds ranged from {rounds[0]:.2f}× to {rounds[-1]:.2f}×.",
        "",
    ]
    print("\n".join(lines))
    if args.write:
        with open(args.write, "a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines))
    sys.exit(0 if ratio <= TARGET else 1)


if __name__ == "__main__":
    main()
