"""Time from navigation to the first drawn chart on the council dashboard, in headless Chromium (issue #17).

    .venv/bin/python bench/first_chart.py [--runs 5] [--write docs/benchmarks.md]

The production profile: DEBUG off, static files collected and compressed (whitenoise's manifest storage), gunicorn;
the demo data in a fresh SQLite file. Each run is a new browser context, so the cache is cold. Measured in the page:
`performance.now()` when the first chart (the server's picture, or a Plotly SVG) is attached (a MutationObserver added before the page loads), at
1366 px and at a 390 px phone width. Target: ≤ 1 s.
"""

import argparse
import os
import platform
import statistics
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 1000
OBSERVE = """
window.__firstChart = null;
new MutationObserver((records, observer) => {
  if (document.querySelector('.chart-static img, .js-plotly-plot svg.main-svg')) { window.__firstChart = performance.now(); observer.disconnect(); }
}).observe(document, {childList: true, subtree: true});
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from production import demo_server, finish

    results = {}
    with demo_server("first-chart") as (base, _env):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            for width in (1366, 390):
                samples = []
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": width, "height": 900})  # a cold cache each time
                    page = context.new_page()
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", "councillor")
                    page.fill("input[name=password]", os.environ.get("DEMO_PASSWORD", "nps-demo-2026"))
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    # A new context again for the measured visit, carrying only the sign-in cookie: nothing cached.
                    cookies = context.cookies()
                    context.close()
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    context.add_cookies(cookies)
                    context.add_init_script(OBSERVE)
                    page = context.new_page()
                    page.goto(f"{base}/dashboard/")
                    page.wait_for_function("window.__firstChart !== null", timeout=60000)
                    samples.append(page.evaluate("window.__firstChart"))
                    context.close()
                results[width] = samples
            browser.close()
    lines = [
        f"### First chart {datetime.now():%Y-%m-%d %H:%M} — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        f"Council dashboard (demo data), production profile (DEBUG off, compressed static files, gunicorn), cold cache; {args.runs} runs each.",
        "",
        "| viewport | median ms | worst ms | target |",
        "|---|---:|---:|---:|",
    ]
    ok = True
    for width, samples in results.items():
        median = statistics.median(samples)
        ok &= median <= TARGET_MS
        lines.append(f"| {width} px | {median:.0f} | {max(samples):.0f} | ≤ {TARGET_MS} |")
    finish(lines, write=args.write, ok=ok)


if __name__ == "__main__":
    main()
