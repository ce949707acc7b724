#!/usr/bin/env python3
"""`scalebench report` of a multi-host sweep in a real browser, without a
cluster: tests/report/multi_host_page writes the report's pages from stored
trials (hosts [1, 2] x balancer [haproxy, nginx] x instances 1 to 4, 3
repetitions, a cross-host linear model trained on hosts=1 and tested on
hosts=2, and a quadratic, both by balancer; and the same against a baseline
10% faster) with report::AssembleReport and RenderHtml and the real
Chart.js. Both pages are opened from file:// in headless Chromium and
checked with JavaScript in the page, at 1280 and at 800 px wide:

  - no horizontal scroll (document.documentElement.scrollWidth <=
    window.innerWidth) and no console errors;
  - the throughput-against-instances chart has four series (hosts 1 and 2
    apart, per balancer; eight with the baseline), named in the legend
    ("haproxy, hosts 2");
  - the held-out test trials are drawn apart (their own dataset of hollow
    diamonds, a legend entry), 12 per hosts-2 series, and no hosts-1 trial
    is among them;
  - the two models of one series differ in their dash pattern;
  - the Models section is HTML tables (no <pre>), the cross-host verdicts
    are in the summary above the figures, and with the baseline the
    comparison's verdict comes first;
  - no number in e-notation in what the report formats (the verdict
    sentences analysis/ writes and the hosts' version strings are quoted
    as stored, and left out of this check).

Full-page screenshots are kept in --artifacts (build/test-artifacts/report/
under ctest): multi-host.png (1280 px), multi-host-800.png,
multi-host-compare.png, multi-host-compare-800.png, and the chart alone,
multi-host-chart-requests_per_s-instances.png; the test prints their paths.

Usage: multi_host_browser_test.py --bin DIR --artifacts DIR
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from browser_test import check_widths, main, make_driver  # noqa: E402

CHARTJS = "/usr/share/javascript/chart.js/chart.min.js"  # kDefaultChartJs
CHART = "chart-requests_per_s-instances"
REPS = 3
INSTANCES = 4

# The instances chart's datasets as drawn: label, points, point style,
# whether a test-points dataset, dash pattern, hidden.
DATASETS_JS = """
var chart = Chart.getChart(document.getElementById(arguments[0]));
if (!chart) return null;
var legend = chart.legend.legendItems.map(function(i) { return i.text; });
return {
  legend: legend,
  datasets: chart.data.datasets.map(function(d, i) {
    var meta = chart.getDatasetMeta(i);
    return {label: d.label, drawn: meta.data.length,
            style: d.pointStyle || null, test: !!d.testPoints,
            dash: d.borderDash || null, hidden: !chart.isDatasetVisible(i)};
  })};
"""

LAYOUT_JS = """
function top(e) { return e ? e.getBoundingClientRect().top : null; }
var summary = document.querySelector('table.summary');
return {
  pre_in_models: document.querySelectorAll('#models ~ pre').length,
  parameter_tables: document.querySelectorAll('table.model-parameters').length,
  prediction_tables:
      document.querySelectorAll('table.model-predictions').length,
  cross_host_rows: summary ? Array.from(summary.rows).filter(
      r => r.cells[0].textContent === 'cross-host').length : 0,
  summary_top: top(summary),
  throughput_top: top(document.getElementById('throughput')),
  first_verdict: (document.querySelector('p.verdict') || {}).textContent,
  first_verdict_top: top(document.querySelector('p.verdict')),
  e_notation: (plainText().match(/[0-9.]+e[+-]?[0-9]+/g) || []).slice(0, 5)};

// The page's text without what it quotes verbatim rather than formats: the
// hosts' environment (version strings such as "build 297e128") and the
// cross-host verdict sentences analysis/ writes.
function plainText() {
  var body = document.body.cloneNode(true);
  body.querySelectorAll('table.hosts, p.verdict').forEach(e => e.remove());
  body.querySelectorAll('tr').forEach(function(r) {
    if (r.cells[0] && r.cells[0].textContent === 'cross-host') r.remove();
  });
  document.documentElement.appendChild(body);  // innerText needs layout
  var text = body.innerText;
  body.remove();
  return text;
}
"""


def series_labels(prefix=""):
    return [f"{prefix}{b}, hosts {h}" for h in (1, 2)
            for b in ("haproxy", "nginx")]


def check_chart(driver, checks, label, runs):
    got = driver.execute_script(DATASETS_JS, CHART)
    checks.expect(got is not None, f"{label}: the instances chart is drawn")
    if got is None:
        return
    sets = got["datasets"]
    medians = sorted(d["label"][:-len(": median")] for d in sets
                     if d["label"].endswith(": median"))
    wanted = sorted(p + s for p in runs for s in series_labels())
    checks.expect(medians == wanted,
                  f"{label}: {len(wanted)} series, hosts 1 and hosts 2 apart",
                  f"got {medians}")
    checks.expect(all(any(text.startswith(w) for text in got["legend"])
                      for w in wanted),
                  f"{label}: the legend names every series", str(got["legend"]))
    tests = [d for d in sets if d["test"]]
    checks.expect(
        len(tests) == 2 * len(runs) and
        all("hosts 2" in d["label"] and d["drawn"] == REPS * INSTANCES and
            d["style"] == "rectRot" and not d["hidden"] for d in tests),
        f"{label}: the held-out test trials are drawn apart, "
        f"{REPS * INSTANCES} hollow diamonds per hosts-2 series",
        str(tests))
    checks.expect(all(any(text == d["label"] for text in got["legend"])
                      for d in tests),
                  f"{label}: the test trials have a legend entry",
                  str(got["legend"]))
    trained = [d for d in sets if d["label"].endswith("hosts 1: trials")]
    # A baseline's trials are triangles, the report's own crosses.
    checks.expect(len(trained) == 2 * len(runs) and
                  all(d["drawn"] == REPS * INSTANCES and
                      d["style"] == ("triangle" if d["label"].startswith(
                          runs[-1]) and len(runs) > 1 else "crossRot")
                      for d in trained),
                  f"{label}: the hosts-1 (training) trials are drawn as "
                  f"training trials", str(trained))
    dashes = {d["label"].split(" (")[0]: d["dash"] for d in sets
              if d["label"].endswith(": fit")}
    checks.expect(len(set(map(str, dashes.values()))) == 2,
                  f"{label}: the linear and the quadratic model differ in "
                  f"their dashes", str(dashes))


def check_page(driver, checks, label, html, shot, runs):
    driver.get_log("browser")  # drop anything from before
    shots = check_widths(driver, checks, label, html, shot)
    errors = [e for e in driver.get_log("browser") if e.get("level") ==
              "SEVERE"]
    checks.expect(not errors, f"{label}: no console errors", str(errors[:5]))
    check_chart(driver, checks, label, runs)
    layout = driver.execute_script(LAYOUT_JS)
    fits = 2 * len(runs)  # per run: cross-host linear and quadratic, by 2
    checks.expect(layout["pre_in_models"] == 0 and
                  layout["parameter_tables"] == 2 * fits and
                  layout["prediction_tables"] == fits,
                  f"{label}: the models are HTML tables, not <pre>",
                  str(layout))
    checks.expect(layout["cross_host_rows"] == 2 and
                  layout["summary_top"] < layout["throughput_top"],
                  f"{label}: the cross-host verdicts are in the summary, "
                  f"above the figures", str(layout))
    checks.expect(not layout["e_notation"], f"{label}: no e-notation",
                  str(layout["e_notation"]))
    from selenium.webdriver.common.by import By
    box = driver.find_element(By.ID, CHART).find_element(
        By.XPATH, "./ancestor::figure")
    driver.execute_script("arguments[0].scrollIntoView()", box)
    chart_shot = shot.replace(".png", f"-{CHART}.png")
    box.screenshot(chart_shot)
    for path in shots + [chart_shot]:
        print(f"screenshot: {path}", flush=True)
    return layout


def check(bin_dir, artifacts, checks):
    os.makedirs(artifacts, exist_ok=True)
    r = subprocess.run([os.path.join(bin_dir, "tests", "multi_host_page"),
                        "--chartjs", CHARTJS, "--out", artifacts],
                       capture_output=True, text=True, timeout=60)
    checks.expect(r.returncode == 0, "multi_host_page writes the pages",
                  r.stderr)
    if r.returncode != 0:
        return
    driver = make_driver()
    try:
        check_page(driver, checks, "multi-host",
                   os.path.join(artifacts, "multi-host.html"),
                   os.path.join(artifacts, "multi-host.png"), [""])
        layout = check_page(driver, checks, "multi-host --compare",
                            os.path.join(artifacts, "multi-host-compare.html"),
                            os.path.join(artifacts, "multi-host-compare.png"),
                            ["exp-000009 ", "exp-000008 "])
        checks.expect((layout["first_verdict"] or "").startswith(
                          "Verdict: exp-000009 against exp-000008") and
                      layout["first_verdict_top"] < layout["summary_top"],
                      "multi-host --compare: the comparison's verdict comes "
                      "first", str(layout))
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main(check, __doc__, "multi-host report: ran to the end"))
