#!/usr/bin/env python3
"""tests/support/wire.py on pcap files written here: both pcap magics in
both byte orders, Ethernet (with a VLAN tag) and Linux cooked frames, and
which segments count as a load generator's start."""
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

SYN, ACK, PSH = 0x02, 0x10, 0x08
BALANCER = ("10.213.0.11", 8080)
SOURCES = {"h2": "10.213.0.12", "h3": "10.213.0.13"}


def ip_tcp(src, sport, dst, dport, flags, payload=0):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags,
                      65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + payload, 0,
                     0, 64, 6, 0, bytes(map(int, src.split("."))),
                     bytes(map(int, dst.split("."))))
    return ip + tcp + b"G" * payload


def ethernet(packet, vlan=False):
    head = b"\x02" * 12 + (b"\x81\x00\x00\x05" if vlan else b"")
    return head + b"\x08\x00" + packet


def cooked(packet):
    return struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800) + packet


def write_pcap(path, records, order="<", nano=True, link=1, snaplen=96):
    """records: (time_ns, frame)."""
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    with open(path, "wb") as f:
        f.write(struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen,
                            link))
        for time_ns, frame in records:
            sec, ns = divmod(time_ns, 1_000_000_000)
            frac = ns if nano else ns // 1000
            kept = frame[:snaplen]
            f.write(struct.pack(order + "IIII", sec, frac, len(kept),
                                len(frame)))
            f.write(kept)


T = 1_796_666_401_000_000_000


class ReadPcapTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "c.pcap")

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.remove(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def test_every_magic_and_byte_order(self):
        packet = ip_tcp("10.213.0.12", 40000, *BALANCER, PSH | ACK, 200)
        for order in "<>":
            for nano in (True, False):
                write_pcap(self.path, [(T + 123_456_789, ethernet(packet))],
                           order, nano)
                [s] = wire.read_pcap(self.path)
                self.assertEqual(
                    s.time_ns, T + (123_456_789 if nano else 123_456_000))
                self.assertEqual((s.src, s.sport, s.dst, s.dport, s.payload),
                                 ("10.213.0.12", 40000, *BALANCER, 200))

    def test_vlan_and_cooked_frames_and_not_ipv4(self):
        packet = ip_tcp("10.213.0.13", 40001, *BALANCER, SYN)
        write_pcap(self.path, [(T, ethernet(packet, vlan=True)),
                               (T + 1, b"\x02" * 12 + b"\x86\xdd" + packet)])
        self.assertEqual([s.sport for s in wire.read_pcap(self.path)],
                         [40001])
        write_pcap(self.path, [(T, cooked(packet))], link=113)
        [s] = wire.read_pcap(self.path)
        self.assertEqual((s.flags, s.payload), (SYN, 0))

    def test_not_pcap_names_the_file(self):
        with open(self.path, "wb") as f:
            f.write(b"\x0a\x0d\x0d\x0a" + b"\0" * 40)  # pcapng
        with self.assertRaisesRegex(ValueError, "c.pcap: magic"):
            wire.read_pcap(self.path)

    def test_a_record_cut_short_ends_the_file(self):
        packet = ip_tcp("10.213.0.12", 40000, *BALANCER, SYN)
        write_pcap(self.path, [(T, ethernet(packet)),
                               (T + 5, ethernet(packet))])
        with open(self.path, "r+b") as f:
            f.truncate(os.path.getsize(self.path) - 10)
        self.assertEqual(len(wire.read_pcap(self.path)), 1)


class FirstStartsTest(unittest.TestCase):
    def segments(self):
        s = wire.Segment
        h2, h3 = SOURCES["h2"], SOURCES["h3"]
        return [
            # h2's reachability check: a SYN, then a close without data.
            s(T - 900_000, h2, 39000, *BALANCER, SYN, 0),
            s(T - 899_000, h2, 39000, *BALANCER, ACK, 0),
            # Before the window: not this trial.
            s(T - 10_000_000_000, h3, 38000, *BALANCER, SYN, 0),
            s(T - 9_999_000_000, h3, 38000, *BALANCER, PSH | ACK, 100),
            # h2 starts: two connections, the second SYN first on the wire.
            s(T + 40_000, h2, 40001, *BALANCER, SYN, 0),
            s(T + 30_000, h2, 40002, *BALANCER, SYN, 0),
            s(T + 50_000, h2, 40001, *BALANCER, PSH | ACK, 100),
            s(T + 60_000, h2, 40002, *BALANCER, PSH | ACK, 100),
            # The balancer's SYN-ACK to h3 and its request to a target.
            s(T + 65_000, *BALANCER, h3, 40003, SYN | ACK, 0),
            s(T + 66_000, BALANCER[0], 50000, "10.213.0.12", 9000, SYN, 0),
            # h3 starts later.
            s(T + 700_000, h3, 40003, *BALANCER, SYN, 0),
            s(T + 720_000, h3, 40003, *BALANCER, PSH | ACK, 100),
            # Another port of the balancer's host: not the balancer.
            s(T + 10_000, h3, 40004, BALANCER[0], 9999, SYN, 0),
        ]

    def test_first_syn_of_a_connection_with_data_and_first_request(self):
        starts = wire.first_starts(self.segments(), BALANCER, SOURCES,
                                   T - 5_000_000_000, T + 5_000_000_000)
        self.assertEqual(starts, {
            "h2": {"first_syn": T + 30_000, "first_data": T + 50_000},
            "h3": {"first_syn": T + 700_000, "first_data": T + 720_000},
        })
        self.assertEqual(wire.spread_ns(s["first_syn"]
                                        for s in starts.values()), 670_000)
        self.assertIsNone(wire.spread_ns([1]))

    def test_parse_time_ns(self):
        self.assertEqual(wire.parse_time_ns("2026-12-07T18:00:01.000000042Z"),
                         T + 42)
        self.assertEqual(wire.parse_time_ns("2026-12-07T18:00:01.5Z"),
                         T + 500_000_000)
        self.assertIsNone(wire.parse_time_ns(None))
        with self.assertRaises(ValueError):
            wire.parse_time_ns("2026-12-07T18:00:01+01:00")

    def test_balancer_endpoint_and_hosts(self):
        item = {"result": {"urls": ["http://10.213.0.11:8080/"]},
                "workers": [{"worker_id": "h1"},
                            {"worker_id": "workers/h2", "requests": 5}]}
        self.assertEqual(wire.balancer_endpoint(item), BALANCER)
        self.assertEqual(wire.load_sources(item),
                         {"workers/h2": "10.213.0.12"})


if __name__ == "__main__":
    unittest.main()
