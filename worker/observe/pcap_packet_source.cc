#include "worker/observe/pcap_packet_source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "worker/observe/cooked_header.h"

namespace scalebench::worker {
namespace {

constexpr char kDevice[] = "any";
constexpr char kFailurePrefix[] = "cannot capture on any: ";
// A segment carries data when the IPv4 total length exceeds the IPv4 and
// TCP headers.
constexpr char kHasPayload[] =
    "(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) != 0";

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(
      absl::StrCat(kFailurePrefix, what, ": ", std::strerror(errno)));
}

// pcap_activate's failure in one line: libpcap's own message when it left
// one, else its description of the code.
absl::Status ActivateError(pcap_t* pcap, int code) {
  std::string reason = pcap_geterr(pcap);
  if (reason.empty()) reason = pcap_statustostr(code);
  if (code == PCAP_ERROR_PERM_DENIED) {
    absl::StrAppend(&reason, " (needs CAP_NET_RAW)");
  }
  return absl::FailedPreconditionError(absl::StrCat(kFailurePrefix, reason));
}

struct PcapCloser {
  void operator()(pcap_t* pcap) const { pcap_close(pcap); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

class PcapPacketSource final : public PacketSource {
 public:
  PcapPacketSource(PcapHandle pcap, int wake_fd)
      : pcap_(std::move(pcap)),
        wake_fd_(wake_fd),
        datalink_(pcap_datalink(pcap_.get())),
        nanoseconds_(pcap_get_tstamp_precision(pcap_.get()) ==
                     PCAP_TSTAMP_PRECISION_NANO) {}

  PcapPacketSource(const PcapPacketSource&) = delete;
  PcapPacketSource& operator=(const PcapPacketSource&) = delete;

  ~PcapPacketSource() override { close(wake_fd_); }

  absl::StatusOr<std::vector<DataSegment>> Wait(
      absl::Duration timeout) override {
    pollfd fds[2] = {{pcap_get_selectable_fd(pcap_.get()), POLLIN, 0},
                     {wake_fd_, POLLIN, 0}};
    const int timeout_ms =
        timeout <= absl::ZeroDuration()
            ? 0
            : static_cast<int>(absl::ToInt64Milliseconds(
                  absl::Ceil(timeout, absl::Milliseconds(1))));
    if (poll(fds, 2, timeout_ms) < 0 && errno != EINTR) {
      return ErrnoError("poll");
    }
    if ((fds[1].revents & POLLIN) != 0) {
      uint64_t wakes = 0;
      (void)read(wake_fd_, &wakes, sizeof(wakes));
    }
    // Non-blocking: reads whatever the kernel holds, whichever descriptor
    // woke the poll.
    std::vector<DataSegment> segments;
    Batch batch{this, &segments};
    if (pcap_dispatch(pcap_.get(), -1, &PcapPacketSource::OnFrame,
                      reinterpret_cast<u_char*>(&batch)) < 0) {
      return absl::InternalError(
          absl::StrCat(kFailurePrefix, pcap_geterr(pcap_.get())));
    }
    return segments;
  }

  absl::Status Refilter(const CaptureFilter& filter) override {
    return SetFilter(pcap_.get(), filter);
  }

  void Interrupt() override {
    const uint64_t one = 1;
    (void)write(wake_fd_, &one, sizeof(one));
  }

  static absl::Status SetFilter(pcap_t* pcap, const CaptureFilter& filter) {
    const std::string expression = CaptureFilterExpression(filter);
    bpf_program program{};
    if (pcap_compile(pcap, &program, expression.c_str(), /*optimize=*/1,
                     PCAP_NETMASK_UNKNOWN) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          kFailurePrefix, "filter \"", expression, "\": ", pcap_geterr(pcap)));
    }
    const int set = pcap_setfilter(pcap, &program);
    pcap_freecode(&program);
    if (set != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          kFailurePrefix, "setting the filter: ", pcap_geterr(pcap)));
    }
    return absl::OkStatus();
  }

 private:
  struct Batch {
    const PcapPacketSource* source;
    std::vector<DataSegment>* segments;
  };

  static void OnFrame(u_char* user, const pcap_pkthdr* header,
                      const u_char* frame) {
    const Batch& batch = *reinterpret_cast<const Batch*>(user);
    const std::optional<Ipv4Address> source =
        CookedIpv4Source(batch.source->datalink_, frame, header->caplen);
    if (!source.has_value()) return;
    // With nanosecond precision libpcap puts nanoseconds in tv_usec.
    const absl::Duration fraction =
        batch.source->nanoseconds_ ? absl::Nanoseconds(header->ts.tv_usec)
                                   : absl::Microseconds(header->ts.tv_usec);
    batch.segments->push_back(DataSegment{
        *source, absl::FromUnixSeconds(header->ts.tv_sec) + fraction});
  }

  PcapHandle pcap_;
  const int wake_fd_;
  const int datalink_;
  const bool nanoseconds_;
};

}  // namespace

std::string CaptureFilterExpression(const CaptureFilter& filter) {
  std::string expression =
      absl::StrCat("ip and tcp dst port ", filter.port,
                   " and (tcp[tcpflags] & tcp-push != 0) and ", kHasPayload);
  if (filter.destination.has_value()) {
    absl::StrAppend(&expression, " and dst host ",
                    FormatIpv4(*filter.destination));
  }
  if (!filter.sources.empty()) {
    absl::StrAppend(&expression, " and (",
                    absl::StrJoin(filter.sources, " or ",
                                  [](std::string* out, Ipv4Address address) {
                                    absl::StrAppend(out, "src host ",
                                                    FormatIpv4(address));
                                  }),
                    ")");
  }
  return expression;
}

absl::StatusOr<std::unique_ptr<PacketSource>> OpenPcapPacketSource(
    const CaptureFilter& filter) {
  char error[PCAP_ERRBUF_SIZE] = {};
  PcapHandle pcap(pcap_create(kDevice, error));
  if (pcap == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(kFailurePrefix, error));
  }
  pcap_set_snaplen(pcap.get(), kCaptureSnapLength);
  pcap_set_immediate_mode(pcap.get(), 1);
  // Microseconds when the kernel cannot give nanoseconds: the source
  // reads the precision libpcap settled on.
  (void)pcap_set_tstamp_precision(pcap.get(), PCAP_TSTAMP_PRECISION_NANO);
  const int activated = pcap_activate(pcap.get());
  if (activated < 0) return ActivateError(pcap.get(), activated);
  const int datalink = pcap_datalink(pcap.get());
  if (!IsCookedLinkType(datalink)) {
    return absl::FailedPreconditionError(absl::StrCat(
        kFailurePrefix, "link type ", pcap_datalink_val_to_name(datalink),
        ", not Linux's cooked header"));
  }
  // Only what reaches this host: on loopback each segment passes the tap
  // twice, outgoing and incoming, and the receive timestamp is wanted.
  if (pcap_setdirection(pcap.get(), PCAP_D_IN) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        kFailurePrefix, "inbound only: ", pcap_geterr(pcap.get())));
  }
  if (absl::Status set = PcapPacketSource::SetFilter(pcap.get(), filter);
      !set.ok()) {
    return set;
  }
  if (pcap_setnonblock(pcap.get(), 1, error) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(kFailurePrefix, "non-blocking: ", error));
  }
  if (pcap_get_selectable_fd(pcap.get()) < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(kFailurePrefix, "no descriptor to poll"));
  }
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) return ErrnoError("eventfd");
  return std::make_unique<PcapPacketSource>(std::move(pcap), wake_fd);
}

}  // namespace scalebench::worker
