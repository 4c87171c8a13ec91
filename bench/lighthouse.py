"""Lighthouse 12 performance scores of the pages councillors and officers open most (issue 29, item 12).

    .venv/bin/python bench/lighthouse.py [--runs 3] [--write docs/benchmarks.md]

The production profile, as bench/first_chart.py: DEBUG off, static files collected and compressed (whitenoise),
gunicorn, the demo data in a fresh SQLite file. Lighthouse 12.2.3 (npm; installed under .tools/lighthouse if
missing) drives Debian's Chromium, signed in through a session cookie, with its mobile preset (a mid-range phone:
4× slower CPU, a slow 4G network, simulated) and its desktop preset. Each page and preset runs `--runs` times and the
median score is kept, with Total Blocking Time, Largest Contentful Paint and Cumulative Layout Shift beside it.
Targets: mobile ≥ 90 and desktop ≥ 95 on the councillor dashboard, the officer scoring page and the home page.
This is a benchmark, not a test: the scores depend on the machine (run it on a quiet one).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "lighthouse"
VERSION = "12.2.3"  # the last Lighthouse for Node 20
TARGETS = {"mobile": 90, "desktop": 95}


def lighthouse():
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"lighthouse@{VERSION}"], cwd=TOOLS, check=True, stdout=subprocess.DEVNULL)
    return binary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from production import MANAGE, demo_server, finish

    binary = lighthouse()
    workdir = Path(tempfile.mkdtemp(prefix="nps-lighthouse-report-"))
    results = []
    with demo_server("lighthouse") as (base, env):
        draft = subprocess.run(
            MANAGE + ["shell", "-c", "from assessments.models import Assessment; print(Assessment.objects.filter(status=Assessment.Status.DRAFT).order_by('-year').first().pk)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        pages = [("Councillor dashboard", "councillor", "/dashboard/"), ("Home page (councillor)", "councillor", "/"), ("Scoring page, one key area (officer)", "officer", f"/assessments/{draft}/sections/1/")]
        from playwright.sync_api import sync_playwright

        cookies = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            for user in {who for _, who, _ in pages}:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", os.environ.get("DEMO_PASSWORD", "nps-demo-2026"))
                page.click("button[type=submit]")
                page.wait_for_load_state()
                cookies[user] = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
                context.close()
            browser.close()
        for name, user, path in pages:
            for preset in ("mobile", "desktop"):
                runs = []
                for _ in range(args.runs):
                    out = workdir / "report.json"
                    command = [
                        str(binary), base + path, "--quiet", "--output=json", f"--output-path={out}", "--only-categories=performance",
                        f"--chrome-path={os.environ.get('CHROMIUM', '/usr/bin/chromium')}", "--chrome-flags=--headless=new --no-sandbox",
                        "--extra-headers", json.dumps({"Cookie": cookies[user]}),
                    ] + (["--preset=desktop"] if preset == "desktop" else [])
                    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
                    report = json.loads(out.read_text())
                    audits = report["audits"]
                    runs.append({
                        "score": round(report["categories"]["performance"]["score"] * 100),
                        "tbt": audits["total-blocking-time"]["numericValue"], "lcp": audits["largest-contentful-paint"]["numericValue"],
                        "cls": audits["cumulative-layout-shift"]["numericValue"], "url": report["finalDisplayedUrl"],
                    })
                middle = sorted(runs, key=lambda r: r["score"])[len(runs) // 2]
                if not middle["url"].endswith(path):
                    raise SystemExit(f"Lighthouse ended on {middle['url']}, not {path}: the sign-in cookie did not hold")
                results.append((name, preset, middle, [r["score"] for r in runs]))
    shutil.rmtree(workdir, ignore_errors=True)
    lines = [
        f"### Lighthouse {datetime.now():%Y-%m-%d %H:%M} — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Lighthouse {VERSION}",
        "",
        f"Production profile (DEBUG off, compressed static files, gunicorn), demo data; median of {args.runs} runs per page and preset (bench/lighthouse.py).",
        "",
        "| page | preset | performance | runs | Total Blocking Time ms | Largest Contentful Paint ms | layout shift | target |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    ok = True
    for name, preset, middle, scores in results:
        ok &= middle["score"] >= TARGETS[preset]
        lines.append(f"| {name} | {preset} | {middle['score']} | {', '.join(map(str, scores))} | {middle['tbt']:.0f} | {middle['lcp']:.0f} | {middle['cls']:.3f} | ≥ {TARGETS[preset]} |")
    finish(lines, write=args.write, ok=ok)


if __name__ == "__main__":
    main()
