"""Acceptance 6: malformed input. For CreateTrafficMirrorSession, AddSourcesToTrafficMirrorSession,
CreateTrafficMirrorFilter and ListTrafficMirrorSessions, every parameter is sent missing, empty,
oversized (10k chars), non-UTF-8 (%FF) and wrong-typed, through raw V1-signed HTTP. Each answer
must be the documented Missing<Name> / InvalidParam.<Name> code (HTTP 400) in a JSON body, never
a 5xx, and the server must still be alive afterwards.

Expected outcomes: a code, a set of acceptable codes where docs/aliyun.md leaves the choice open
(documented in each row), OK (HTTP 200), or ANY (any JSON answer but a 5xx: robustness only)."""
from __future__ import annotations

import pytest

from aliyun_kit import REGION, assert_raw_error, assert_raw_ok, create_filter, create_session

OK = "OK"
ANY = "ANY"
MISSING = object()           # drop the parameter
BIG = "x" * 10_000
BIG_NUM = "1" * 10_000
FF = b"\xff"
BAD_UTF8 = b"ab\xc3\x28cd"   # an invalid 2-byte sequence


# ----------------------------------------------------------------------------- base requests

def base_create_session(ctx):
    w = ctx.world
    return [("RegionId", REGION), ("TrafficMirrorSourceIds.1", w.eni()),
            ("TrafficMirrorTargetId", w.eni()), ("TrafficMirrorTargetType", "NetworkInterface"),
            ("TrafficMirrorFilterId", ctx.filter_id), ("Priority", str(w.priority())),
            ("VirtualNetworkId", "10"), ("PacketLength", "1500"), ("Enabled", "false"),
            ("TrafficMirrorSessionName", "malformed"), ("TrafficMirrorSessionDescription", "d"),
            ("ResourceGroupId", "rg-malformed0001"), ("Tag.1.Key", "k"), ("Tag.1.Value", "v"),
            ("ClientToken", ctx.token()), ("DryRun", "false")]


def base_add_sources(ctx):
    sid = create_session(ctx.a, ctx.world)
    return [("RegionId", REGION), ("TrafficMirrorSessionId", sid),
            ("TrafficMirrorSourceIds.1", ctx.world.eni()), ("ClientToken", ctx.token()),
            ("DryRun", "false")]


def base_create_filter(ctx):
    return [("RegionId", REGION), ("TrafficMirrorFilterName", "malformed"),
            ("TrafficMirrorFilterDescription", "d"), ("ResourceGroupId", "rg-malformed0001"),
            ("Tag.1.Key", "k"), ("Tag.1.Value", "v"), ("ClientToken", ctx.token()), ("DryRun", "false"),
            ("IngressRules.1.Action", "accept"), ("IngressRules.1.Priority", "1"),
            ("IngressRules.1.Protocol", "TCP"), ("IngressRules.1.IpVersion", "IPv4"),
            ("IngressRules.1.SourceCidrBlock", "10.0.0.0/8"),
            ("IngressRules.1.DestinationCidrBlock", "0.0.0.0/0"),
            ("IngressRules.1.SourcePortRange", "1/65535"),
            ("IngressRules.1.DestinationPortRange", "80/80"),
            ("EgressRules.1.Action", "drop"), ("EgressRules.1.Priority", "1"),
            ("EgressRules.1.Protocol", "UDP"), ("EgressRules.1.SourceCidrBlock", "0.0.0.0/0"),
            ("EgressRules.1.DestinationCidrBlock", "10.0.0.0/8"),
            ("EgressRules.1.SourcePortRange", "53/53"), ("EgressRules.1.DestinationPortRange", "1/65535")]


def base_list_sessions(ctx):
    return [("RegionId", REGION), ("MaxResults", "10")]


OPS = {
    "CreateTrafficMirrorSession": base_create_session,
    "AddSourcesToTrafficMirrorSession": base_add_sources,
    "CreateTrafficMirrorFilter": base_create_filter,
    "ListTrafficMirrorSessions": base_list_sessions,
}


# ----------------------------------------------------------------------------- case tables

def required_str(name, listname=None, notfound=None):
    """A required string (or the first member of a required list, wire name `name`)."""
    base = listname or name
    big = {f"InvalidParam.{base}"} | ({notfound} if notfound else set())
    empty = f"Missing{base}" if not listname else {f"Missing{base}", f"InvalidParam.{base}"}
    return [(name, "missing", MISSING, f"Missing{base}"),
            (name, "empty", "", empty),
            (name, "oversized", BIG, big),
            (name, "non-utf8", FF, f"InvalidParam.{base}"),
            (name, "bad-utf8-seq", BAD_UTF8, f"InvalidParam.{base}")]


def optional_text(name, maxlen):
    code = f"InvalidParam.{name}"
    return [(name, "missing", MISSING, OK),
            (name, "empty", "", code),
            (name, "max-length", "n" * maxlen, OK),
            (name, "too-long", "n" * (maxlen + 1), code),
            (name, "oversized", BIG, code),
            (name, "http-prefix", "http://example.com", code),
            (name, "https-prefix", "https://example.com", code),
            (name, "non-utf8", FF, code),
            (name, "bad-utf8-seq", BAD_UTF8, code),
            (name, "unicode-ok", "镜像 ünïcödé", OK)]


def int_param(name, lo, hi, required=False):
    code = f"InvalidParam.{name}"
    rows = [(name, "missing", MISSING, f"Missing{name}" if required else OK),
            (name, "empty", "", f"Missing{name}" if required else code),
            (name, "oversized", BIG_NUM, code),
            (name, "non-utf8", FF, code),
            (name, "word", "abc", code),
            (name, "float", "1.5", code),
            (name, "below", str(lo - 1), code),
            (name, "above", str(hi + 1), code),
            (name, "u64-overflow", "99999999999999999999", code),
            (name, "low-bound", str(lo), OK),
            (name, "high-bound", str(hi), OK)]
    return rows


def bool_param(name):
    code = f"InvalidParam.{name}"
    return [(name, "missing", MISSING, OK),
            (name, "empty", "", code),
            (name, "word", "maybe", code),
            (name, "oversized", BIG, code),
            (name, "non-utf8", FF, code),
            (name, "True", "True", OK),
            (name, "FALSE", "FALSE", OK)]


def client_token():
    code = "InvalidParam.ClientToken"
    return [("ClientToken", "missing", MISSING, OK),
            # an empty token: docs leave it open (treat as absent, or refuse)
            ("ClientToken", "empty", "", {OK, code}),
            ("ClientToken", "64-chars", lambda ctx, op: (op + "-" + "t" * 64)[:64], OK),
            ("ClientToken", "65-chars", "t" * 65, code),
            ("ClientToken", "oversized", BIG, code),
            ("ClientToken", "non-ascii", "jeton-é", code),
            ("ClientToken", "non-utf8", FF, code)]


def dry_run():
    rows = bool_param("DryRun")
    return [r for r in rows if r[1] != "True"]      # DryRun=True answers DryRunOperation


def region_id():
    return [("RegionId", "missing", MISSING, "MissingRegionId"),
            ("RegionId", "empty", "", "MissingRegionId"),
            ("RegionId", "oversized", BIG, ANY),       # unknown region: not specified
            ("RegionId", "non-utf8", FF, "InvalidParam.RegionId")]


def resource_group():
    code = "InvalidParam.ResourceGroupId"
    return [("ResourceGroupId", "missing", MISSING, OK),
            ("ResourceGroupId", "empty", "", {OK, code}),
            ("ResourceGroupId", "oversized", BIG, {code}),
            ("ResourceGroupId", "non-utf8", FF, code)]


def create_tags(prefix="Tag"):
    # "for list members the base name": Tag, or Tag.Key / Tag.Value with the index taken out;
    # docs/aliyun.md does not say which for members of a list of objects
    kcode = {f"InvalidParam.{prefix}", f"InvalidParam.{prefix}.Key"}
    vcode = {f"InvalidParam.{prefix}", f"InvalidParam.{prefix}.Value"}
    missing = {f"Missing{prefix}", f"Missing{prefix}.Key"} | kcode
    return [(f"{prefix}.1.Key", "missing", MISSING, missing),
            (f"{prefix}.1.Key", "empty", "", missing),
            (f"{prefix}.1.Key", "aliyun-prefix", "aliyun:x", kcode),
            (f"{prefix}.1.Key", "acs-prefix", "acs:x", kcode),
            (f"{prefix}.1.Key", "http", "http://x", kcode),
            (f"{prefix}.1.Key", "too-long", "k" * 129, kcode),
            (f"{prefix}.1.Key", "oversized", BIG, kcode),
            (f"{prefix}.1.Key", "non-utf8", FF, kcode),
            (f"{prefix}.1.Value", "missing", MISSING, OK),
            (f"{prefix}.1.Value", "empty", "", OK),
            (f"{prefix}.1.Value", "too-long", "v" * 129, vcode),
            (f"{prefix}.1.Value", "oversized", BIG, vcode),
            (f"{prefix}.1.Value", "non-utf8", FF, vcode)]


def rule_fields(p, proto_ports=True):
    rows = []

    def field(f, missing_code):
        name = f"{p}.1.{f}"
        code = f"InvalidParam.{f}"
        # bytes that are no field value at all (too long, not UTF-8): the rule row says
        # InvalidParam.<Field>, the common rule's example says InvalidParam.IngressRules
        # (list members: the base name); either is the documented answer
        enc_err = {code, f"InvalidParam.{p}"}
        return [(name, "missing", MISSING, missing_code),
                (name, "empty", "", f"Missing{f}" if missing_code != OK else {OK, code}),
                (name, "oversized", BIG, enc_err),
                (name, "non-utf8", FF, enc_err)]
    rows += field("Action", "MissingAction")
    rows += [(f"{p}.1.Action", "word", "maybe", "InvalidParam.Action")]
    rows += field("Priority", "MissingPriority")
    rows += [(f"{p}.1.Priority", v, v, "InvalidParam.Priority") for v in ("abc", "0", "11", "-1", "1.5")]
    rows += [(f"{p}.1.Priority", "max", "10", OK)]
    rows += field("Protocol", "MissingProtocol")
    rows += [(f"{p}.1.Protocol", "SCTP", "SCTP", "InvalidParam.Protocol")]
    rows += field("SourceCidrBlock", "MissingSourceCidrBlock")
    rows += [(f"{p}.1.SourceCidrBlock", v, v, "InvalidParam.SourceCidrBlock")
             for v in ("10.0.0.0/33", "300.0.0.0/8", "abc", "::/0", "10.0.0.0/-1")]
    rows += field("DestinationCidrBlock", "MissingDestinationCidrBlock")
    rows += [(f"{p}.1.DestinationCidrBlock", v, v, "InvalidParam.DestinationCidrBlock")
             for v in ("1.2.3.4/40", "2001:db8::/32")]
    if proto_ports:
        rows += field("SourcePortRange", "MissingSourcePortRange")
        rows += [(f"{p}.1.SourcePortRange", v, v, "InvalidParam.SourcePortRange")
                 for v in ("0/80", "80/70", "1/65536", "abc", "80", "-1/-1", "1/2/3")]
        rows += field("DestinationPortRange", "MissingDestinationPortRange")
        rows += [(f"{p}.1.DestinationPortRange", v, v, "InvalidParam.DestinationPortRange")
                 for v in ("65536/65536", "a/b")]
    return rows


def ip_version(p):
    name = f"{p}.1.IpVersion"
    code = "InvalidParam.IpVersion"
    return [(name, "missing", MISSING, OK),
            (name, "empty", "", {OK, code}),
            (name, "IPv5", "IPv5", code),
            (name, "oversized", BIG, {code, f"InvalidParam.{p}"}),
            (name, "non-utf8", FF, {code, f"InvalidParam.{p}"}),
            # IPv6 with the base's IPv4 CIDRs: the CIDRs are of the wrong version
            (name, "v6-with-v4-cidrs", "IPv6",
             {"InvalidParam.SourceCidrBlock", "InvalidParam.DestinationCidrBlock"})]


def list_member(name_base, notfound=None, optional=True):
    name = f"{name_base}.1"
    code = f"InvalidParam.{name_base}"
    return [(name, "empty", "", {OK, code} if optional else {f"Missing{name_base}", code}),
            (name, "oversized", BIG, {OK, code} | ({notfound} if notfound else set())),
            (name, "non-utf8", FF, code)]


def optional_filter_str(name):
    code = f"InvalidParam.{name}"
    return [(name, "empty", "", {OK, code}),
            (name, "oversized", BIG, {OK, code}),
            (name, "non-utf8", FF, code)]


CASES = {
    "CreateTrafficMirrorSession":
        region_id()
        + required_str("TrafficMirrorSourceIds.1", "TrafficMirrorSourceIds",
                       "ResourceNotFound.NetworkInterface")
        + required_str("TrafficMirrorTargetId", notfound="ResourceNotFound.NetworkInterface")
        + required_str("TrafficMirrorTargetType")
        + [("TrafficMirrorTargetType", "unknown", "Router", "InvalidParam.TrafficMirrorTargetType")]
        + required_str("TrafficMirrorFilterId", notfound="ResourceNotFound.TrafficMirrorFilter")
        + [r for r in int_param("Priority", 1, 32766, required=True) if r[1] != "low-bound"]
        + int_param("VirtualNetworkId", 0, 16777215)
        + int_param("PacketLength", 64, 8500)
        + bool_param("Enabled")
        + optional_text("TrafficMirrorSessionName", 128)
        + optional_text("TrafficMirrorSessionDescription", 256)
        + resource_group() + create_tags() + client_token() + dry_run(),
    "AddSourcesToTrafficMirrorSession":
        region_id()
        + required_str("TrafficMirrorSessionId", notfound="ResourceNotFound.TrafficMirrorSession")
        + required_str("TrafficMirrorSourceIds.1", "TrafficMirrorSourceIds",
                       "ResourceNotFound.NetworkInterface")
        + client_token() + dry_run(),
    "CreateTrafficMirrorFilter":
        region_id()
        + optional_text("TrafficMirrorFilterName", 128)
        + optional_text("TrafficMirrorFilterDescription", 256)
        + resource_group() + create_tags() + client_token() + dry_run()
        + rule_fields("IngressRules") + ip_version("IngressRules")
        + rule_fields("EgressRules"),
    "ListTrafficMirrorSessions":
        region_id()
        + [r for r in int_param("MaxResults", 1, 100) if r[1] != "oversized"]
        + [("MaxResults", "oversized", BIG_NUM, "InvalidParam.MaxResults")]
        + [("NextToken", "garbage", "not-a-token", {OK, "InvalidParam.NextToken"}),
           ("NextToken", "oversized", BIG, {OK, "InvalidParam.NextToken"}),
           ("NextToken", "non-utf8", FF, "InvalidParam.NextToken")]
        + list_member("TrafficMirrorSessionIds")
        + optional_filter_str("TrafficMirrorSessionName")
        + optional_filter_str("TrafficMirrorSourceId")
        + optional_filter_str("TrafficMirrorTargetId")
        + optional_filter_str("TrafficMirrorFilterId")
        + optional_filter_str("ResourceGroupId")
        + [r for r in int_param("VirtualNetworkId", 0, 16777215) if r[1] != "missing"]
        + [r for r in int_param("Priority", 1, 32766) if r[1] != "missing"]
        + [r for r in bool_param("Enabled") if r[1] != "missing"]
        + [("Tags.1.Key", "non-utf8", FF, "InvalidParam.Tags"),
           ("Tags.1.Value", "non-utf8", FF, "InvalidParam.Tags"),
           ("Tags.1.Key", "oversized", BIG, {OK, "InvalidParam.Tags"})],
}

# a few rows that are not one-parameter mutations
EXTRA = {
    "CreateTrafficMirrorSession": [
        ("too many sources", [(f"TrafficMirrorSourceIds.{i}", None) for i in range(1, 12)],
         "QuotaExceeded.SourceNumPerSession"),
        ("list index 0", [("TrafficMirrorSourceIds.0", "eni-x")], ANY),
        ("list index word", [("TrafficMirrorSourceIds.abc", "eni-x")], ANY),
        ("non-utf8 parameter name", [(b"Foo\xff", "1")], ANY),
        ("target type SLB with an ENI id", [("TrafficMirrorTargetType", "SLB")],
         "ResourceNotFound.LoadBalancer"),
    ],
    "AddSourcesToTrafficMirrorSession": [
        ("unknown session id", [("TrafficMirrorSessionId", "tms-doesnotexist00000000")],
         "ResourceNotFound.TrafficMirrorSession"),
        ("non-utf8 parameter name", [(b"Foo\xff", "1")], ANY),
        ("gap in list indexes", [("TrafficMirrorSourceIds.5", None)], ANY),
    ],
    "CreateTrafficMirrorFilter": [
        ("ALL with ports", [("IngressRules.1.Protocol", "ALL")], "InvalidParam.SourcePortRange"),
        ("ALL with -1/-1 ports", [("IngressRules.1.Protocol", "ALL"),
                                  ("IngressRules.1.SourcePortRange", "-1/-1"),
                                  ("IngressRules.1.DestinationPortRange", "-1/-1")], OK),
        ("ICMP without ports", [("IngressRules.1.Protocol", "icmp"),
                                ("IngressRules.1.SourcePortRange", MISSING),
                                ("IngressRules.1.DestinationPortRange", MISSING)], OK),
        ("duplicate priority in a direction", [("IngressRules.2.Action", "accept"),
                                               ("IngressRules.2.Priority", "1"),
                                               ("IngressRules.2.Protocol", "ALL"),
                                               ("IngressRules.2.SourceCidrBlock", "0.0.0.0/0"),
                                               ("IngressRules.2.DestinationCidrBlock", "0.0.0.0/0")],
         "DuplicatedParam.Priority"),
        ("IPv6 rule", [("IngressRules.1.IpVersion", "IPv6"),
                       ("IngressRules.1.SourceCidrBlock", "2001:db8::/32"),
                       ("IngressRules.1.DestinationCidrBlock", "::/0")], OK),
        ("non-utf8 parameter name", [(b"IngressRules.1.\xff", "1")], ANY),
    ],
    "ListTrafficMirrorSessions": [
        ("101 session ids", [(f"TrafficMirrorSessionIds.{i}", f"tms-{i:020d}") for i in range(1, 102)],
         "InvalidParam.TrafficMirrorSessionIds"),
        ("100 session ids", [(f"TrafficMirrorSessionIds.{i}", f"tms-{i:020d}") for i in range(1, 101)], OK),
        ("non-utf8 parameter name", [(b"Foo\xff", "1")], ANY),
        ("RegionId twice (the SDK does it on GetStatus)", [("RegionId", REGION)], ANY),
    ],
}


class Ctx:
    def __init__(self, srv):
        self.srv = srv
        self.world = srv.world
        self.a = srv.client("A")
        self.raw = srv.raw("A")
        self._filter = None
        self._n = 0

    @property
    def filter_id(self):
        if self._filter is None:
            self._filter = create_filter(self.a)
        return self._filter

    def token(self):
        self._n += 1
        return f"malformed-token-{self._n:06d}"


@pytest.fixture(scope="module")
def ctx(srv):
    return Ctx(srv)


def mutate(pairs, name, value):
    if value is MISSING:
        return [(k, v) for k, v in pairs if k != name]
    if any(k == name for k, _ in pairs):
        return [(k, value if k == name else v) for k, v in pairs]
    return pairs + [(name, value)]


def check(resp, expected, what):
    assert resp.status < 500, f"{what}: 5xx {resp!r}"
    assert resp.json is not None, f"{what}: non-JSON body {resp!r}"
    if expected == OK:
        assert resp.status == 200, f"{what}: expected success, got {resp!r}"
        return
    opts = {expected} if isinstance(expected, str) else set(expected)
    if OK in opts and resp.status == 200:
        return
    if expected == ANY:
        assert resp.status == 200 or (400 <= resp.status < 500 and resp.code), f"{what}: {resp!r}"
        return
    assert_raw_error(resp, opts - {OK})


def _ids(table):
    return [f"{op}:{name}:{variant}" for op, rows in table.items() for name, variant, _, _ in rows]


PARAMS = [(op, name, variant, value, exp) for op, rows in CASES.items()
          for name, variant, value, exp in rows]


@pytest.mark.parametrize("op,name,variant,value,expected", PARAMS,
                         ids=[f"{p[0]}:{p[1]}:{p[2]}" for p in PARAMS])
def test_parameter(ctx, op, name, variant, value, expected):
    pairs = OPS[op](ctx)
    if callable(value):
        value = value(ctx, op)
    pairs = mutate(pairs, name, value)
    resp = ctx.raw.send_v1(op, pairs)
    check(resp, expected, f"{op} {name}={variant}")


EXTRAS = [(op, label, muts, exp) for op, rows in EXTRA.items() for label, muts, exp in rows]


@pytest.mark.parametrize("op,label,muts,expected", EXTRAS, ids=[f"{e[0]}:{e[1]}" for e in EXTRAS])
def test_extra(ctx, op, label, muts, expected):
    pairs = OPS[op](ctx)
    for name, value in muts:
        if value is None:          # a fresh valid ENI
            value = ctx.world.eni()
        if name == "RegionId" and value == REGION:
            pairs = pairs + [(name, value)]
        else:
            pairs = mutate(pairs, name, value)
    check(ctx.raw.send_v1(op, pairs), expected, f"{op} {label}")


@pytest.mark.parametrize("op", list(OPS))
def test_base_request_is_valid(ctx, op):
    """The unmutated requests succeed, so every refusal above is the mutation's doing."""
    assert_raw_ok(ctx.raw.send_v1(op, OPS[op](ctx)))


@pytest.mark.parametrize("where", ["form", "GET"])
def test_malformed_in_form_body_and_get(ctx, where):
    pairs = mutate(base_create_session(ctx), "PacketLength", "63")
    kw = dict(where="form") if where == "form" else dict(method="GET")
    assert_raw_error(ctx.raw.send_v1("CreateTrafficMirrorSession", pairs, **kw),
                     "InvalidParam.PacketLength")
    pairs = mutate(base_create_session(ctx), "TrafficMirrorSessionName", FF)
    assert_raw_error(ctx.raw.send_v1("CreateTrafficMirrorSession", pairs, **kw),
                     "InvalidParam.TrafficMirrorSessionName")


def test_missing_message_text(ctx):
    pairs = mutate(base_add_sources(ctx), "TrafficMirrorSessionId", MISSING)
    r = assert_raw_error(ctx.raw.send_v1("AddSourcesToTrafficMirrorSession", pairs),
                         "MissingTrafficMirrorSessionId")
    assert r.json["Message"] == "TrafficMirrorSessionId is mandatory for this action.", r.json


def test_via_sdk_wrong_types(srv, a, world):
    """The SDK passes whatever it is given; wrong-typed values through the real client."""
    from alibabacloud_vpc20160428 import models as vpc
    from aliyun_kit import expect_error
    fid = create_filter(a)

    def req(**kw):
        d = dict(region_id=REGION, traffic_mirror_source_ids=[world.eni()],
                 traffic_mirror_target_id=world.eni(), traffic_mirror_target_type="NetworkInterface",
                 traffic_mirror_filter_id=fid, priority=world.priority())
        d.update(kw)
        return vpc.CreateTrafficMirrorSessionRequest(**d)
    expect_error("InvalidParam.Priority", a.create_traffic_mirror_session, req(priority="abc"))
    expect_error("InvalidParam.Enabled", a.create_traffic_mirror_session, req(enabled="maybe"))
    expect_error("InvalidParam.VirtualNetworkId", a.create_traffic_mirror_session, req(virtual_network_id=-1))
    expect_error("InvalidParam.VirtualNetworkId", a.create_traffic_mirror_session,
                 req(virtual_network_id=16777216))
    expect_error("InvalidParam.PacketLength", a.create_traffic_mirror_session, req(packet_length=63))
    expect_error("InvalidParam.PacketLength", a.create_traffic_mirror_session, req(packet_length=8501))
    expect_error("MissingTrafficMirrorFilterId", a.create_traffic_mirror_session,
                 req(traffic_mirror_filter_id=None))
    expect_error("MissingTrafficMirrorSourceIds", a.create_traffic_mirror_session,
                 req(traffic_mirror_source_ids=None))


def test_server_alive_after_all(srv, a):
    from alibabacloud_vpc20160428 import models as vpc
    assert srv.alive()
    a.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(region_id=REGION))
