// Writes `scalebench report`'s pages for a stored multi-host sweep without
// a cluster, for tests/report/multi_host_browser_test.py: the trials of
// report::testing::MultiHostSweep (hosts [1, 2] x balancer [haproxy,
// nginx] x instances 1 to 4, 3 repetitions) with the fits the coordinator
// stores for them (a cross-host linear model trained on hosts=1 and tested
// on hosts=2, and a quadratic on all rows, both by balancer), rendered by
// report::AssembleReport and RenderHtml as the command does, with the real
// Chart.js. The hosts carry long version lists, as real ones do.
//
// Usage: multi_host_page --chartjs FILE --out DIR
// Writes DIR/multi-host.html and DIR/multi-host-compare.html (against a
// baseline 10% faster); prints their paths. Exit 1 on any failure.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "report/report_data.h"
#include "report/report_html.h"
#include "report/report_test_util.h"

namespace scalebench::report {
namespace {

bool Fail(const std::string& what) {
  std::cerr << "multi_host_page: " << what << "\n";
  return false;
}

// The run `id` with its fits (testing::MultiHostRun and a quadratic) and
// long version strings; false after saying why.
bool MakeRun(const std::string& id, double scale, RunInput& run) {
  absl::StatusOr<RunInput> made = testing::MultiHostRun(id, scale);
  if (!made.ok()) return Fail(std::string(made.status().message()));
  run = *std::move(made);
  for (v1::TrialResult& t : run.trials) {
    auto& versions =
        *t.mutable_raw(0)->mutable_environment()->mutable_versions();
    versions["haproxy"] = "2.6.12-1+deb12u1 (released 2023/03/20)";
    versions["nginx"] = "1.22.1 built with OpenSSL 3.0.11 19 Sep 2023";
    versions["qemu"] = "QEMU emulator version 7.2.9 (Debian 1:7.2+dfsg-7)";
    versions["docker"] = "Docker version 20.10.24+dfsg1, build 297e128";
  }
  v1::ModelSpec poly;
  poly.set_fit(v1::MODEL_KIND_POLY);
  poly.set_degree(2);
  poly.set_x("instances");
  poly.set_y("requests_per_s");
  poly.add_by("balancer");
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      testing::StoredFits(poly, run.trials);
  if (!fits.ok()) return Fail(std::string(fits.status().message()));
  run.fits.insert(run.fits.end(), fits->begin(), fits->end());
  return true;
}

bool Write(const ReportInput& input, const RenderOptions& options,
           const std::string& path) {
  absl::StatusOr<ReportData> data = AssembleReport(input);
  if (!data.ok()) return Fail(std::string(data.status().message()));
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << RenderHtml(*data, options);
  if (!file.flush()) return Fail("cannot write " + path);
  std::cout << path << "\n";
  return true;
}

int Main(int argc, char** argv) {
  std::string chartjs_path, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--chartjs") chartjs_path = argv[i + 1];
    if (flag == "--out") out = argv[i + 1];
  }
  if (chartjs_path.empty() || out.empty()) {
    Fail("usage: multi_host_page --chartjs FILE --out DIR");
    return 1;
  }
  RenderOptions options;
  std::ifstream file(chartjs_path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  options.chartjs = text.str();
  if (options.chartjs.empty()) {
    Fail("cannot read Chart.js from " + chartjs_path);
    return 1;
  }
  ReportInput input;
  v1::Worker& w2 = input.workers.emplace_back();
  w2.set_name("workers/w2");
  w2.mutable_facts()->add_addresses("192.168.122.12");
  w2.mutable_facts()->add_addresses("fe80::5054:ff:fe12:3456");
  w2.mutable_facts()->add_platforms(v1::PLATFORM_NATIVE);
  w2.mutable_facts()->add_balancers(v1::BALANCER_KIND_HAPROXY);
  w2.mutable_facts()->add_balancers(v1::BALANCER_KIND_NGINX);
  if (!MakeRun("exp-000009", 1, input.run)) return 1;
  options.generated =
      "Made by tests/report/multi_host_page from stored trials.";
  if (!Write(input, options, out + "/multi-host.html")) return 1;
  input.baseline.emplace();
  if (!MakeRun("exp-000008", 1.1, *input.baseline)) return 1;
  if (!Write(input, options, out + "/multi-host-compare.html")) return 1;
  return 0;
}

}  // namespace
}  // namespace scalebench::report

int main(int argc, char** argv) { return scalebench::report::Main(argc, argv); }
