"""Network namespaces for the agent's tests and benchmarks, made and removed by the test itself.

Topology (names carry the pid, so parallel runs do not collide):

    ns A: a0 10.201.1.1/24 <--veth--> ns B: b0 10.201.1.2/24     (the mirrored traffic)
    ns A: a1 10.201.2.1/24 <--veth--> ns C: c0 10.201.2.2/24     (the copies, to the target)

Safety: the namespaces have no default route and no link to the root namespace. Before any
traffic, `check_routes` asserts with `ip route get` inside each namespace that every address the
test uses is reached through the test's own veth. IPv6 is disabled on the links so the counts
hold only the traffic the test sends. Everything is removed on exit, also on failure.
"""

import os
import shutil
import subprocess

NET_AB = "10.201.1"
NET_AC = "10.201.2"
A_IP, B_IP = f"{NET_AB}.1", f"{NET_AB}.2"
A1_IP, C_IP = f"{NET_AC}.1", f"{NET_AC}.2"


def sh(*args, check=True, **kw):
    return subprocess.run([str(a) for a in args], check=check, capture_output=True, text=True, **kw)


def is_root():
    return os.geteuid() == 0 and shutil.which("ip") is not None


class Topology:
    def __init__(self, tag="t", mtu_ab=1500, mtu_ac=1500):
        pid = os.getpid()
        self.a, self.b, self.c = (f"vs{tag}{pid}{x}" for x in "abc")
        self.mtu_ab, self.mtu_ac = mtu_ab, mtu_ac
        self.made = []

    def __enter__(self):
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _build(self):
        for ns in (self.a, self.b, self.c):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for conf in ("all", "default"):
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{conf}.disable_ipv6=1")
        # Created inside A, peer moved straight into B / C: no name ever exists in the root ns.
        sh("ip", "-n", self.a, "link", "add", "a0", "mtu", self.mtu_ab, "type", "veth",
           "peer", "name", "b0", "mtu", self.mtu_ab, "netns", self.b)
        sh("ip", "-n", self.a, "link", "add", "a1", "mtu", self.mtu_ac, "type", "veth",
           "peer", "name", "c0", "mtu", self.mtu_ac, "netns", self.c)
        for ns, dev, addr in ((self.a, "a0", A_IP), (self.b, "b0", B_IP), (self.a, "a1", A1_IP),
                              (self.c, "c0", C_IP)):
            sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        self.check_routes()

    def check_routes(self):
        """Every destination the tests use resolves to the test's own veth, in its namespace,
        and no namespace has a default route."""
        for ns, dst, dev in ((self.a, B_IP, "a0"), (self.b, A_IP, "b0"), (self.a, C_IP, "a1"),
                             (self.c, A1_IP, "c0")):
            out = sh("ip", "-n", ns, "route", "get", dst).stdout
            assert f" dev {dev} " in out, f"{ns}: route to {dst} is not via {dev}: {out!r}"
        for ns in (self.a, self.b, self.c):
            routes = sh("ip", "-n", ns, "route", "show").stdout
            assert "default" not in routes, f"{ns} has a default route: {routes!r}"

    def run(self, ns, *args, **kw):
        return sh("ip", "netns", "exec", ns, *args, **kw)

    def popen(self, ns, *args, **kw):
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(["ip", "netns", "exec", ns, *[str(a) for a in args]], text=True, **kw)

    def mac(self, ns, dev):
        return self.run(ns, "cat", f"/sys/class/net/{dev}/address").stdout.strip()

    def close(self):
        # Deleting a namespace deletes its veths (and their peers) and any qdisc on them.
        for ns in reversed(self.made):
            sh("ip", "netns", "pids", ns, check=False)
            pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
            for p in pids:
                sh("kill", "-9", p, check=False)
            sh("ip", "netns", "del", ns, check=False)
        self.made = []
