#include "common/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace scalebench {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily One(std::string name, std::string help, MetricType type,
                 double value) {
  ClientMetric metric;
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return MetricFamily{std::move(name), std::move(help), type, {metric}};
}

// Seconds since the epoch at which the system booted, from /proc/stat.
bool BootTime(double* seconds) {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") return static_cast<bool>(in >> *seconds);
    in.ignore(1 << 20, '\n');
  }
  return false;
}

}  // namespace

std::vector<MetricFamily> ProcessMetrics::Collect() const {
  std::vector<MetricFamily> families;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
  // Fields after the command name (which may hold spaces), from field 3.
  const size_t paren = stat.rfind(')');
  if (paren != std::string::npos && ticks > 0) {
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    double utime = 0, stime = 0, start = 0, rss = 0;
    for (int i = 3; fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
      if (i == 22) start = std::stod(field);
      if (i == 24) rss = std::stod(field);
    }
    families.push_back(One("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds",
                           MetricType::Counter, (utime + stime) / ticks));
    families.push_back(One("process_resident_memory_bytes",
                           "Resident memory size in bytes", MetricType::Gauge,
                           rss * page));
    double boot = 0;
    if (BootTime(&boot)) {
      families.push_back(
          One("process_start_time_seconds",
              "Start time of the process since unix epoch in seconds",
              MetricType::Gauge, boot + start / ticks));
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    int count = 0;
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
    // Less the descriptor opendir itself held.
    families.push_back(One("process_open_fds",
                           "Number of open file descriptors", MetricType::Gauge,
                           count - 1));
  }
  return families;
}

}  // namespace scalebench
