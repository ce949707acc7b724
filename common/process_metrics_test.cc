#include "common/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <map>
#include <string>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

std::map<std::string, double> Values() {
  std::map<std::string, double> values;
  for (const auto& family : ProcessMetrics().Collect()) {
    const auto& metric = family.metric.at(0);
    values[family.name] = family.type == prometheus::MetricType::Counter
                              ? metric.counter.value
                              : metric.gauge.value;
  }
  return values;
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  // Burn some CPU so the counter has something to show.
  volatile double sink = 0;
  const std::clock_t until = std::clock() + CLOCKS_PER_SEC / 20;
  while (std::clock() < until) sink = sink + 1;
  std::map<std::string, double> values = Values();
  EXPECT_GT(values["process_cpu_seconds_total"], 0.0);
  EXPECT_GT(values["process_resident_memory_bytes"], 1 << 20);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(values["process_start_time_seconds"], now - 600);
  EXPECT_LE(values["process_start_time_seconds"], now + 1);

  const double fds = values["process_open_fds"];
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Values()["process_open_fds"], fds + 1);
  close(fd);
}

}  // namespace
}  // namespace scalebench
