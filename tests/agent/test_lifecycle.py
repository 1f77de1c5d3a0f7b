"""Agent lifecycle in test namespaces: interfaces that appear, vanish and come back are picked up
and released without a crash; killing the agent (SIGKILL) leaves no socket behind and a
restarted agent mirrors again within one second of its start."""

import json
import signal
import subprocess
import time

import netns
import pcap
from test_e2e import PY, TRAFFIC, metrics_at, stop, wait_for

VNI = 303


def session_doc(source):
    return {
        "TrafficMirrorSessions": [{
            "TrafficMirrorSessionId": "tms-udp", "Priority": 1, "VirtualNetworkId": VNI,
            "Enabled": True, "TrafficMirrorFilterId": "tmf-udp", "TrafficMirrorTargetId": "t",
            "TrafficMirrorSourceIds": [source]}],
        "TrafficMirrorFilters": [{
            "TrafficMirrorFilterId": "tmf-udp",
            "IngressRules": [{"Priority": 1, "Action": "accept", "Protocol": "UDP"}],
            "EgressRules": [{"Priority": 1, "Action": "accept", "Protocol": "UDP"}]}],
        "Targets": {"t": netns.C_IP},
    }


def sink_count(d):
    return sum(len(pcap.read(f)) for f in sorted((d / "sink").glob(f"vni-{VNI}-*.pcap")))


def add_tap(topo):
    """A second link A<->B (as a VM's tap coming up), 10.201.3.0/24."""
    topo.run(topo.a, "ip", "link", "add", "tapa", "type", "veth", "peer", "name", "tapb",
             "netns", topo.b)
    topo.run(topo.a, "ip", "addr", "add", "10.201.3.1/24", "dev", "tapa")
    topo.run(topo.b, "ip", "addr", "add", "10.201.3.2/24", "dev", "tapb")
    topo.run(topo.a, "ip", "link", "set", "tapa", "up")
    topo.run(topo.b, "ip", "link", "set", "tapb", "up")
    out = topo.run(topo.a, "ip", "route", "get", "10.201.3.2").stdout
    assert " dev tapa " in out, out


def test_interfaces_appear_vanish_return(root, vspan, tmp_path):
    metrics = "127.0.0.1:9752"
    with netns.Topology("d") as topo:
        procs = []
        try:
            recv = topo.popen(topo.b, PY, TRAFFIC, "udp-sink", 6000)
            procs.append(recv)
            assert recv.stdout.readline().strip() == "ready"
            sink = topo.popen(topo.c, vspan, "sink", "--listen", f"{netns.C_IP}:4789",
                              "--out", tmp_path / "sink")
            procs.append(sink)
            (tmp_path / "s.json").write_text(json.dumps(session_doc("eni-tap")))
            agent = topo.popen(topo.a, vspan, "agent", "--sessions", tmp_path / "s.json",
                               "--source", "tap*=eni-tap", "--metrics-listen", metrics,
                               "--scan-interval-ms", 100)
            procs.append(agent)
            gauge = lambda: {k: v for k, v in metrics_at(topo, metrics).items()
                             if k.startswith("vspan_agent_interface_capturing{interface=\"tapa\"")}
            assert wait_for(lambda: _safe(lambda: metrics_at(topo, metrics)) is not None, 10)
            assert gauge() == {}  # nothing to capture yet
            for round_ in (1, 2):
                add_tap(topo)
                assert wait_for(lambda: list(gauge().values()) == [1], 5), gauge()
                time.sleep(0.2)
                topo.run(topo.a, PY, TRAFFIC, "udp-send", "10.201.3.2", 6000, 10, 100)
                assert wait_for(lambda: sink_count(tmp_path) >= 10 * round_, 5)
                time.sleep(0.5)
                assert sink_count(tmp_path) == 10 * round_
                topo.run(topo.a, "ip", "link", "del", "tapa")
                assert wait_for(lambda: list(gauge().values()) == [0], 5), gauge()
                assert agent.poll() is None, "agent died when the interface vanished"
            m = metrics_at(topo, metrics)
            assert m['vspan_agent_capture_starts_total{interface="tapa"}'] == 2
            assert m['vspan_agent_packets_sent_total{interface="tapa",session="tms-udp",vni="303"}'] == 20
            out = stop(agent, signal.SIGTERM)
            assert agent.returncode == 0, out
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()


def _safe(f):
    try:
        return f()
    except subprocess.CalledProcessError:
        return None


def kernel_sockets(topo):
    """Packet and UDP sockets open in namespace A (the kernel's own tables)."""
    packet = topo.run(topo.a, "cat", "/proc/net/packet").stdout.splitlines()[1:]
    udp = topo.run(topo.a, "cat", "/proc/net/udp").stdout.splitlines()[1:]
    return len(packet), sorted(l.split()[1] for l in udp)


def test_kill_and_restart(root, vspan, tmp_path):
    metrics = "127.0.0.1:9753"
    with netns.Topology("k") as topo:
        procs = []
        try:
            recv = topo.popen(topo.a, PY, TRAFFIC, "udp-sink", 6001)
            procs.append(recv)
            assert recv.stdout.readline().strip() == "ready"
            baseline = kernel_sockets(topo)
            sink = topo.popen(topo.c, vspan, "sink", "--listen", f"{netns.C_IP}:4789",
                              "--out", tmp_path / "sink")
            procs.append(sink)
            (tmp_path / "s.json").write_text(json.dumps(session_doc("eni-a")))
            cmd = [vspan, "agent", "--sessions", tmp_path / "s.json", "--source", "a0=eni-a",
                   "--metrics-listen", metrics]
            stream = topo.popen(topo.b, PY, TRAFFIC, "udp-stream", netns.A_IP, 6001, 1000, 8)
            procs.append(stream)
            first = topo.popen(topo.a, *cmd)
            procs.append(first)
            assert wait_for(lambda: sink_count(tmp_path) > 100, 5)
            first.send_signal(signal.SIGKILL)
            first.wait()
            time.sleep(0.5)
            assert kernel_sockets(topo) == baseline, "sockets left behind by the killed agent"
            # The sink keeps its file open; count what arrived before the restart.
            time.sleep(0.3)
            before = sink_count(tmp_path)
            t0 = time.time()
            second = topo.popen(topo.a, *cmd)
            procs.append(second)
            assert wait_for(lambda: sink_count(tmp_path) > before + 50, 5)
            stamps = sorted(ts for f in (tmp_path / "sink").glob(f"vni-{VNI}-*.pcap")
                            for ts, _, _ in pcap.read(f))
            resumed = next(ts for ts in stamps if ts > t0) - t0
            print(f"mirroring resumed {resumed * 1000:.0f} ms after the restart")
            (tmp_path / "resume_ms").write_text(f"{resumed * 1000:.1f}")
            assert resumed < 1.0
            stop(second, signal.SIGTERM)
            assert second.returncode == 0
            time.sleep(0.2)
            assert kernel_sockets(topo) == baseline, "sockets left behind after SIGTERM"
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
