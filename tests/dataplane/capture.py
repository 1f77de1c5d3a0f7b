"""Generates the test capture and, for every frame, the ground truth of what it carries.

The truth comes from how each frame was built (scapy layers chosen here, and where a frame was
deliberately cut), never from parsing the frame back, so the expected mirroring computed from
it is independent of vspan's parser.
"""

import ipaddress
import random
import struct

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (
    ICMPv6EchoRequest,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
)
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
from scapy.packet import Raw

ENI_MAC = "02:00:00:00:00:0a"
PEER_MAC = "02:00:00:00:00:0b"
OTHER_MAC = "02:00:00:00:00:0c"
ENI_V4 = "10.1.0.10"
ENI_V6 = "fd00:1::10"


def write_pcap(path, records):
    """Classic pcap, microseconds. records: (bytes, wirelen)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (data, wirelen) in enumerate(records):
            f.write(struct.pack("<IIII", 1_700_000_000 + i // 1000, (i % 1000) * 1000,
                                len(data), max(wirelen, len(data))))
            f.write(data)


class Frame:
    """One frame with its truth: direction ('ingress'/'egress'/None = not the ENI's),
    family (4/6/None), proto, src, dst, sport/dport (None when not readable), fragment."""

    def __init__(self, data, direction, family=None, proto=None, src=None, dst=None,
                 sport=None, dport=None, fragment=False, wirelen=None, note=""):
        self.data = bytes(data)
        self.wirelen = wirelen if wirelen is not None else len(self.data)
        self.direction = direction
        self.family = family
        self.proto = proto
        self.src = ipaddress.ip_address(src) if src else None
        self.dst = ipaddress.ip_address(dst) if dst else None
        self.sport = sport
        self.dport = dport
        self.fragment = fragment
        self.note = note

    def flow(self):
        """Direction-free flow identity, for the same-flow-same-port check."""
        a = (int(self.src), self.sport or 0)
        b = (int(self.dst), self.dport or 0)
        return (self.family, self.proto, min(a, b), max(a, b))


def _eth(direction, vlan=None):
    src, dst = (ENI_MAC, PEER_MAC) if direction == "egress" else (PEER_MAC, ENI_MAC)
    e = Ether(src=src, dst=dst)
    if vlan == "q":
        e = e / Dot1Q(vlan=10)
    elif vlan == "qinq":
        e = Ether(src=src, dst=dst, type=0x88A8) / Dot1AD(vlan=100) / Dot1Q(vlan=20)
    return e


def _pad(pkt, size):
    n = size - len(pkt)
    return pkt / Raw(b"x" * n) if n > 0 else pkt


def _l4(proto, sport, dport, flags="A"):
    if proto == 6:
        return TCP(sport=sport, dport=dport, flags=flags)
    if proto == 17:
        return UDP(sport=sport, dport=dport)
    return ICMP()


def v4(direction, proto, remote, sport, dport, size=80, vlan=None, note=""):
    """An IPv4 frame between the ENI and `remote`; sport/dport from the ENI's point of view
    for egress, the remote's for ingress."""
    src, dst = (ENI_V4, remote) if direction == "egress" else (remote, ENI_V4)
    pkt = _pad(_eth(direction, vlan) / IP(src=src, dst=dst) / _l4(proto, sport, dport), size)
    ports = proto in (6, 17)
    return Frame(bytes(pkt), direction, 4, proto, src, dst,
                 sport if ports else None, dport if ports else None, note=note)


def v6(direction, proto, remote, sport, dport, size=100, ext=False, vlan=None, note=""):
    src, dst = (ENI_V6, remote) if direction == "egress" else (remote, ENI_V6)
    ip = IPv6(src=src, dst=dst)
    if ext:
        ip = ip / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
    l4 = ICMPv6EchoRequest() if proto == 58 else _l4(proto, sport, dport)
    pkt = _pad(_eth(direction, vlan) / ip / l4, size)
    ports = proto in (6, 17)
    return Frame(bytes(pkt), direction, 6, proto, src, dst,
                 sport if ports else None, dport if ports else None, note=note)


def build(rng=None):
    rng = rng or random.Random(7348)
    frames = []
    remotes4 = ["192.0.2.1", "192.0.2.2", "198.18.0.5", "203.0.113.9", "10.1.0.20"]
    remotes6 = ["2001:db8::1", "2001:db8::2", "fd00:1::20"]
    # Plain flows, both directions, small and full-size frames, some VLAN-tagged.
    for i in range(400):
        d = rng.choice(["ingress", "egress"])
        proto = rng.choice([6, 6, 6, 17, 17, 1])
        port = rng.choice([80, 443, 53, 22, 8080, 123])
        eph = rng.choice([40000, 40001, 51515, 33333])
        size = rng.choice([64, 80, 200, 600, 1514])
        vlan = rng.choice([None, None, None, "q", "qinq"])
        remote = rng.choice(remotes4)
        # Ingress: the remote (client) sends from eph to the service port; egress replies.
        sport, dport = (eph, port) if d == "ingress" else (port, eph)
        frames.append(v4(d, proto, remote, sport, dport, size=size, vlan=vlan, note="v4"))
    for i in range(120):
        d = rng.choice(["ingress", "egress"])
        proto = rng.choice([6, 17, 58])
        port = rng.choice([80, 443, 53])
        eph = rng.choice([40000, 40001])
        sport, dport = (eph, port) if d == "ingress" else (port, eph)
        frames.append(v6(d, proto, rng.choice(remotes6), sport, dport,
                         size=rng.choice([90, 300, 1514]), ext=rng.random() < 0.3,
                         vlan=rng.choice([None, "q"]), note="v6"))
    # IPv4 fragments of one UDP datagram to port 53: only the first carries ports.
    dgram = IP(src="192.0.2.1", dst=ENI_V4, id=77) / UDP(sport=40000, dport=53) / Raw(b"q" * 3000)
    from scapy.layers.inet import fragment
    for j, fr in enumerate(fragment(dgram, fragsize=1400)):
        first = j == 0
        frames.append(Frame(bytes(Ether(src=PEER_MAC, dst=ENI_MAC) / fr), "ingress", 4, 17,
                            "192.0.2.1", ENI_V4, 40000 if first else None,
                            53 if first else None, fragment=True, note="v4frag"))
    # IPv6 fragments of one TCP segment to port 80.
    payload = bytes(TCP(sport=40001, dport=80, flags="PA") / Raw(b"h" * 2400))
    chunks = [payload[:1232], payload[1232:]]
    off = 0
    for j, ch in enumerate(chunks):
        more = 1 if j == 0 else 0
        pkt = (Ether(src=PEER_MAC, dst=ENI_MAC) / IPv6(src="2001:db8::1", dst=ENI_V6) /
               IPv6ExtHdrFragment(nh=6, offset=off // 8, m=more, id=99) / Raw(ch))
        off += len(ch)
        frames.append(Frame(bytes(pkt), "ingress", 6, 6, "2001:db8::1", ENI_V6,
                            40001 if j == 0 else None, 80 if j == 0 else None,
                            fragment=True, note="v6frag"))
    # Truncated captures (snap length): cut inside the TCP header after the ports, cut before
    # the ports are complete, and cut inside the IPv4 header.
    full = v4("ingress", 6, "192.0.2.2", 40000, 80, size=1514)
    frames.append(Frame(full.data[:96], "ingress", 4, 6, "192.0.2.2", ENI_V4, 40000, 80,
                        wirelen=1514, note="cut-after-ports"))
    frames.append(Frame(full.data[:14 + 20 + 3], "ingress", 4, 6, "192.0.2.2", ENI_V4,
                        None, None, wirelen=1514, note="cut-in-ports"))
    frames.append(Frame(full.data[:14 + 12], "ingress", None, wirelen=1514, note="cut-in-ip"))
    # Malformed: IHL below 5, IPv4 EtherType with version 6, a runt, ARP, an unknown type.
    bad = bytearray(full.data[:80])
    bad[14] = 0x43
    frames.append(Frame(bad, "ingress", None, note="bad-ihl"))
    bad = bytearray(full.data[:80])
    bad[14] = 0x65
    frames.append(Frame(bad, "ingress", None, note="bad-version"))
    frames.append(Frame(full.data[:10], None, None, note="runt"))
    frames.append(Frame(bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                              ARP(psrc="10.1.0.20", pdst=ENI_V4)), "ingress", None, note="arp"))
    frames.append(Frame(bytes(Ether(src=PEER_MAC, dst=ENI_MAC, type=0x88CC) / Raw(b"l" * 50)),
                        "ingress", None, note="lldp"))
    # Not the ENI's traffic (neither MAC is the ENI's, unicast).
    pkt = Ether(src=PEER_MAC, dst=OTHER_MAC) / IP(src="192.0.2.1", dst="10.1.0.99") / TCP(dport=80)
    frames.append(Frame(bytes(pkt), None, 4, 6, "192.0.2.1", "10.1.0.99", 20, 80, note="foreign"))
    rng.shuffle(frames)
    return frames


def read_pcap(path):
    """Records of a little-endian classic pcap: list of (data, wirelen)."""
    with open(path, "rb") as f:
        blob = f.read()
    magic = struct.unpack_from("<I", blob, 0)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
    out, at = [], 24
    while at < len(blob):
        _, _, incl, orig = struct.unpack_from("<IIII", blob, at)
        at += 16
        out.append((blob[at:at + incl], orig))
        at += incl
    return out
