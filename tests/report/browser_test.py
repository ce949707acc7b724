#!/usr/bin/env python3
"""`scalebench report` in a real browser: scalebench-coordinator and one
scalebench-worker on loopback measure real nginx (native, instances [1, 2]
x balancer [none, haproxy], 4 repetitions of 1 s, a linear model per
balancer), then a second run serving 1 MiB pages (instances 1, no
balancer, 4 repetitions: a regression `compare` can detect with 4 and 4
runs). Both reports are generated and opened from file:// URLs in headless
Chromium (Debian's chromium + chromium-driver, python3-selenium) with
every http(s) request blocked, and checked:

  - no console errors, and no resource loaded at all (everything inline);
  - every chart drawn, with as many points per dataset as the test knows
    trials and configurations (Chart.getChart(canvas).data.datasets);
  - the comparison report has its regression row highlighted;
  - at 1280 and at 800 px wide the page does not scroll sideways
    (document.documentElement.scrollWidth <= window.innerWidth);
  - full-page screenshots are saved for a person to look at
    (--artifacts, build/test-artifacts/report/ under ctest), at 1280 px
    and at 800 px wide (NAME-800.png).

Usage: browser_test.py --bin DIR --artifacts DIR
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import argparse
import base64
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from checks import Checks  # noqa: E402
from cluster import (Cluster, make_tmp, stop_and_check_nothing_left,  # noqa: E402
                     submit_and_watch)
from specs import native_spec  # noqa: E402

REPS = 4
GRID_POINTS = 60  # report::kCurveGridPoints


def run_experiment(cluster, checks, label, page_bytes, instances, balancers):
    return submit_and_watch(cluster, checks, label, native_spec(
        label, repetitions=REPS, connections=8, warmup="300ms",
        page_bytes=page_bytes, instances=instances, balancers=balancers,
        linear_model=True))


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--allow-file-access-from-files"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                              options=options)
    # No network: any http(s) request the page made would fail (and log).
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs",
                           {"urls": ["http://*", "https://*", "ws://*"]})
    return driver


def screenshot(driver, path):
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"],
                 "height": size["height"], "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


WIDTHS = (1280, 800)


def set_width(driver, width):
    """Lays the page out `width` CSS pixels wide (window.innerWidth)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1,
        "mobile": False})


def check_widths(driver, checks, label, html_path, shot_path):
    """At each of WIDTHS: the page does not scroll sideways, and a
    full-page screenshot (shot_path at 1280, -WIDTH.png beside it for the
    others). Leaves the page loaded at 1280 px. Returns the paths."""
    shots = []
    for width in WIDTHS[::-1]:
        set_width(driver, width)
        driver.get("file://" + os.path.abspath(html_path))
        time.sleep(0.5)
        inner, scroll = driver.execute_script(
            "return [window.innerWidth, "
            "document.documentElement.scrollWidth];")
        wide = driver.execute_script("""
            var w = window.innerWidth;
            return Array.from(document.querySelectorAll('body *'))
              .filter(e => e.getBoundingClientRect().right > w + 1)
              .slice(0, 5).map(e => e.tagName + '.' + e.className);""")
        checks.expect(inner == width and scroll <= inner,
                      f"{label}: no horizontal scroll at {width} px "
                      f"(scrollWidth {scroll}, innerWidth {inner})",
                      f"wider than the window: {wide}")
        path = shot_path if width == WIDTHS[0] else shot_path.replace(
            ".png", f"-{width}.png")
        screenshot(driver, path)
        checks.expect(os.path.getsize(path) > 20000,
                      f"{label}: screenshot at {width} px: {path}")
        shots.append(path)
    return shots


# Every chart: its canvas id, and each dataset's label and length.
CHARTS_JS = """
var out = {};
document.querySelectorAll('canvas.chart').forEach(function(c) {
  var chart = Chart.getChart(c);
  out[c.id] = chart ? chart.data.datasets.map(function(d) {
    return [d.label, d.data.length,
            d.data.reduce(function(a, v) { return a + (typeof v === 'number' ? v : 0); }, 0)];
  }) : null;
});
return out;
"""


def lengths(charts, chart_id):
    return {label: n for label, n, _ in (charts.get(chart_id) or [])}


def check_page(driver, checks, label, html_path, shot_path, expect):
    html = open(html_path, encoding="utf-8").read()
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    checks.expect(not remote, f"{label}: no src/href points off the file",
                  str(remote[:5]))
    driver.get_log("browser")  # drop anything from before
    driver.get("file://" + os.path.abspath(html_path))
    time.sleep(1)
    logs = driver.get_log("browser")
    errors = [e for e in logs if e.get("level") == "SEVERE"]
    checks.expect(not errors, f"{label}: no console errors", str(errors[:5]))
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    checks.expect(resources == [], f"{label}: loads no resource at all",
                  str(resources[:5]))
    charts = driver.execute_script(CHARTS_JS)
    checks.expect(len(charts) == expect["charts"] and
                  all(v is not None for v in charts.values()),
                  f"{label}: {expect['charts']} charts, all drawn",
                  json.dumps(charts)[:2000])
    for chart_id, wanted in expect["datasets"].items():
        got = lengths(charts, chart_id)
        bad = {k: (got.get(k), v) for k, v in wanted.items()
               if got.get(k) != v}
        checks.expect(not bad, f"{label}: {chart_id} has the expected points "
                      f"in {len(wanted)} datasets",
                      f"(got, wanted): {bad}; labels: {sorted(got)}")
    skew = charts.get("chart-skew") or []
    counted = sum(total for _, _, total in skew)
    checks.expect(counted == expect["trials"],
                  f"{label}: the start-skew histogram counts "
                  f"{expect['trials']} trials", str(skew))
    check_widths(driver, checks, label, html_path, shot_path)
    # Each chart on its own too, at full resolution, for a closer look.
    from selenium.webdriver.common.by import By
    for canvas in driver.find_elements(By.CSS_SELECTOR, "canvas.chart"):
        box = canvas.find_element(By.XPATH, "./ancestor::figure")
        driver.execute_script("arguments[0].scrollIntoView()", box)
        box.screenshot(shot_path.replace(
            ".png", "-" + canvas.get_attribute("id") + ".png"))
    return driver


def check_report(bin_dir, artifacts, checks):
    tmp = make_tmp("sb-report-")
    cluster = Cluster(bin_dir, tmp)
    driver = None
    try:
        cluster.start_coordinator()
        cluster.start_worker("w1")
        cluster.wait_for(lambda: "idle" in cluster.cli("workers").stdout, 30,
                         "an idle worker")
        sweep = run_experiment(cluster, checks, "sweep", 612, (1, 2),
                               ("none", "haproxy"))
        slowed = run_experiment(cluster, checks, "slowed", 1 << 20, (1,),
                                ("none",))
        a = sweep.split("/")[-1]
        b = slowed.split("/")[-1]
        os.makedirs(artifacts, exist_ok=True)
        one = os.path.join(artifacts, "report.html")
        r = cluster.cli("report", sweep, "--out", one)
        checks.expect(r.returncode == 0, "report: exits 0", r.stderr)
        for suffix in ("throughput", "latency", "skew", "hosts"):
            checks.expect(os.path.exists(os.path.join(
                artifacts, f"report-{suffix}.csv")), f"report: {suffix} CSV")
        two = os.path.join(artifacts, "compare.html")
        r = cluster.cli("report", slowed, "--compare", sweep, "--out", two)
        checks.expect(r.returncode == 0, "report --compare: exits 0", r.stderr)

        r = cluster.cli("report", "exp-999999", "--out",
                        os.path.join(tmp, "x.html"))
        checks.expect(r.returncode == 2 and "exp-999999" in r.stderr and
                      not os.path.exists(os.path.join(tmp, "x.html")),
                      "an unknown experiment: exit 2 naming it, no page "
                      "left behind", r.stderr)
        r = cluster.cli("report", sweep, "--out", "/nonexistent/dir/r.html")
        checks.expect(r.returncode == 2 and "/nonexistent/dir/r.html" in
                      r.stderr, "an unwritable --out: exit 2 naming it",
                      r.stderr)

        driver = make_driver()
        instances = "chart-requests_per_s-instances"
        vcpus = "chart-requests_per_s-vcpus_total"
        per_series = {}
        # One series per balancer, the only factor that varies besides x
        # (its algorithm follows from it): "no balancer", "haproxy".
        for bal, s in (("none", "no balancer"), ("haproxy", "haproxy")):
            m = f"model linear (balancer = {bal})"
            per_series.update({
                f"{s}: trials": 2 * REPS, f"{s}: median": 2,
                f"{s}: min–max (n < 6: no 95% CI)": 2,
                f"{s}: min–max (n < 6: no 95% CI) (low)": 2,
                f"{m}: fit": GRID_POINTS,
                f"{m}: 95% prediction band": GRID_POINTS,
                f"{m}: 95% prediction band (low)": GRID_POINTS})
        check_page(driver, checks, "report", one,
                   os.path.join(artifacts, "report.png"), {
                       "charts": 4, "trials": 4 * REPS,
                       "datasets": {
                           instances: per_series,
                           vcpus: {k: v for k, v in per_series.items()
                                   if "model" not in k},
                           "chart-latency": {"p50": 4, "p90": 4, "p99": 4}}})
        both = {f"{a} no balancer: trials": 2 * REPS,
                f"{a} haproxy: median": 2,
                f"{b} no balancer: trials": REPS,
                f"{b} no balancer: median": 1,
                f"{a} model linear (balancer = none): fit": GRID_POINTS}
        check_page(driver, checks, "compare", two,
                   os.path.join(artifacts, "compare.png"), {
                       "charts": 4, "trials": 5 * REPS,
                       "datasets": {instances: both,
                                    "chart-latency": {"p50": 5}}})
        hosts = driver.execute_script("""
            return Array.from(document.querySelectorAll('table.hosts tr'))
                .slice(1).map(function(r) {
                  return Array.from(r.cells).map(c => c.textContent); });""")
        checks.expect(len(hosts) == 2 and all(
            h[1] == "w1" and "native" in h[14] for h in hosts),
            "compare: the hosts table has w1 for each run, with its "
            "platforms now", str(hosts))
        rows = driver.execute_script("""
            return Array.from(document.querySelectorAll(
                'table.comparison tr.regression')).map(function(r) {
              return [r.textContent,
                      getComputedStyle(r.cells[0]).backgroundColor]; });""")
        checks.expect(len(rows) == 1 and "regression" in rows[0][0] and
                      rows[0][1] not in ("rgba(0, 0, 0, 0)", "transparent"),
                      "compare: the regression row is highlighted", str(rows))
    finally:
        if driver is not None:
            driver.quit()
        stop_and_check_nothing_left(cluster, tmp, checks, "report")


def main(body=check_report, doc=__doc__, what="report: ran to the end"):
    """`--bin DIR --artifacts DIR`: body(bin_dir, artifacts, checks); a
    step that raises is a failed check named `what`, not a crash. Returns
    the exit code. Also the main() of the sibling multi_host_browser_test."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--artifacts", required=True)
    args = parser.parse_args()
    checks = Checks()
    try:
        body(os.path.abspath(args.bin), os.path.abspath(args.artifacts),
             checks)
    except Exception as e:  # A broken step is a failed check, not a crash.
        checks.expect(False, what, repr(e))
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
