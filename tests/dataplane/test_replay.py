"""Acceptance tests of `vspan replay` and `vspan sink` (issue 3), checked with tshark and an
independent Python model of the contract, never against vspan's own numbers alone."""

import collections
import copy
import json
import pathlib
import socket
import subprocess
import time

import pytest

import capture
import model

ENI = "02:00:00:00:00:0a"


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kw)


def tshark_rows(tshark, pcap):
    """One row per outer frame, first occurrence of each field = the outer header."""
    fields = ["ip.src", "ip.dst", "ip.checksum.status", "ip.flags.df", "ip.ttl", "udp.srcport",
              "udp.dstport", "udp.checksum.status", "vxlan.vni", "frame.len"]
    out = run(tshark, "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
              "-T", "fields", "-E", "occurrence=f", "-E", "separator=|",
              *[x for f in fields for x in ("-e", f)]).stdout
    return [dict(zip(fields, line.split("|"))) for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, vspan):
    d = tmp_path_factory.mktemp("replay")
    frames = capture.build()
    doc = model.sessions_doc()
    capture.write_pcap(d / "in.pcap", [(f.data, f.wirelen) for f in frames])
    (d / "sessions.json").write_text(json.dumps(doc, indent=1))
    summary = json.loads(run(vspan, "replay", "--sessions", d / "sessions.json", d / "in.pcap",
                             "-o", d / "out.pcap", "--eni-mac", ENI, "--json").stdout)
    decisions = [model.decide(doc, f) for f in frames]
    mirrored = [(f, s) for f, dec in zip(frames, decisions) if dec and dec[0] == "mirror"
                for s in [dec[1]]]
    return dict(dir=d, frames=frames, doc=doc, summary=summary, decisions=decisions,
                mirrored=mirrored)


def test_capture_covers_what_an_eni_carries(scenario):
    notes = collections.Counter(f.note for f in scenario["frames"])
    for n in ["v4", "v6", "v4frag", "v6frag", "cut-after-ports", "cut-in-ports", "cut-in-ip",
              "bad-ihl", "bad-version", "runt", "arp", "lldp", "foreign"]:
        assert notes[n] > 0, n
    protos = collections.Counter((f.family, f.proto) for f in scenario["frames"])
    for key in [(4, 6), (4, 17), (4, 1), (6, 6), (6, 17), (6, 58)]:
        assert protos[key] > 0, key
    assert any(f.data[12:14] == b"\x81\x00" for f in scenario["frames"])
    assert any(f.data[12:14] == b"\x88\xa8" for f in scenario["frames"])


def test_per_session_counts_match_independent_model(scenario, tshark):
    by_vni = collections.Counter(int(r["vxlan.vni"]) for r in tshark_rows(tshark, scenario["dir"] / "out.pcap"))
    expected = collections.Counter(int(s["VirtualNetworkId"]) for _, s in scenario["mirrored"])
    assert by_vni == expected
    assert 104 not in by_vni  # the disabled session
    # All three sessions mirror something, and drop rules filtered some packets.
    assert set(expected) == {101, 102, 103}
    summary = {s["TrafficMirrorSessionId"]: s for s in scenario["summary"]["sessions"]}
    for sid in ["tms-web", "tms-dns", "tms-all"]:
        want_m = sum(1 for d in scenario["decisions"] if d and d[0] == "mirror" and d[1]["TrafficMirrorSessionId"] == sid)
        want_f = sum(1 for d in scenario["decisions"] if d and d[0] == "drop" and d[1]["TrafficMirrorSessionId"] == sid)
        assert (summary[sid]["mirrored"], summary[sid]["filtered"]) == (want_m, want_f), sid
    assert summary["tms-web"]["filtered"] > 0 and summary["tms-dns"]["filtered"] > 0
    assert scenario["summary"]["read"] == len(scenario["frames"])
    assert scenario["summary"]["foreign"] == sum(1 for f in scenario["frames"] if f.direction is None)


def test_outer_headers_vni_truncation_and_checksums(scenario, tshark):
    rows = tshark_rows(tshark, scenario["dir"] / "out.pcap")
    assert len(rows) == len(scenario["mirrored"])
    targets = scenario["doc"]["Targets"]
    truncated = 0
    for r, (f, s) in zip(rows, scenario["mirrored"]):
        assert r["udp.dstport"] == "4789"
        assert int(r["vxlan.vni"]) == int(s["VirtualNetworkId"])
        assert r["ip.checksum.status"] == "1", r  # 1 = Good
        assert r["udp.checksum.status"] == "1", r
        assert r["ip.flags.df"] in ("1", "True") and r["ip.ttl"] == "64"
        assert r["ip.src"] == "10.0.0.1"
        t = targets[s["TrafficMirrorTargetId"]]
        assert r["ip.dst"] in (t if isinstance(t, list) else [t])
        inner = int(r["frame.len"]) - 50
        assert inner == model.copy_len(s, f), (f.note, s["TrafficMirrorSessionId"])
        truncated += inner < len(f.data)
        assert 49152 <= int(r["udp.srcport"]) <= 65535
    assert truncated == scenario["summary"]["truncated"] > 0
    # Both SLB backends are used.
    assert {r["ip.dst"] for r in rows} >= {"198.51.100.20", "198.51.100.21"}


def test_same_flow_same_source_port_both_directions(scenario, tshark):
    rows = tshark_rows(tshark, scenario["dir"] / "out.pcap")
    ports = collections.defaultdict(set)
    dirs = collections.defaultdict(set)
    for r, (f, _) in zip(rows, scenario["mirrored"]):
        if f.fragment:
            continue
        ports[f.flow()].add(r["udp.srcport"])
        dirs[f.flow()].add(f.direction)
    assert all(len(p) == 1 for p in ports.values()), {k: v for k, v in ports.items() if len(v) > 1}
    assert sum(1 for d in dirs.values() if len(d) == 2) >= 5  # flows seen both ways
    assert len({p for s in ports.values() for p in s}) > 10  # entropy across flows


def test_sink_round_trip_gives_truncated_inner_frames(scenario, vspan):
    d = scenario["dir"]
    out = json.loads(run(vspan, "sink", "--pcap", d / "out.pcap", "--out", d / "sink", "--json").stdout)
    expected = collections.defaultdict(list)
    for f, s in scenario["mirrored"]:
        expected[int(s["VirtualNetworkId"])].append(f)
    assert {int(k): v["packets"] for k, v in out["vni"].items()} == {k: len(v) for k, v in expected.items()}
    for vni, frames in expected.items():
        got = capture.read_pcap(d / "sink" / f"vni-{vni}-00000.pcap")
        s = next(s for _, s in scenario["mirrored"] if int(s["VirtualNetworkId"]) == vni)
        assert [g[0] for g in got] == [f.data[:model.copy_len(s, f)] for f in frames]
        # The original length is the frame's length on the wire when its IP header says so.
        for (data, orig), f in zip(got, frames):
            assert orig >= len(data)
            if f.family is not None:
                assert orig == f.wirelen, f.note


def test_sink_listen_on_loopback(scenario, vspan, tmp_path):
    records = capture.read_pcap(scenario["dir"] / "out.pcap")
    payloads = [data[42:] for data, _ in records][:100]
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen([vspan, "sink", "--listen", f"127.0.0.1:{port}", "--out", str(tmp_path),
                             "--count", str(len(payloads)), "--duration", "30", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "listening" in line, line
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for p in payloads:
            tx.sendto(p, ("127.0.0.1", port))
            time.sleep(0.0005)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    counts = json.loads(out)["vni"]
    assert sum(v["packets"] for v in counts.values()) == len(payloads)
    got = [r[0] for vni in sorted(counts) for r in capture.read_pcap(tmp_path / f"vni-{vni}-00000.pcap")]
    assert sorted(got) == sorted(p[8:] for p in payloads)


def test_pcapng_input_gives_the_same_output(scenario, vspan):
    d = scenario["dir"]
    run("editcap", "-F", "pcapng", d / "in.pcap", d / "in.pcapng")
    run(vspan, "replay", "--sessions", d / "sessions.json", d / "in.pcapng", "-o", d / "ng.pcap",
        "--eni-mac", ENI)
    assert (d / "ng.pcap").read_bytes() == (d / "out.pcap").read_bytes()


def test_direction_flag(scenario, vspan, tshark):
    d = scenario["dir"]
    out = json.loads(run(vspan, "replay", "--sessions", d / "sessions.json", d / "in.pcap",
                         "-o", d / "egress.pcap", "--direction", "egress", "--json").stdout)
    forced = []
    for f in scenario["frames"]:
        g = copy.copy(f)
        g.direction = "egress"
        forced.append(g)
    want = sum(1 for f in forced if (dec := model.decide(scenario["doc"], f)) and dec[0] == "mirror")
    assert out["mirrored"] == want == len(tshark_rows(tshark, d / "egress.pcap"))


def test_cross_session_semantics(vspan, tshark, tmp_path):
    """A drop in the higher-priority session keeps a packet from a lower-priority session that
    would accept it; a packet no rule of the first session matches goes to the second."""
    doc = {
        "TrafficMirrorSessions": [
            {"TrafficMirrorSessionId": "second", "Priority": 2, "VirtualNetworkId": 2, "Enabled": True,
             "TrafficMirrorFilterId": "f-all", "TrafficMirrorTargetId": "t"},
            {"TrafficMirrorSessionId": "first", "Priority": 1, "VirtualNetworkId": 1, "Enabled": True,
             "TrafficMirrorFilterId": "f-web", "TrafficMirrorTargetId": "t"},
        ],
        "TrafficMirrorFilters": [
            {"TrafficMirrorFilterId": "f-web", "IngressRules": [
                {"Priority": 1, "Action": "drop", "Protocol": "TCP", "SourceCidrBlock": "0.0.0.0/0",
                 "DestinationCidrBlock": "0.0.0.0/0", "SourcePortRange": "-1/-1", "DestinationPortRange": "80/80"},
                {"Priority": 2, "Action": "accept", "Protocol": "TCP", "SourceCidrBlock": "0.0.0.0/0",
                 "DestinationCidrBlock": "0.0.0.0/0", "SourcePortRange": "-1/-1", "DestinationPortRange": "22/22"}]},
            {"TrafficMirrorFilterId": "f-all", "IngressRules": [
                {"Priority": 1, "Action": "accept", "Protocol": "ALL", "SourceCidrBlock": "0.0.0.0/0",
                 "DestinationCidrBlock": "0.0.0.0/0"}]},
        ],
        "Targets": {"t": "127.0.0.1"},
    }
    frames = [capture.v4("ingress", 6, "192.0.2.1", 40000, 80),   # dropped by "first"
              capture.v4("ingress", 6, "192.0.2.1", 40000, 22),   # mirrored by "first"
              capture.v4("ingress", 17, "192.0.2.1", 40000, 53)]  # no rule of "first": "second"
    capture.write_pcap(tmp_path / "in.pcap", [(f.data, f.wirelen) for f in frames])
    (tmp_path / "s.json").write_text(json.dumps(doc))
    summary = json.loads(run(vspan, "replay", "--sessions", tmp_path / "s.json", tmp_path / "in.pcap",
                             "-o", tmp_path / "out.pcap", "--direction", "ingress", "--json").stdout)
    out = run(tshark, "-r", tmp_path / "out.pcap", "-T", "fields", "-E", "separator=|",
              "-e", "vxlan.vni", "-e", "tcp.dstport", "-e", "udp.dstport").stdout.split()
    # Inner udp.dstport follows the outer 4789 in the list of occurrences.
    assert out == ["1|22|4789", "2||4789,53"]
    assert [(s["TrafficMirrorSessionId"], s["mirrored"], s["filtered"]) for s in summary["sessions"]] == \
        [("first", 1, 1), ("second", 1, 0)]
