"""The load generators' true starts, read off the testbed's bridge in one
clock: a tcpdump capture on sbtb-br (the root namespace's kernel clock,
which is also the coordinator's, since the testbed never offsets it), a
pcap reader (struct only; microsecond and nanosecond pcap, either byte
order; Ethernet, Linux cooked v1 and v2), and per trial each load
generator's first SYN and first request to the balancer.

A load generator's reachability check connects to the balancer and
closes without sending data, so its SYN is not a start: the first SYN
counted is that of the first connection that carries a request."""
import argparse
import collections
import datetime
import json
import os
import signal
import struct
import subprocess
import sys
import time

BRIDGE = "sbtb-br"
# Only what the starts need: pure SYNs (the client's, not SYN-ACKs) and
# segments that carry data, between the hosts (the coordinator's gRPC
# traffic, 10.213.0.2, is left out). 96 bytes hold every header.
FILTER = ("tcp and not host 10.213.0.2 and ("
          "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn or "
          "(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0)")
SNAPLEN = 96

_MAGIC = {  # magic as read little-endian -> (byte order, fraction per s)
    0xa1b2c3d4: ("<", 1_000_000), 0xa1b23c4d: ("<", 1_000_000_000),
    0xd4c3b2a1: (">", 1_000_000), 0x4d3cb2a1: (">", 1_000_000_000),
}
_LINK_EN10MB, _LINK_SLL, _LINK_SLL2 = 1, 113, 276
_TCP_SYN, _TCP_ACK = 0x02, 0x10

Segment = collections.namedtuple(
    "Segment", "time_ns src sport dst dport flags payload")


def host_address(worker_id):
    """A testbed host's address: hK is 10.213.0.(10+K) (docs/testbed.md).
    Takes 'hK' or 'workers/hK'."""
    return f"10.213.0.{10 + int(worker_id.rsplit('/', 1)[-1][1:])}"


class Capture:
    """tcpdump on the bridge into a file, nanosecond timestamps, started
    by `start` (it returns once tcpdump listens) and stopped by pid."""

    def __init__(self, path, max_packets=2_000_000, limit_s=1800):
        self.path = path
        self.max_packets = max_packets  # tcpdump -c: the file's bound
        self.limit_s = limit_s  # timeout(1): tcpdump's bound in time
        self.proc = None
        self.log = path + ".log"

    def start(self):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                ["timeout", str(self.limit_s), "tcpdump", "-i", BRIDGE,
                 "-nn", "--time-stamp-precision=nano", "-s", str(SNAPLEN),
                 "-B", "16384", "-c", str(self.max_packets), "-U",
                 "-w", self.path, FILTER],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.log) as f:
                if "listening on" in f.read():
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        with open(self.log) as f:
            raise RuntimeError(f"tcpdump did not start: {f.read()[-1000:]}")

    def stop(self):
        """SIGTERM to timeout (which passes it to tcpdump), by pid; waits.
        Returns tcpdump's closing lines (packets captured and dropped)."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with open(self.log) as f:
            return " ".join(line.strip() for line in f
                            if "packets" in line)


def _link_header(link, frame):
    """The offset of the IPv4 header in a frame, or None if not IPv4."""
    if link == _LINK_EN10MB:
        offset, ether_type = 14, frame[12:14]
        while ether_type in (b"\x81\x00", b"\x88\xa8"):  # VLAN tags
            ether_type, offset = frame[offset + 2:offset + 4], offset + 4
    elif link == _LINK_SLL:
        offset, ether_type = 16, frame[14:16]
    elif link == _LINK_SLL2:
        offset, ether_type = 20, frame[0:2]
    else:
        raise ValueError(f"pcap link type {link} is not Ethernet or Linux "
                         "cooked")
    return offset if ether_type == b"\x08\x00" else None


def _tcp_segment(time_ns, link, frame):
    ip = _link_header(link, frame)
    if ip is None or len(frame) < ip + 20 or frame[ip] >> 4 != 4 or \
            frame[ip + 9] != 6:
        return None
    ip_len = (frame[ip] & 0x0f) * 4
    total = struct.unpack_from(">H", frame, ip + 2)[0]
    tcp = ip + ip_len
    if len(frame) < tcp + 14:
        return None
    sport, dport = struct.unpack_from(">HH", frame, tcp)
    tcp_len = (frame[tcp + 12] >> 4) * 4
    return Segment(time_ns, ".".join(map(str, frame[ip + 12:ip + 16])),
                   sport, ".".join(map(str, frame[ip + 16:ip + 20])), dport,
                   frame[tcp + 13], total - ip_len - tcp_len)


def read_pcap(path):
    """Every IPv4 TCP segment in a pcap file, in file order, its time in
    nanoseconds since the epoch (the capturing kernel's clock). Raises
    ValueError on a file that is not pcap (naming it)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, no pcap header")
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic not in _MAGIC:
        raise ValueError(f"{path}: magic {magic:#x} is not pcap's "
                         "(pcapng is not read: use tcpdump -w)")
    order, per_s = _MAGIC[magic]
    link = struct.unpack_from(order + "I", data, 20)[0] & 0x0fffffff
    segments = []
    offset = 24
    while offset + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(order + "IIII", data, offset)
        offset += 16
        frame = data[offset:offset + incl]
        offset += incl
        if len(frame) < incl:
            break  # the last record, cut short by a stopped capture
        segment = _tcp_segment(sec * 1_000_000_000 +
                               frac * (1_000_000_000 // per_s), link, frame)
        if segment is not None:
            segments.append(segment)
    return segments


def first_starts(segments, balancer, sources, begin_ns, end_ns):
    """Each load generator's start as the bridge saw it, between begin_ns
    and end_ns: {worker_id: {"first_syn": ns, "first_data": ns}} for the
    sources ({worker_id: address}) that sent a request to `balancer`
    ((address, port)). first_data is its first segment carrying data to
    the balancer; first_syn the SYN of the earliest connection that
    carried any (a reachability check's connection carries none)."""
    by_address = {address: worker for worker, address in sources.items()}
    syns = {}  # (address, port) -> the connection's first SYN
    starts = {}
    for s in segments:
        if not begin_ns <= s.time_ns <= end_ns or \
                (s.dst, s.dport) != balancer or s.src not in by_address:
            continue
        connection = (s.src, s.sport)
        if s.flags & (_TCP_SYN | _TCP_ACK) == _TCP_SYN:
            syns.setdefault(connection, s.time_ns)
        elif s.payload > 0:
            start = starts.setdefault(by_address[s.src], {})
            start.setdefault("first_data", s.time_ns)
            if connection in syns:
                syn = syns[connection]
                start["first_syn"] = min(start.get("first_syn", syn), syn)
    return starts


def spread_ns(times):
    """The latest minus the earliest of some instants; None for fewer
    than two."""
    times = list(times)
    return max(times) - min(times) if len(times) >= 2 else None


def parse_time_ns(text):
    """An RFC 3339 UTC time as the API's JSON writes it
    ("2026-12-07T18:00:01.123456789Z") in nanoseconds since the epoch;
    None for None."""
    if text is None:
        return None
    if not text.endswith("Z"):
        raise ValueError(f"{text!r}: not an RFC 3339 UTC time (no Z)")
    whole, _, fraction = text[:-1].partition(".")
    seconds = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    return int(seconds) * 1_000_000_000 + int((fraction + "0" * 9)[:9])


def _field(doc, snake):
    """doc[snake], or its lowerCamelCase spelling (the API's JSON)."""
    if snake in doc:
        return doc[snake]
    head, *rest = snake.split("_")
    return doc.get(head + "".join(word.title() for word in rest))


def balancer_endpoint(item):
    """(address, port) of the balancer a trial's load generators sent to,
    from `results --output json`'s merged result's urls."""
    url = item["result"]["urls"][0]
    host_port = url.split("://", 1)[-1].split("/", 1)[0]
    address, _, port = host_port.rpartition(":")
    return address, int(port)


def load_sources(item):
    """{worker_id: address} of the hosts that generated a trial's load."""
    return {w["worker_id"]: host_address(w["worker_id"])
            for w in item["workers"] if "requests" in w}


def trial_wire(item, attempt, segments):
    """What the bridge saw of one trial's start, within its succeeded
    attempt (`status --output json`'s attempt: from when it was placed to
    when it ended, on the coordinator's clock, which is the capture's):
    {"t0": T0 in ns or None (results' start_time), "starts": first_starts,
    "syn_spread": ns, "data_spread": ns} (spreads None with fewer than two
    hosts seen)."""
    begin = parse_time_ns(_field(attempt, "start_time"))
    end = parse_time_ns(_field(attempt, "end_time"))
    sources = load_sources(item)
    starts = first_starts(segments, balancer_endpoint(item), sources,
                          begin, end)
    return {
        "t0": parse_time_ns(item.get("start_time")),
        "starts": starts,
        "seen_all": set(starts) == set(sources) and all(
            "first_syn" in s for s in starts.values()),
        "syn_spread": spread_ns(s["first_syn"] for s in starts.values()
                                if "first_syn" in s),
        "data_spread": spread_ns(s["first_data"] for s in starts.values()),
    }


def succeeded_attempts(doc):
    """{trial name's last part: its last attempt} from `status --output
    json`, for the trials that succeeded."""
    return {t["name"].rsplit("/", 1)[-1]: t["attempts"][-1]
            for t in doc["trials"]
            if t["state"] == "TRIAL_STATE_SUCCEEDED"}


def trial_id(item):
    """`results`' trial name's last part, to match `status`' trials."""
    return str(item["trial"]).rsplit("/", 1)[-1]


def _capture(args):
    """Captures on the bridge into PCAP until SIGTERM or SIGINT, then stops
    tcpdump by pid. Prints "capturing" once tcpdump listens."""
    capture = Capture(args.pcap)
    capture.start()
    print("capturing", flush=True)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    while not stop and capture.proc.poll() is None:
        time.sleep(0.2)
    print(f"capture: {capture.stop()}", flush=True)
    return 0


def _spread(args):
    """How many trials' load generators sent their first SYN within
    LIMIT of each other; exit 1 when fewer than AT_LEAST of them did."""
    segments = read_pcap(args.pcap)
    with open(args.results) as f:
        items = json.load(f)
    with open(args.status) as f:
        attempts = succeeded_attempts(json.load(f))
    within = 0
    for item in items:
        seen = trial_wire(item, attempts[trial_id(item)], segments)
        spread = seen["syn_spread"]
        ok = spread is not None and spread <= args.limit_us * 1000
        within += ok
        shown = "not seen" if spread is None else f"{spread / 1000:.0f} us"
        print(f"  trial {trial_id(item)}: first SYNs {shown} apart, first "
              f"requests {(seen['data_spread'] or 0) / 1000:.0f} us; "
              f"reported start skew {item['start_skew_us']:.0f} us")
    share = within / len(items) if items else 0
    verdict = "met" if share >= args.at_least else "NOT met"
    print(f"  {within} of {len(items)} trials within {args.limit_us:.0f} us "
          f"on the wire ({share:.2f}; target {args.at_least:.2f}): {verdict}")
    return 0 if share >= args.at_least else 1


def main():
    """bench/start_skew.sh --testbed --offsets: `capture PCAP` (until
    SIGTERM), then `spread PCAP RESULTS STATUS`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    capture = commands.add_parser("capture", help=_capture.__doc__)
    capture.add_argument("pcap")
    capture.set_defaults(run=_capture)
    spread = commands.add_parser("spread", help=_spread.__doc__)
    spread.add_argument("pcap")
    spread.add_argument("results", help="results NAME --output json")
    spread.add_argument("status", help="status NAME --output json")
    spread.add_argument("--limit-us", type=float, default=1000)
    spread.add_argument("--at-least", type=float, default=0.95,
                        help="the share of trials that must be within it")
    spread.set_defaults(run=_spread)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
