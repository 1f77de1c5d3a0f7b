"""An independent model of the data plane contract (DESIGN.md), in plain Python.

It decides from the ground truth in capture.Frame, with the contract's rules, which session (if
any) mirrors each frame and how long the copy is. It shares no code with vspan.
"""

import ipaddress

VXLAN_OVERHEAD = 50


def _port_range(s):
    if s in (None, "", "-1/-1"):
        return None
    lo, hi = s.split("/")
    return int(lo), int(hi)


def rule_matches(rule, f):
    if f.family is None:
        return False
    version = rule.get("IpVersion")
    fam = {"IPv4": 4, "IPv6": 6}.get(version)
    nets = [ipaddress.ip_network(rule[k], strict=False)
            for k in ("SourceCidrBlock", "DestinationCidrBlock") if rule.get(k)]
    if fam is None and nets:
        fam = nets[0].version
    if fam is not None and fam != f.family:
        return False
    proto = rule.get("Protocol", "ALL").upper()
    if proto == "TCP" and f.proto != 6:
        return False
    if proto == "UDP" and f.proto != 17:
        return False
    if proto == "ICMP" and f.proto != (1 if f.family == 4 else 58):
        return False
    if rule.get("SourceCidrBlock") and f.src not in ipaddress.ip_network(rule["SourceCidrBlock"], strict=False):
        return False
    if rule.get("DestinationCidrBlock") and f.dst not in ipaddress.ip_network(rule["DestinationCidrBlock"], strict=False):
        return False
    sp, dp = _port_range(rule.get("SourcePortRange")), _port_range(rule.get("DestinationPortRange"))
    if sp or dp:
        if f.sport is None:
            return False
        if sp and not sp[0] <= f.sport <= sp[1]:
            return False
        if dp and not dp[0] <= f.dport <= dp[1]:
            return False
    return True


def _truthy(v):
    return v is True or str(v).lower() == "true"


def decide(sessions_doc, f):
    """(session id, rule) that mirrors f, ('drop', session id) or None."""
    if f.direction is None:
        return None
    filters = {x["TrafficMirrorFilterId"]: x for x in sessions_doc["TrafficMirrorFilters"]}
    sessions = [s for s in sessions_doc["TrafficMirrorSessions"] if _truthy(s.get("Enabled"))]
    sessions.sort(key=lambda s: int(s["Priority"]))
    key = "IngressRules" if f.direction == "ingress" else "EgressRules"
    for s in sessions:
        rules = sorted(filters[s["TrafficMirrorFilterId"]].get(key, []), key=lambda r: int(r["Priority"]))
        for r in rules:
            if rule_matches(r, f):
                if r["Action"].lower() == "accept":
                    return ("mirror", s)
                return ("drop", s)
    return None


def copy_len(session, f, mtu=1500):
    cap = mtu - VXLAN_OVERHEAD
    pl = session.get("PacketLength")
    if pl not in (None, ""):
        cap = min(cap, int(pl))
    return min(len(f.data), cap)


def sessions_doc():
    """The session set of the main test: three enabled sessions and a disabled catch-all."""
    def rule(prio, action, proto="ALL", src="0.0.0.0/0", dst="0.0.0.0/0", sp="-1/-1", dp="-1/-1", ipv=None):
        r = {"TrafficMirrorFilterRuleId": f"tmr-{prio}-{action}", "Priority": prio, "Action": action,
             "Protocol": proto, "SourceCidrBlock": src, "DestinationCidrBlock": dst,
             "SourcePortRange": sp, "DestinationPortRange": dp,
             "TrafficMirrorFilterRuleStatus": "Created"}
        if ipv:
            r["IpVersion"] = ipv
        return r

    def session(sid, prio, vni, filt, target, plen, enabled=True):
        s = {"TrafficMirrorSessionId": sid, "TrafficMirrorSessionName": sid, "Priority": prio,
             "VirtualNetworkId": vni, "Enabled": enabled, "TrafficMirrorFilterId": filt,
             "TrafficMirrorTargetId": target, "TrafficMirrorTargetType": "NetworkInterface",
             "TrafficMirrorSourceIds": ["eni-src"], "TrafficMirrorSessionStatus": "Created",
             "TrafficMirrorSessionBusinessStatus": "Normal", "Tags": [], "ResourceGroupId": "rg-1"}
        if plen is not None:
            s["PacketLength"] = plen
        return s

    return {
        "TrafficMirrorSessions": [
            session("tms-all", 3, 103, "tmf-all", "slb-1", None),
            session("tms-web", 1, 101, "tmf-web", "eni-t1", 128),
            # API outputs sometimes stringify: numbers and booleans as strings.
            session("tms-dns", "2", "102", "tmf-dns", "eni-t2", "96", enabled="true"),
            session("tms-off", 0, 104, "tmf-any", "eni-t1", 64, enabled=False),
        ],
        "TrafficMirrorFilters": [
            {"TrafficMirrorFilterId": "tmf-web",
             "IngressRules": [
                 rule(3, "accept", "TCP", dp="443/443"),
                 rule(1, "drop", "TCP", src="203.0.113.0/24"),
                 rule(2, "accept", "TCP", dp="80/80"),
             ],
             "EgressRules": [rule(1, "accept", "TCP", sp="80/80"), rule(2, "accept", "TCP", sp="443/443")]},
            {"TrafficMirrorFilterId": "tmf-dns",
             "IngressRules": [rule(1, "accept", "UDP", dp="53/53"), rule(5, "drop", "UDP")],
             "EgressRules": [rule(1, "accept", "UDP", sp="53/53")]},
            {"TrafficMirrorFilterId": "tmf-all",
             "IngressRules": [rule(10, "accept"), rule(11, "accept", src="::/0", dst="::/0", ipv="IPv6")],
             "EgressRules": [rule(1, "accept", "ICMP"), rule(2, "accept", "ICMP", src="::/0", dst="::/0", ipv="IPv6"),
                             rule(3, "accept", "TCP")]},
            {"TrafficMirrorFilterId": "tmf-any",
             "IngressRules": [rule(1, "accept")], "EgressRules": [rule(1, "accept")]},
        ],
        "Targets": {"eni-t1": "198.51.100.7", "eni-t2": "198.51.100.8",
                    "slb-1": ["198.51.100.20", "198.51.100.21"]},
    }
