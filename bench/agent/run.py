#!/usr/bin/env python3
"""Side-by-side benchmark: the same traffic on the same veth setup mirrored by (a) `vspan agent`
and (b) the kernel's own mirror (tc u32 + mirred to a VXLAN device with the same VNI), plus a
run without any mirror for the host's own rate. Run as root from the project root:

    python3 bench/agent/run.py [--seconds 5] [--sizes 60,1514] [--profile]

Setup (tests/agent/netns.py, made and removed here): a generator in namespace B sends UDP frames
of one size into b0 as fast as it can (AF_PACKET, sendmmsg, qdisc bypass, pinned to CPU 0);
they arrive on a0 in namespace A (the mirrored host); copies go to 10.201.2.2 in namespace C
over a1<->c0 (MTU 1500). The agent is pinned to CPU 1. Measured per run:

  host rx   frames a0 received per second (its own packet rate, what mirroring costs)
  copies    VXLAN datagrams delivered to C's UDP layer per second (Udp InDatagrams+NoPorts,
            so an IP-fragmented copy counts once, after reassembly)
  loss      1 - copies / frames a0 received and sent (both mirrors copy every IP frame of
            both directions; a0's few ARP frames are mirrored by tc only)
  frags     IP fragments that arrived at C (a copy must never be fragmented)

Nothing leaves the namespaces: they have no default route and no link to the root namespace.
"""

import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "agent"))
import netns  # noqa: E402

VNI = 100
GEN_DIR = ROOT / "bench" / "agent" / "gen"
GEN_TARGET = ROOT / "target" / "bench-gen"


def snmp(topo, ns):
    lines = topo.run(ns, "cat", "/proc/net/snmp").stdout.splitlines()
    out = {}
    for h, v in zip(lines[::2], lines[1::2]):
        proto = h.split(":")[0]
        for k, x in zip(h.split()[1:], v.split()[1:]):
            out[f"{proto}.{k}"] = int(x)
    return out


def stat(topo, ns, dev, name):
    return int(topo.run(ns, "cat", f"/sys/class/net/{dev}/statistics/{name}").stdout)


def sessions_doc():
    rule = {"Priority": 1, "Action": "accept", "Protocol": "ALL"}
    return {"TrafficMirrorSessions": [{
        "TrafficMirrorSessionId": "tms-bench", "Priority": 1, "VirtualNetworkId": VNI,
        "Enabled": True, "TrafficMirrorFilterId": "tmf", "TrafficMirrorTargetId": "t",
        "TrafficMirrorSourceIds": ["a0"]}],
        "TrafficMirrorFilters": [{"TrafficMirrorFilterId": "tmf", "IngressRules": [rule],
                                  "EgressRules": [rule]}],
        "Targets": {"t": netns.C_IP}}


def metrics(topo, addr):
    code = f"import urllib.request;print(urllib.request.urlopen('http://{addr}/metrics').read().decode())"
    out = {}
    for line in topo.run(topo.a, sys.executable, "-c", code).stdout.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = int(float(v))
    return out


def one_run(mode, size, seconds, vspan, gen, profile, outdir):
    with netns.Topology("b") as topo:
        a = topo.a
        agent = None
        # A bound socket at the target that never reads: copies are counted (InDatagrams, or
        # InErrors once its buffer is full) without the target answering each one with an ICMP
        # port unreachable, whose cost would land on whoever sends the copy.
        target = topo.popen(topo.c, sys.executable, "-c",
                            "import socket,time;s=socket.socket(2,2);"
                            f"s.bind(('{netns.C_IP}',4789));print('ready',flush=True);time.sleep(1e6)")
        assert target.stdout.readline().strip() == "ready"
        if mode == "tc":
            topo.run(a, "ip", "link", "add", "vx0", "type", "vxlan", "id", VNI, "remote", netns.C_IP,
                     "local", netns.A1_IP, "dstport", 4789, "dev", "a1")
            topo.run(a, "ip", "link", "set", "vx0", "up")
            topo.run(a, "tc", "qdisc", "add", "dev", "a0", "clsact")
            for d in ("ingress", "egress"):
                topo.run(a, "tc", "filter", "add", "dev", "a0", d, "protocol", "all", "u32", "match",
                         "u32", "0", "0", "action", "mirred", "egress", "mirror", "dev", "vx0")
        elif mode == "vspan":
            f = pathlib.Path(tempfile.mkdtemp()) / "s.json"
            f.write_text(json.dumps(sessions_doc()))
            agent = topo.popen(a, "taskset", "-c", "1", vspan, "agent", "--sessions", f, "--source", "a0",
                               "--metrics-listen", "127.0.0.1:9760", stderr=subprocess.DEVNULL)
            end = time.time() + 10
            while time.time() < end:
                try:
                    if metrics(topo, "127.0.0.1:9760").get(
                            f'vspan_agent_interface_capturing{{interface="a0",eni="a0",ifindex="'
                            f'{topo.run(a, "cat", "/sys/class/net/a0/ifindex").stdout.strip()}"}}') == 1:
                        break
                except subprocess.CalledProcessError:
                    pass
                time.sleep(0.1)
            time.sleep(0.3)
        topo.check_routes()
        rx0 = stat(topo, a, "a0", "rx_packets")
        tx0 = stat(topo, a, "a0", "tx_packets")
        c0 = snmp(topo, topo.c)
        g = topo.popen(topo.b, "taskset", "-c", "0", gen, "b0", topo.mac(a, "a0"), netns.B_IP,
                       netns.A_IP, size, seconds)
        perf = None
        if profile and agent is not None:
            time.sleep(1)
            pid = topo.run(a, "pgrep", "-f", "vspan agent").stdout.split()[0]
            perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", str(outdir / f"perf-{size}.data"),
                                     "-p", pid, "--", "sleep", str(max(1, seconds - 2))],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out, _ = g.communicate(timeout=seconds + 30)
        sent, elapsed = out.split()
        sent, elapsed = int(sent), float(elapsed)
        time.sleep(1.0)  # let the rings and queues drain
        rx = stat(topo, a, "a0", "rx_packets") - rx0
        tx = stat(topo, a, "a0", "tx_packets") - tx0
        c1 = snmp(topo, topo.c)
        copies = (c1["Udp.InDatagrams"] + c1["Udp.NoPorts"] + c1["Udp.InErrors"]) - \
                 (c0["Udp.InDatagrams"] + c0["Udp.NoPorts"] + c0["Udp.InErrors"])
        frags = c1["Ip.ReasmReqds"] - c0["Ip.ReasmReqds"]
        res = dict(mode=mode, size=size, seconds=elapsed, sent=sent, host_rx=rx,
                   host_rx_pps=rx / elapsed, copies=copies if mode != "none" else 0,
                   copies_pps=(copies / elapsed) if mode != "none" else 0,
                   loss=(1 - copies / (rx + tx)) if (mode != "none" and rx) else 0.0, frags=frags)
        if agent is not None:
            m = metrics(topo, "127.0.0.1:9760")
            res["agent_seen"] = m.get('vspan_agent_packets_seen_total{interface="a0",direction="ingress"}', 0) + \
                m.get('vspan_agent_packets_seen_total{interface="a0",direction="egress"}', 0)
            res["agent_kernel_drops"] = m.get('vspan_agent_kernel_drops_total{interface="a0"}', 0)
            res["agent_sent"] = m.get('vspan_agent_packets_sent_total{interface="a0",session="tms-bench",vni="100"}', 0)
            res["agent_mtu_truncated"] = m.get('vspan_agent_mtu_truncated_total{interface="a0"}', 0)
            if perf is not None:
                perf.wait()
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=10)
        return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--sizes", default="60,1514", help="Ethernet frame sizes without FCS (60 = a 64-byte packet)")
    ap.add_argument("--modes", default="none,vspan,tc")
    ap.add_argument("--profile", action="store_true", help="perf record the agent in its runs")
    ap.add_argument("--json", help="write the results here too")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/agent/run.py needs root (network namespaces)")
    vspan = os.environ.get("VSPAN_BIN", str(ROOT / "target" / "release" / "vspan"))
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=GEN_DIR, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(GEN_TARGET)})
    gen = str(GEN_TARGET / "release" / "vspan-bench-gen")
    outdir = pathlib.Path(tempfile.mkdtemp(prefix="vspan-bench-"))
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for mode in args.modes.split(","):
            r = one_run(mode, size, args.seconds, vspan, gen, args.profile, outdir)
            results.append(r)
            print(f"{mode:>6} {size + 4:>5}B  sent {r['sent'] / r['seconds'] / 1e6:6.3f} Mpps  "
                  f"host rx {r['host_rx_pps'] / 1e6:6.3f} Mpps  copies {r['copies_pps'] / 1e6:6.3f} Mpps  "
                  f"loss {100 * r['loss']:6.2f}%  frags {r['frags']}"
                  + (f"  [agent seen {r['agent_seen']} sent {r['agent_sent']} kernel drops "
                     f"{r['agent_kernel_drops']} mtu-cut {r['agent_mtu_truncated']}]" if mode == "vspan" else ""),
                  flush=True)
    print()
    by = {(r["mode"], r["size"]): r for r in results}
    for size in [int(s) for s in args.sizes.split(",")]:
        v, t, n = by.get(("vspan", size)), by.get(("tc", size)), by.get(("none", size))
        if v and t and t["copies_pps"]:
            line = f"{size + 4}B: vspan/tc-mirred copies delivered = {v['copies_pps'] / t['copies_pps']:.2f}"
            if n:
                line += (f"; host rate cost: vspan {100 * (1 - v['host_rx_pps'] / n['host_rx_pps']):.0f}%, "
                         f"tc-mirred {100 * (1 - t['host_rx_pps'] / n['host_rx_pps']):.0f}%")
            print(line)
    if args.profile:
        print(f"perf data in {outdir}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
