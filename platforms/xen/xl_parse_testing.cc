#include "platforms/xen/xl_parse_testing.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

extern "C" {
#include <libxlutil.h>
}

namespace scalebench::worker::testing {
namespace {

constexpr const char* kStringKeys[] = {
    "name",     "type",        "kernel",     "ramdisk",
    "extra",    "cmdline",     "root",       "tsc_mode",
    "on_crash", "on_poweroff", "on_reboot",  "boot",
    "serial",   "builder",     "bootloader", "device_model_version"};
constexpr const char* kNumberKeys[] = {"vcpus",  "maxvcpus", "memory",
                                       "maxmem", "vnc",      "sdl"};
constexpr const char* kListKeys[] = {"cpus", "vif", "disk"};

// libxlutil reports parse errors to a FILE*; collect them in memory.
class Report {
 public:
  Report() : file_(open_memstream(&buffer_, &size_)) {}
  ~Report() {
    if (file_ != nullptr) fclose(file_);
    free(buffer_);
  }
  FILE* file() { return file_ != nullptr ? file_ : stderr; }
  std::string text() {
    if (file_ == nullptr) return "";
    fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

}  // namespace

absl::StatusOr<ParsedXlConfig> ParseWithLibxlutil(absl::string_view text) {
  Report report;
  XLU_Config* config = xlu_cfg_init(report.file(), "domain.cfg");
  if (config == nullptr) return absl::ResourceExhaustedError("xlu_cfg_init");
  const std::string data(text);
  int rc = xlu_cfg_readdata(config, data.data(), static_cast<int>(data.size()));
  if (rc != 0) {
    xlu_cfg_destroy(config);
    return absl::InvalidArgumentError(absl::StrCat(
        "libxlutil refused the config (errno ", rc, "): ", report.text()));
  }
  ParsedXlConfig parsed;
  for (const char* key : kStringKeys) {
    const char* value = nullptr;
    if (xlu_cfg_get_string(config, key, &value, /*dont_warn=*/1) == 0) {
      parsed.strings[key] = value;
    }
  }
  for (const char* key : kNumberKeys) {
    long value = 0;
    if (xlu_cfg_get_long(config, key, &value, /*dont_warn=*/1) == 0) {
      parsed.numbers[key] = value;
    }
  }
  for (const char* key : kListKeys) {
    XLU_ConfigList* list = nullptr;
    int entries = 0;
    if (xlu_cfg_get_list(config, key, &list, &entries, /*dont_warn=*/1) != 0) {
      continue;
    }
    std::vector<std::string>& items = parsed.lists[key];
    for (int i = 0; i < entries; ++i) {
      const char* item = xlu_cfg_get_listitem(list, i);
      items.emplace_back(item != nullptr ? item : "");
    }
  }
  auto disks = parsed.lists.find("disk");
  if (disks != parsed.lists.end() && !disks->second.empty()) {
    libxl_device_disk disk;
    libxl_device_disk_init(&disk);
    const char* spec = disks->second.front().c_str();
    rc = xlu_disk_parse(config, 1, &spec, &disk);
    if (rc == 0) {
      parsed.disk_target = disk.pdev_path != nullptr ? disk.pdev_path : "";
      parsed.disk_vdev = disk.vdev != nullptr ? disk.vdev : "";
    }
    libxl_device_disk_dispose(&disk);
    if (rc != 0) {
      xlu_cfg_destroy(config);
      return absl::InvalidArgumentError(
          absl::StrCat("libxlutil refused the disk spec: ", report.text()));
    }
  }
  xlu_cfg_destroy(config);
  return parsed;
}

}  // namespace scalebench::worker::testing
