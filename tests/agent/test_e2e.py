"""End-to-end test of `vspan agent` (issue 5) across network namespaces made by the test.

Namespaces A and B exchange TCP, UDP and ICMP over a veth pair (MTU 9000); the agent in A
mirrors a0 to 10.201.2.2 in namespace C (path MTU 1500), where `vspan sink` and, independently,
tshark capture. A tshark capture on a0 is the ground truth: from it an independent model of the
session set computes exactly which frames must arrive under which VNI, cut to which length.

Sessions: tms-low (priority 2, listed first, VNI 202, whole packets: cut only by the path MTU)
accepts everything; tms-high (priority 1, VNI 101, packet length 96) drops ingress UDP to 5001
(which then must not reach tms-low either), accepts ingress ICMP and egress UDP to 5000. Phase 2
removes tms-low by rewriting the file and sending SIGHUP: it must stop mirroring at once while
tms-high goes on, without restarting the capture.
"""

import collections
import json
import pathlib
import signal
import struct
import sys
import time
import urllib.request  # noqa: F401  (used inside the namespace through python -c)

import pytest

import netns
import pcap

HERE = pathlib.Path(__file__).parent
TRAFFIC = str(HERE / "traffic.py")
PY = sys.executable
VNI_HIGH, VNI_LOW, PLEN = 101, 202, 96
PATH_MTU = 1500
MAX_COPY = PATH_MTU - 50
METRICS = "127.0.0.1:9751"


def rule(prio, action, proto="ALL", dp="-1/-1"):
    return {"TrafficMirrorFilterRuleId": f"r{prio}", "Priority": prio, "Action": action,
            "Protocol": proto, "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0",
            "SourcePortRange": "-1/-1", "DestinationPortRange": dp}


def sessions(with_low=True):
    high = {"TrafficMirrorSessionId": "tms-high", "Priority": 1, "VirtualNetworkId": VNI_HIGH,
            "Enabled": True, "TrafficMirrorFilterId": "tmf-high", "TrafficMirrorTargetId": "eni-c",
            "TrafficMirrorSourceIds": ["eni-a"], "PacketLength": PLEN}
    low = {"TrafficMirrorSessionId": "tms-low", "Priority": 2, "VirtualNetworkId": VNI_LOW,
           "Enabled": True, "TrafficMirrorFilterId": "tmf-low", "TrafficMirrorTargetId": "eni-c",
           "TrafficMirrorSourceIds": ["eni-a"]}
    return {
        "TrafficMirrorSessions": ([low] if with_low else []) + [high],
        "TrafficMirrorFilters": [
            {"TrafficMirrorFilterId": "tmf-high",
             "IngressRules": [rule(2, "accept", "ICMP"), rule(1, "drop", "UDP", "5001/5001")],
             "EgressRules": [rule(1, "accept", "UDP", "5000/5000")]},
            {"TrafficMirrorFilterId": "tmf-low",
             "IngressRules": [rule(1, "accept")], "EgressRules": [rule(1, "accept")]},
        ],
        "Targets": {"eni-c": netns.C_IP},
    }


def decide(frame, egress, with_low):
    """The independent model: ('mirror', vni, copy) / ('filtered', session) / None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0xF) * 4
    proto = frame[23]
    later_frag = struct.unpack("!H", frame[20:22])[0] & 0x1FFF
    dport = None
    if proto in (6, 17) and not later_frag and len(frame) >= 14 + ihl + 4:
        dport = struct.unpack("!H", frame[14 + ihl + 2:14 + ihl + 4])[0]
    if not egress:
        if proto == 17 and dport == 5001:
            return ("filtered", "tms-high")
        if proto == 1:
            return ("mirror", VNI_HIGH, frame[:PLEN])
    elif proto == 17 and dport == 5000:
        return ("mirror", VNI_HIGH, frame[:PLEN])
    if with_low:
        return ("mirror", VNI_LOW, frame[:MAX_COPY])
    return None


def traffic(topo, phase):
    a, b = topo.a, topo.b
    srv = topo.popen(b, PY, TRAFFIC, "tcp-server", 7000 + phase, 3000)
    assert srv.stdout.readline().strip() == "ready"
    topo.run(a, PY, TRAFFIC, "icmp-echo", netns.B_IP, 5)
    topo.run(a, PY, TRAFFIC, "udp-send", netns.B_IP, 5000, 20, 200)
    topo.run(b, PY, TRAFFIC, "udp-send", netns.A_IP, 5001, 15, 100)
    if phase == 1:
        # 4042-byte frames on the 9000-MTU link: copies must be cut to fit the 1500 path MTU.
        topo.run(a, PY, TRAFFIC, "udp-send", netns.B_IP, 5002, 5, 4000)
    topo.run(a, PY, TRAFFIC, "tcp-client", netns.B_IP, 7000 + phase, 30000)
    srv.wait(timeout=10)


def metrics(topo):
    return metrics_at(topo, METRICS)


def metrics_at(topo, addr):
    """The agent's /metrics, fetched from inside namespace A, as {sample: value}."""
    code = f"import urllib.request;print(urllib.request.urlopen('http://{addr}/metrics').read().decode())"
    text = topo.run(topo.a, PY, "-c", code).stdout
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = int(float(v))
    return out


def wait_for(pred, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def stop(p, sig=signal.SIGINT, timeout=10):
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.communicate(timeout=timeout)
    except Exception:
        p.kill()
        return p.communicate()


@pytest.fixture(scope="module")
def run_e2e(root, vspan, tshark, tmp_path_factory):
    d = tmp_path_factory.mktemp("agent-e2e")
    with netns.Topology("e", mtu_ab=9000, mtu_ac=PATH_MTU) as topo:
        a, b, c = topo.a, topo.b, topo.c
        procs = []
        try:
            sinks = [topo.popen(b, PY, TRAFFIC, "udp-sink", 5000, 5002),
                     topo.popen(a, PY, TRAFFIC, "udp-sink", 5001)]
            procs += sinks
            for s in sinks:
                assert s.stdout.readline().strip() == "ready"
            gt = topo.popen(a, tshark, "-i", "a0", "-p", "-F", "pcap", "-w", d / "a0.pcap", "-q")
            tc = topo.popen(c, tshark, "-i", "c0", "-p", "-F", "pcap", "-w", d / "c0.pcap", "-q",
                            "-f", "udp port 4789")
            sink = topo.popen(c, vspan, "sink", "--listen", f"{netns.C_IP}:4789", "--out", d / "sink",
                              "--json")
            procs += [gt, tc, sink]
            for p in (gt, tc):
                assert wait_for(lambda p=p: "Capturing on" in (p.stderr.readline() or ""), 10)
            (d / "sessions.json").write_text(json.dumps(sessions(True)))
            agent = topo.popen(a, vspan, "agent", "--sessions", d / "sessions.json",
                               "--source", "a0=eni-a", "--metrics-listen", METRICS)
            procs.append(agent)
            assert wait_for(lambda: _capturing(topo), 10), "agent did not start capturing a0"
            time.sleep(0.5)

            traffic(topo, 1)
            time.sleep(1.0)
            boundary = time.time()
            (d / "sessions.json").write_text(json.dumps(sessions(False)))
            agent.send_signal(signal.SIGHUP)
            assert wait_for(lambda: metrics(topo).get("vspan_agent_reloads_total") == 1, 5)
            time.sleep(0.5)  # the worker takes the new sessions at its next wake-up (<= 100 ms)
            traffic(topo, 2)
            time.sleep(1.0)
            m = metrics(topo)
            stats_view = topo.run(a, vspan, "agent", "--stats", "--metrics-listen", METRICS).stdout
            agent_out = stop(agent, signal.SIGTERM)
            assert agent.returncode == 0, agent_out
            time.sleep(0.3)
            sink_out = stop(sink)
            stop(gt)
            stop(tc)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        return dict(dir=d, topo_a_mac=None, boundary=boundary, metrics=m, stats_view=stats_view,
                    agent_err=agent_out[1], sink_out=sink_out[0], a_mac=topo.mac(a, "a0"))


def _capturing(topo):
    try:
        return metrics(topo).get('vspan_agent_interface_capturing{interface="a0",eni="eni-a",ifindex="'
                                 + topo.run(topo.a, "cat", "/sys/class/net/a0/ifindex").stdout.strip()
                                 + '"}') == 1
    except Exception:
        return False


@pytest.fixture(scope="module")
def expected(run_e2e):
    """Ground truth frames on a0 and the model's verdict for each."""
    mac = bytes.fromhex(run_e2e["a_mac"].replace(":", ""))
    rows = []
    for ts, data, orig in pcap.read(run_e2e["dir"] / "a0.pcap"):
        assert len(data) == orig, "ground-truth capture cut a frame"
        egress = data[6:12] == mac
        phase = 1 if ts < run_e2e["boundary"] else 2
        rows.append(dict(ts=ts, data=data, egress=egress, phase=phase,
                         verdict=decide(data, egress, with_low=(phase == 1))))
    return rows


def sink_frames(d, vni):
    files = sorted((d / "sink").glob(f"vni-{vni}-*.pcap"))
    return [data for f in files for _, data, _ in pcap.read(f)]


def test_traffic_is_what_the_test_sent(expected):
    """The ground truth holds exactly the traffic generated (so the counts below mean something)."""
    def count(pred):
        return sum(1 for r in expected if pred(r))
    udp = lambda r, port: r["data"][12:14] == b"\x08\x00" and r["data"][23] == 17 and \
        struct.unpack("!H", r["data"][36:38])[0] == port
    icmp = lambda r: r["data"][12:14] == b"\x08\x00" and r["data"][23] == 1
    for phase in (1, 2):
        assert count(lambda r: r["phase"] == phase and r["egress"] and icmp(r)) == 5
        assert count(lambda r: r["phase"] == phase and not r["egress"] and icmp(r)) == 5
        assert count(lambda r: r["phase"] == phase and r["egress"] and udp(r, 5000)) == 20
        assert count(lambda r: r["phase"] == phase and not r["egress"] and udp(r, 5001)) == 15
    assert count(lambda r: r["phase"] == 1 and r["egress"] and udp(r, 5002)) == 5
    assert count(lambda r: r["phase"] == 2 and udp(r, 5002)) == 0


def test_sink_receives_exactly_the_model_copies(run_e2e, expected):
    for vni in (VNI_HIGH, VNI_LOW):
        want = sorted(r["verdict"][2] for r in expected
                      if r["verdict"] and r["verdict"][0] == "mirror" and r["verdict"][1] == vni)
        got = sorted(sink_frames(run_e2e["dir"], vni))
        assert len(got) == len(want), f"VNI {vni}: {len(got)} copies, model says {len(want)}"
        assert got == want, f"VNI {vni}: copies differ from the model"
    # Nothing under any other VNI.
    vnis = {p.name.split("-")[1] for p in (run_e2e["dir"] / "sink").glob("vni-*.pcap")}
    assert vnis <= {str(VNI_HIGH), str(VNI_LOW)}


def test_counts_per_direction_and_phase(run_e2e, expected):
    """Exact per-direction counts of each session, checked at the sink, per phase."""
    got = collections.Counter()
    for vni in (VNI_HIGH, VNI_LOW):
        for data in sink_frames(run_e2e["dir"], vni):
            got[(vni, data[6:12] == bytes.fromhex(run_e2e["a_mac"].replace(":", "")))] += 1
    want = collections.Counter((r["verdict"][1], r["egress"]) for r in expected
                               if r["verdict"] and r["verdict"][0] == "mirror")
    assert got == want
    # The removed session mirrored nothing after the reload; the other one went on.
    assert sum(1 for r in expected if r["phase"] == 2 and r["verdict"]
               and r["verdict"][0] == "mirror" and r["verdict"][1] == VNI_LOW) == 0
    assert sum(1 for r in expected if r["phase"] == 2 and r["verdict"]
               and r["verdict"][0] == "mirror" and r["verdict"][1] == VNI_HIGH) == 5 + 20


def test_agent_counters_add_up(run_e2e, expected):
    m = run_e2e["metrics"]
    print(run_e2e["stats_view"])
    lab = 'interface="a0"'
    for d, egress in (("ingress", False), ("egress", True)):
        n = sum(1 for r in expected if r["egress"] == egress)
        assert m[f'vspan_agent_packets_seen_total{{{lab},direction="{d}"}}'] == n
    total = len(expected)
    assert m[f"vspan_agent_kernel_packets_total{{{lab}}}"] == total
    assert m[f"vspan_agent_kernel_drops_total{{{lab}}}"] == 0
    for sid, vni in (("tms-high", VNI_HIGH), ("tms-low", VNI_LOW)):
        sl = f'{lab},session="{sid}",vni="{vni}"'
        for d, egress in (("ingress", False), ("egress", True)):
            mir = sum(1 for r in expected if r["egress"] == egress and r["verdict"]
                      and r["verdict"][0] == "mirror" and r["verdict"][1] == vni)
            assert m[f'vspan_agent_packets_mirrored_total{{{sl},direction="{d}"}}'] == mir
            trunc = sum(1 for r in expected if r["egress"] == egress and r["verdict"]
                        and r["verdict"][0] == "mirror" and r["verdict"][1] == vni
                        and len(r["verdict"][2]) < len(r["data"]))
            assert m[f'vspan_agent_packets_truncated_total{{{sl},direction="{d}"}}'] == trunc
        sent = sum(1 for r in expected if r["verdict"] and r["verdict"][0] == "mirror"
                   and r["verdict"][1] == vni)
        assert m[f"vspan_agent_packets_sent_total{{{sl}}}"] == sent
        assert m[f'vspan_agent_send_errors_total{{{sl},reason="mtu"}}'] == 0
        assert m[f'vspan_agent_send_errors_total{{{sl},reason="other"}}'] == 0
    # The drop rule: 15 ingress datagrams per phase filtered by tms-high.
    assert m[f'vspan_agent_packets_filtered_total{{{lab},session="tms-high",vni="{VNI_HIGH}",direction="ingress"}}'] == 30
    mtu_cut = sum(1 for r in expected if r["verdict"] and r["verdict"][0] == "mirror"
                  and len(r["data"]) > MAX_COPY and len(r["verdict"][2]) == MAX_COPY)
    assert mtu_cut >= 5  # the five 4042-byte datagrams at least (plus TCP segments > 1450)
    assert m[f"vspan_agent_mtu_truncated_total{{{lab}}}"] == mtu_cut
    aggregates = sum(1 for r in expected if len(r["data"]) > 9000 + 22)
    assert m[f"vspan_agent_aggregates_total{{{lab}}}"] == aggregates


def test_target_capture_vni_no_fragments(run_e2e, expected):
    """tshark's own view at the target: VNIs, counts, DF, no fragment, flows keep their port."""
    rows = pcap.read(run_e2e["dir"] / "c0.pcap")
    want = collections.Counter(r["verdict"][1] for r in expected
                               if r["verdict"] and r["verdict"][0] == "mirror")
    got = collections.Counter()
    ports = collections.defaultdict(set)
    for _, f, orig in rows:
        assert f[12:14] == b"\x08\x00" and f[23] == 17
        flags = struct.unpack("!H", f[20:22])[0]
        assert flags & 0x4000, "DF not set"
        assert flags & 0x3FFF == 0, "fragment"
        assert len(f) - 14 <= PATH_MTU
        sport, dport = struct.unpack("!HH", f[34:38])
        assert dport == 4789
        vni = struct.unpack("!I", f[46:50])[0] >> 8
        got[vni] += 1
        inner = f[50:]
        if inner[12:14] == b"\x08\x00" and inner[23] in (6, 17) and len(inner) >= 38:
            a, b = inner[26:30], inner[30:34]
            pa, pb = inner[34:36], inner[36:38]
            key = tuple(sorted([(a, pa), (b, pb)])) + (inner[23],)
            ports[key].add(sport)
    assert got == want
    assert all(len(p) == 1 for p in ports.values()), "a flow's two directions left from different ports"
