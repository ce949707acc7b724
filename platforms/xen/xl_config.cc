#include "platforms/xen/xl_config.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace scalebench::worker {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr size_t kMaxPathLength = 1024;
constexpr size_t kMaxBridgeLength = 15;  // IFNAMSIZ - 1
constexpr uint32_t kMaxVcpus = 128;
constexpr int kMaxCpu = 4095;
constexpr uint32_t kMinMemoryMb = 8;
constexpr uint32_t kMaxMemoryMb = 1u << 20;
constexpr uint32_t kMaxPageBytes = 1u << 30;
constexpr uint32_t kMaxWorkerProcesses = 1024;
// Xen's IEEE OUI; xl itself picks MACs under it.
constexpr char kXenOui[] = "00:16:3e";

absl::Status FieldError(absl::string_view field, absl::string_view what,
                        absl::string_view value) {
  return absl::InvalidArgumentError(
      absl::StrCat("xl config: ", field, ": ", what, ", got \"",
                   absl::CHexEscape(value.substr(0, 200)), "\""));
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
}

absl::Status CheckName(absl::string_view field, absl::string_view value) {
  if (value.empty() || value.size() > kMaxNameLength ||
      !absl::ascii_isalnum(value[0])) {
    return FieldError(field,
                      "must be 1 to 128 of [A-Za-z0-9_.-], starting with a "
                      "letter or digit",
                      value);
  }
  for (char c : value) {
    if (!IsNameChar(c)) {
      return FieldError(field, "may contain only [A-Za-z0-9_.-]", value);
    }
  }
  return absl::OkStatus();
}

// An absolute path of plain characters: nothing that could end an xl
// string ('"', '\''), start a new setting (newline, ';'), or separate the
// key=value pairs of a vif or disk spec (',', '=', ' ').
absl::Status CheckPath(absl::string_view field, absl::string_view value) {
  if (value.empty() || value[0] != '/' || value.size() > kMaxPathLength) {
    return FieldError(field, "must be an absolute path", value);
  }
  for (char c : value) {
    if (!IsNameChar(c) && c != '/' && c != '+') {
      return FieldError(field, "may contain only [A-Za-z0-9_.+/-]", value);
    }
  }
  for (absl::string_view part : absl::StrSplit(value, '/')) {
    if (part == "..") {
      return FieldError(field, "must not contain a \"..\" component", value);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBridge(absl::string_view value) {
  if (value.empty() || value.size() > kMaxBridgeLength || value == "." ||
      value == "..") {
    return FieldError("bridge",
                      "must be an interface name of 1 to 15 characters", value);
  }
  for (char c : value) {
    if (!IsNameChar(c)) {
      return FieldError("bridge", "may contain only [A-Za-z0-9_.-]", value);
    }
  }
  return absl::OkStatus();
}

// A vif hotplug script: an absolute path, or a file name that xl looks up
// under /etc/xen/scripts.
absl::Status CheckVifScript(absl::string_view value) {
  if (!value.empty() && value[0] == '/') return CheckPath("vif_script", value);
  return CheckName("vif_script", value);
}

// A dotted-quad unicast IPv4 address: four decimal octets without leading
// zeros; not 0.0.0.0, loopback, multicast or broadcast (a guest answers on
// an address of its own, which the host's load generator can reach).
absl::Status CheckGuestAddress(absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '.');
  int octets[4] = {0, 0, 0, 0};
  bool ok = parts.size() == 4;
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    absl::string_view part = parts[i];
    ok = !part.empty() && part.size() <= 3 &&
         (part.size() == 1 || part[0] != '0');
    for (char c : part) ok = ok && absl::ascii_isdigit(c);
    ok = ok && absl::SimpleAtoi(part, &octets[i]) && octets[i] <= 255;
  }
  if (!ok) {
    return FieldError("listen_address", "must be an IPv4 address (a.b.c.d)",
                      value);
  }
  if (octets[0] == 0 || octets[0] == 127 || octets[0] >= 224) {
    return FieldError("listen_address",
                      "must be the guest's own unicast address (not "
                      "0.0.0.0/8, loopback, multicast or broadcast)",
                      value);
  }
  return absl::OkStatus();
}

absl::Status CheckRange(absl::string_view field, int64_t value, int64_t min,
                        int64_t max) {
  if (value < min || value > max) {
    return FieldError(field, absl::StrCat("must be in ", min, "..", max),
                      absl::StrCat(value));
  }
  return absl::OkStatus();
}

// A value for an xl string: every caller has checked it against a pattern
// that excludes quotes, backslashes and line ends.
std::string Quoted(absl::string_view value) {
  return absl::StrCat("\"", value, "\"");
}

std::string QuotedList(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const std::string& v : values) quoted.push_back(Quoted(v));
  return absl::StrCat("[ ", absl::StrJoin(quoted, ", "), " ]");
}

// FNV-1a, 32 bits: stable across builds and platforms (std::hash is not).
uint32_t Fnv1a(absl::string_view data) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

int GuestPort(const TargetLaunch& launch) {
  return launch.port == 0 ? kDefaultXenGuestPort : launch.port;
}

absl::Status CheckLaunch(const TargetLaunch& launch,
                         const XlConfigOptions& options) {
  if (absl::Status s = CheckName("id", launch.id); !s.ok()) return s;
  if (absl::Status s = CheckRange("vcpus", launch.vcpus, 1, kMaxVcpus);
      !s.ok()) {
    return s;
  }
  for (int cpu : launch.cpus) {
    if (absl::Status s = CheckRange("cpus", cpu, 0, kMaxCpu); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s =
          CheckRange("memory_mb", launch.memory_mb, kMinMemoryMb, kMaxMemoryMb);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckGuestAddress(launch.listen_address); !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange("page_bytes", launch.page_bytes, 0, kMaxPageBytes);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("worker_processes", launch.worker_processes,
                                  0, kMaxWorkerProcesses);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckBridge(options.bridge); !s.ok()) return s;
  if (!options.vif_script.empty()) {
    if (absl::Status s = CheckVifScript(options.vif_script); !s.ok()) return s;
  }
  return CheckRange("guest_prefix_length", options.guest_prefix_length, 1, 32);
}

// The files the domain boots from, as "kernel"/"ramdisk"/"disk" settings.
struct BootFiles {
  std::string kernel;
  std::string ramdisk;
  std::string disk;
};

bool IsBuiltInImage(absl::string_view image) {
  return image.empty() || image == kXenGeneralImage ||
         image == kXenSingleAppImage;
}

absl::StatusOr<BootFiles> ResolveBootFiles(const TargetLaunch& launch,
                                           XenGuestType type,
                                           const XlConfigOptions& options) {
  BootFiles files;
  if (IsBuiltInImage(launch.image)) {
    if (absl::Status s = CheckPath("images_dir", options.images_dir); !s.ok()) {
      return s;
    }
    std::string dir(absl::StripSuffix(options.images_dir, "/"));
    if (type == XenGuestType::kHvm) {
      files.disk = absl::StrCat(dir, "/", kXenDiskFile);
    } else {
      files.kernel = absl::StrCat(dir, "/", kXenKernelFile);
      files.ramdisk = absl::StrCat(dir, "/", kXenRamdiskFile);
    }
    return files;
  }
  if (type == XenGuestType::kHvm) {
    if (absl::Status s = CheckPath("image", launch.image); !s.ok()) return s;
    files.disk = launch.image;
    return files;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(launch.image, ',');
  if (parts.size() > 2) {
    return FieldError("image", "must be \"KERNEL\" or \"KERNEL,RAMDISK\"",
                      launch.image);
  }
  for (absl::string_view part : parts) {
    if (absl::Status s = CheckPath("image", part); !s.ok()) return s;
  }
  files.kernel = std::string(parts[0]);
  if (parts.size() == 2) files.ramdisk = std::string(parts[1]);
  return files;
}

// The guest's kernel command line; the values are already checked.
std::string GuestCommandLine(const TargetLaunch& launch,
                             const XlConfigOptions& options,
                             bool linux_console) {
  std::vector<std::string> args;
  if (linux_console) args.push_back("console=hvc0");
  args.push_back(absl::StrCat("scalebench.address=", launch.listen_address, "/",
                              options.guest_prefix_length));
  args.push_back(absl::StrCat("scalebench.port=", GuestPort(launch)));
  args.push_back(absl::StrCat("scalebench.page_bytes=", launch.page_bytes));
  args.push_back(absl::StrCat(
      "scalebench.workers=",
      launch.worker_processes == 0 ? launch.vcpus : launch.worker_processes));
  if (launch.image == kXenSingleAppImage) {
    args.push_back("scalebench.single_app=1");
  }
  return absl::StrJoin(args, " ");
}

}  // namespace

const char* XenGuestTypeName(XenGuestType type) {
  switch (type) {
    case XenGuestType::kPv:
      return "pv";
    case XenGuestType::kPvh:
      return "pvh";
    case XenGuestType::kHvm:
      return "hvm";
  }
  return "pvh";
}

absl::StatusOr<XenGuestType> ParseXenGuestType(absl::string_view variant) {
  if (variant.empty() || variant == "pvh" || variant == "xen") {
    return XenGuestType::kPvh;
  }
  if (variant == "pv") return XenGuestType::kPv;
  if (variant == "hvm") return XenGuestType::kHvm;
  return FieldError("variant", "must be \"pv\", \"pvh\", \"hvm\" or \"xen\"",
                    variant);
}

std::string XenMacForId(absl::string_view id) {
  const uint32_t hash = Fnv1a(id);
  return absl::StrFormat("%s:%02x:%02x:%02x", kXenOui, (hash >> 16) & 0xff,
                         (hash >> 8) & 0xff, hash & 0xff);
}

absl::StatusOr<XlDomainConfig> MakeXlConfig(const TargetLaunch& launch,
                                            const XlConfigOptions& options) {
  absl::StatusOr<XenGuestType> type = ParseXenGuestType(launch.variant);
  if (!type.ok()) return type.status();
  if (absl::Status s = CheckLaunch(launch, options); !s.ok()) return s;
  absl::StatusOr<BootFiles> files = ResolveBootFiles(launch, *type, options);
  if (!files.ok()) return files.status();

  XlDomainConfig config;
  config.name = launch.id;
  config.type = *type;
  std::string& out = config.text;
  absl::StrAppend(&out, "# Generated by scalebench for target ", launch.index,
                  "; see docs/xen.md.\n");
  absl::StrAppend(&out, "name = ", Quoted(launch.id), "\n");
  absl::StrAppend(&out, "type = ", Quoted(XenGuestTypeName(*type)), "\n");
  if (*type == XenGuestType::kHvm) {
    absl::StrAppend(&out, "disk = [ ",
                    Quoted(absl::StrCat("format=raw, vdev=xvda, access=rw, "
                                        "target=",
                                        files->disk)),
                    " ]\n");
    absl::StrAppend(&out, "boot = \"c\"\n");
    absl::StrAppend(&out, "serial = \"pty\"\n");
    absl::StrAppend(&out, "vnc = 0\n");
    absl::StrAppend(&out, "sdl = 0\n");
    config.boot_files.push_back(files->disk);
  } else {
    absl::StrAppend(&out, "kernel = ", Quoted(files->kernel), "\n");
    config.boot_files.push_back(files->kernel);
    if (!files->ramdisk.empty()) {
      absl::StrAppend(&out, "ramdisk = ", Quoted(files->ramdisk), "\n");
      config.boot_files.push_back(files->ramdisk);
    }
    absl::StrAppend(
        &out, "extra = ",
        Quoted(GuestCommandLine(launch, options, !files->ramdisk.empty())),
        "\n");
  }
  if (*type == XenGuestType::kPvh) {
    // PVH guests did not come up without it when Xen was run nested under
    // QEMU (ARCHITECTURE.md, "Testing here").
    absl::StrAppend(&out, "tsc_mode = \"native\"\n");
  }
  absl::StrAppend(&out, "vcpus = ", launch.vcpus, "\n");
  if (!launch.cpus.empty()) {
    std::vector<std::string> pins;
    for (uint32_t v = 0; v < launch.vcpus; ++v) {
      pins.push_back(absl::StrCat(launch.cpus[v % launch.cpus.size()]));
    }
    absl::StrAppend(&out, "cpus = ", QuotedList(pins), "\n");
  }
  absl::StrAppend(&out, "memory = ", launch.memory_mb, "\n");
  std::string vif =
      absl::StrCat("mac=", XenMacForId(launch.id), ",bridge=", options.bridge);
  if (!options.vif_script.empty()) {
    absl::StrAppend(&vif, ",script=", options.vif_script);
  }
  absl::StrAppend(&out, "vif = ", QuotedList({vif}), "\n");
  absl::StrAppend(&out, "on_poweroff = \"destroy\"\n");
  absl::StrAppend(&out, "on_reboot = \"destroy\"\n");
  absl::StrAppend(&out, "on_crash = \"destroy\"\n");
  return config;
}

}  // namespace scalebench::worker
