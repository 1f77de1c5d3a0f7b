"""Test kit for the Huawei Cloud VPC v3 dialect of `vspan server`.

The server harness and the world (accounts, ENIs, load balancers) are the Alibaba suite's
(`tests/aliyun/aliyun_kit.py`): one harness, one config format. Every account there carries
`huawei_projects = { "cn-north-4" = "%032x" % int(account id) }`, and its access key pair is also
its Huawei AK/SK. This module adds:

* `hw_client`: the official SDK's `VpcClient` (v3) for an account, with a recorder of the last
  HTTP response (for the `X-Request-Id` header the SDK does not expose on success);
* request builders and helpers (`create_session`, `create_filter`, `create_rule`, `show_*`,
  `list_all`), all through the SDK, answering the raw JSON the server sent (`raw_content`), so
  types are checked as sent and not as the SDK models coerce them;
* `expect_hw_error`: the call must raise `ClientRequestException` with that status and code;
* `HwRaw`: a signer of raw requests (SDK-HMAC-SHA256, the reference algorithm), for what the SDK
  cannot send (skewed dates, malformed JSON, missing wrappers).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "aliyun"))

import aliyun_kit  # noqa: E402  (the shared harness)
from aliyun_kit import VspanServer, World, free_port  # noqa: E402,F401

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import (  # noqa: E402
    ClientRequestException, SdkException)
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.http.http_handler import HttpHandler  # noqa: E402
from huaweicloudsdkvpc.v3 import VpcClient  # noqa: E402
from huaweicloudsdkvpc.v3 import model as hv  # noqa: E402

# The Huawei project of every account maps to the region its inventory lives in (the Alibaba
# world's REGION): the dialect scopes a project to (account, region), and the sessions of both
# dialects must be the same objects.
HW_REGION = aliyun_kit.REGION


class HwWorld(World):
    """The Alibaba suite's world, with each account's Huawei project in the world's region."""

    def toml(self, **kw):
        text = super().toml(**kw)
        return text.replace('huawei_projects = { "cn-north-4" = ',
                            f'huawei_projects = {{ "{HW_REGION}" = ')

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HW_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")
PROJECT_RE = re.compile(r"^[0-9a-f]{32}$")

# The seed example's keys (shared/seeds/000_*: remove-sources response).
SESSION_KEYS = {"name", "created_at", "updated_at", "id", "project_id", "description",
                "traffic_mirror_filter_id", "traffic_mirror_sources", "traffic_mirror_target_id",
                "traffic_mirror_target_type", "virtual_network_id", "packet_length", "priority",
                "enabled", "type"}
FILTER_KEYS = {"id", "project_id", "name", "description", "ingress_rules", "egress_rules",
               "created_at", "updated_at"}
FILTER_OPTIONAL_KEYS = {"type"}
RULE_KEYS = {"id", "project_id", "traffic_mirror_filter_id", "description", "direction", "protocol",
             "ethertype", "source_cidr_block", "destination_cidr_block", "source_port_range",
             "destination_port_range", "action", "priority", "created_at", "updated_at"}


def make_server(tmp_path_factory, name, *, settle_delay_ms=0, quotas=None, overrides=None):
    """A started server with a fresh standard world."""
    world = HwWorld(quotas=quotas)
    srv = VspanServer(world, tmp_path_factory.mktemp(name), settle_delay_ms=settle_delay_ms,
                      overrides=overrides)
    return srv.start()


def project_of(world, key="A"):
    return "%032x" % int(world.accounts[key].id)


# --------------------------------------------------------------------------------------------
# SDK client
# --------------------------------------------------------------------------------------------

class Recorder:
    """Keeps the last HTTP response the SDK received (requests.Response)."""

    def __init__(self):
        self.last = None

    def __call__(self, **kwargs):
        self.last = kwargs.get("response")


def hw_client(srv, key="A", *, ak=None, sk=None, project_id=None, no_project=False):
    """The official VpcClient (v3) of an account, pointed at the server over plain http."""
    acct = srv.world.accounts[key]
    pid = None if no_project else (project_id or project_of(srv.world, key))
    creds = (BasicCredentials(ak or acct.ak, sk or acct.secret) if pid is None
             else BasicCredentials(ak or acct.ak, sk or acct.secret, pid))
    cfg = HttpConfig.get_default_config()
    cfg.timeout = (5, 15)
    rec = Recorder()
    client = (VpcClient.new_builder()
              .with_credentials(creds)
              .with_http_config(cfg)
              .with_http_handler(HttpHandler().add_response_handler(rec))
              .with_endpoint(f"http://127.0.0.1:{srv.port}")
              .build())
    client.recorder = rec
    client.project_id = pid
    return client


def body(resp):
    """The JSON the server sent, as sent (not as the SDK models coerce it)."""
    raw = resp.raw_content
    assert raw, f"empty body (HTTP {resp.status_code})"
    return json.loads(raw.decode("utf-8"))


def check_request_id(client, b):
    """request_id in the body, the same id in X-Request-Id."""
    rid = b.get("request_id")
    assert isinstance(rid, str) and rid, f"body lacks request_id: {b}"
    last = client.recorder.last
    assert last is not None
    hdr = last.headers.get("X-Request-Id")
    assert hdr == rid, f"X-Request-Id {hdr!r} differs from body request_id {rid!r}"
    return rid


def expect_hw_error(code, status, fn, *args, **kwargs):
    """fn must raise ClientRequestException with that HTTP status and error_code (a str or a set
    of acceptable codes), and a request id (read from X-Request-Id). Returns the exception."""
    codes = {code} if isinstance(code, str) else set(code)
    try:
        resp = fn(*args, **kwargs)
    except ClientRequestException as e:
        detail = (f"status={e.status_code} error_code={e.error_code!r} "
                  f"error_msg={e.error_msg!r} request_id={e.request_id!r}")
        assert e.error_code in codes, f"expected {sorted(codes)} (HTTP {status}), got {detail}"
        assert e.status_code == status, f"expected HTTP {status} for {code}, got {detail}"
        assert e.request_id, f"error without X-Request-Id: {detail}"
        assert e.error_msg, f"error without error_msg: {detail}"
        return e
    except SdkException as e:
        pytest.fail(f"expected {sorted(codes)} (HTTP {status}), got {type(e).__name__}: {e}",
                    pytrace=False)
    raw = getattr(resp, "raw_content", b"")
    pytest.fail(f"expected {sorted(codes)} (HTTP {status}), but the call succeeded: "
                f"{getattr(resp, 'status_code', None)} {raw[:600]!r}", pytrace=False)


# --------------------------------------------------------------------------------------------
# Request builders (through the SDK)
# --------------------------------------------------------------------------------------------

def sess_create(client, **opt):
    return client.create_traffic_mirror_session(hv.CreateTrafficMirrorSessionRequest(
        body=hv.CreateTrafficMirrorSessionRequestBody(
            traffic_mirror_session=hv.CreateTrafficMirrorSessionOption(**opt))))


def sess_show(client, sid):
    return client.show_traffic_mirror_session(
        hv.ShowTrafficMirrorSessionRequest(traffic_mirror_session_id=sid))


def sess_update(client, sid, **opt):
    return client.update_traffic_mirror_session(hv.UpdateTrafficMirrorSessionRequest(
        traffic_mirror_session_id=sid, body=hv.UpdateTrafficMirrorSessionRequestBody(
            traffic_mirror_session=hv.UpdateTrafficMirrorSessionOption(**opt))))


def sess_delete(client, sid):
    return client.delete_traffic_mirror_session(
        hv.DeleteTrafficMirrorSessionRequest(traffic_mirror_session_id=sid))


def sess_add(client, sid, sources):
    return client.add_sources_to_traffic_mirror_session(hv.AddSourcesToTrafficMirrorSessionRequest(
        traffic_mirror_session_id=sid, body=hv.AddSourcesToTrafficMirrorSessionRequestBody(
            traffic_mirror_session=hv.TrafficMirrorSourcesOption(traffic_mirror_sources=sources))))


def sess_remove(client, sid, sources):
    return client.remove_sources_from_traffic_mirror_session(
        hv.RemoveSourcesFromTrafficMirrorSessionRequest(
            traffic_mirror_session_id=sid, body=hv.RemoveSourcesFromTrafficMirrorSessionRequestBody(
                traffic_mirror_session=hv.TrafficMirrorSourcesOption(
                    traffic_mirror_sources=sources))))


def sess_list(client, **q):
    return client.list_traffic_mirror_sessions(hv.ListTrafficMirrorSessionsRequest(**q))


def filt_create(client, **opt):
    return client.create_traffic_mirror_filter(hv.CreateTrafficMirrorFilterRequest(
        body=hv.CreateTrafficMirrorFilterRequestBody(
            traffic_mirror_filter=hv.CreateTrafficMirrorFilterOption(**opt))))


def filt_show(client, fid):
    return client.show_traffic_mirror_filter(
        hv.ShowTrafficMirrorFilterRequest(traffic_mirror_filter_id=fid))


def filt_update(client, fid, **opt):
    return client.update_traffic_mirror_filter(hv.UpdateTrafficMirrorFilterRequest(
        traffic_mirror_filter_id=fid, body=hv.UpdateTrafficMirrorFilterRequestBody(
            traffic_mirror_filter=hv.UpdateTrafficMirrorFilterOption(**opt))))


def filt_delete(client, fid):
    return client.delete_traffic_mirror_filter(
        hv.DeleteTrafficMirrorFilterRequest(traffic_mirror_filter_id=fid))


def filt_list(client, **q):
    return client.list_traffic_mirror_filters(hv.ListTrafficMirrorFiltersRequest(**q))


def rule_create(client, **opt):
    return client.create_traffic_mirror_filter_rule(hv.CreateTrafficMirrorFilterRuleRequest(
        body=hv.CreateTrafficMirrorFilterRuleRequestBody(
            traffic_mirror_filter_rule=hv.CreateTrafficMirrorFilterRuleOption(**opt))))


def rule_show(client, rid):
    return client.show_traffic_mirror_filter_rule(
        hv.ShowTrafficMirrorFilterRuleRequest(traffic_mirror_filter_rule_id=rid))


def rule_update(client, rid, **opt):
    return client.update_traffic_mirror_filter_rule(hv.UpdateTrafficMirrorFilterRuleRequest(
        traffic_mirror_filter_rule_id=rid, body=hv.UpdateTrafficMirrorFilterRuleRequestBody(
            traffic_mirror_filter_rule=hv.UpdateTrafficMirrorFilterRuleOption(**opt))))


def rule_delete(client, rid):
    return client.delete_traffic_mirror_filter_rule(
        hv.DeleteTrafficMirrorFilterRuleRequest(traffic_mirror_filter_rule_id=rid))


def rule_list(client, **q):
    return client.list_traffic_mirror_filter_rules(hv.ListTrafficMirrorFilterRulesRequest(**q))


# --------------------------------------------------------------------------------------------
# Higher-level helpers: create with sane defaults, answer the object as the server sent it
# --------------------------------------------------------------------------------------------

_name_counter = iter(range(1, 10**9))


def uniq(prefix="n"):
    return f"{prefix}-{next(_name_counter)}"


def create_filter(client, **opt):
    opt.setdefault("name", uniq("filter"))
    r = filt_create(client, **opt)
    assert r.status_code == 201, r.status_code
    return body(r)["traffic_mirror_filter"]


def rule_opts(fid, **kw):
    d = dict(traffic_mirror_filter_id=fid, direction="ingress", protocol="TCP", ethertype="IPv4",
             action="accept", priority=1)
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}


def create_rule(client, fid, **kw):
    r = rule_create(client, **rule_opts(fid, **kw))
    assert r.status_code == 201, r.status_code
    return body(r)["traffic_mirror_filter_rule"]


def session_opts(world, key="A", *, filter_id, **kw):
    d = dict(name=uniq("session"), traffic_mirror_filter_id=filter_id,
             traffic_mirror_sources=[world.eni(key)], traffic_mirror_target_id=world.eni(key),
             traffic_mirror_target_type="eni", priority=world.priority(key))
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}


def create_session(client, world, key="A", *, filter_id=None, **kw):
    if filter_id is None:
        filter_id = create_filter(client)["id"]
    r = sess_create(client, **session_opts(world, key, filter_id=filter_id, **kw))
    assert r.status_code == 201, r.status_code
    return body(r)["traffic_mirror_session"]


def show_session(client, sid):
    return body(sess_show(client, sid))["traffic_mirror_session"]


def show_filter(client, fid):
    return body(filt_show(client, fid))["traffic_mirror_filter"]


def show_rule(client, rid):
    return body(rule_show(client, rid))["traffic_mirror_filter_rule"]


_LISTS = {
    "sessions": (sess_list, "traffic_mirror_sessions"),
    "filters": (filt_list, "traffic_mirror_filters"),
    "rules": (rule_list, "traffic_mirror_filter_rules"),
}


def list_all(client, kind, *, limit=None, **q):
    """Every object of a kind matching q, following next_marker."""
    fn, key = _LISTS[kind]
    out, marker = [], None
    for _ in range(1000):
        kw = dict(q)
        if limit is not None:
            kw["limit"] = limit
        if marker:
            kw["marker"] = marker
        b = body(fn(client, **kw))
        out += b[key]
        marker = (b.get("page_info") or {}).get("next_marker")
        if not marker:
            return out
    raise AssertionError("next_marker never ran out")


# --------------------------------------------------------------------------------------------
# Shape checks
# --------------------------------------------------------------------------------------------

def check_session_shape(s, project_id):
    assert set(s) == SESSION_KEYS, f"session keys differ: extra {set(s) - SESSION_KEYS}, " \
                                   f"missing {SESSION_KEYS - set(s)}"
    for k in ("id", "project_id", "name", "description", "traffic_mirror_filter_id",
              "traffic_mirror_target_id", "traffic_mirror_target_type", "type", "created_at",
              "updated_at"):
        assert isinstance(s[k], str), f"{k} is not a string: {s[k]!r}"
    assert isinstance(s["traffic_mirror_sources"], list)
    assert all(isinstance(x, str) for x in s["traffic_mirror_sources"])
    for k in ("virtual_network_id", "packet_length", "priority"):
        assert type(s[k]) is int, f"{k} is not an integer: {s[k]!r}"
    assert type(s["enabled"]) is bool, f"enabled is not a boolean: {s['enabled']!r}"
    assert s["project_id"] == project_id
    assert HW_TIME_RE.match(s["created_at"]), s["created_at"]
    assert HW_TIME_RE.match(s["updated_at"]), s["updated_at"]
    return s


def check_rule_shape(x, project_id):
    assert set(x) == RULE_KEYS, f"rule keys differ: extra {set(x) - RULE_KEYS}, " \
                                f"missing {RULE_KEYS - set(x)}"
    for k in ("id", "project_id", "traffic_mirror_filter_id", "direction", "protocol", "ethertype",
              "action", "created_at", "updated_at"):
        assert isinstance(x[k], str), f"{k} is not a string: {x[k]!r}"
    for k in ("description", "source_cidr_block", "destination_cidr_block", "source_port_range",
              "destination_port_range"):
        assert x[k] is None or isinstance(x[k], str), f"{k}: {x[k]!r}"
    assert type(x["priority"]) is int, f"priority is not an integer: {x['priority']!r}"
    assert x["project_id"] == project_id
    assert HW_TIME_RE.match(x["created_at"]) and HW_TIME_RE.match(x["updated_at"]), x
    return x


def check_filter_shape(f, project_id):
    keys = set(f)
    assert FILTER_KEYS <= keys <= FILTER_KEYS | FILTER_OPTIONAL_KEYS, \
        f"filter keys differ: extra {keys - FILTER_KEYS - FILTER_OPTIONAL_KEYS}, " \
        f"missing {FILTER_KEYS - keys}"
    for k in ("id", "project_id", "name", "description", "created_at", "updated_at"):
        assert isinstance(f[k], str), f"{k} is not a string: {f[k]!r}"
    assert f["project_id"] == project_id
    assert HW_TIME_RE.match(f["created_at"]) and HW_TIME_RE.match(f["updated_at"]), f
    for k in ("ingress_rules", "egress_rules"):
        assert isinstance(f[k], list), f"{k}: {f[k]!r}"
        for x in f[k]:
            check_rule_shape(x, project_id)
            assert x["traffic_mirror_filter_id"] == f["id"]
    assert all(x["direction"] == "ingress" for x in f["ingress_rules"])
    assert all(x["direction"] == "egress" for x in f["egress_rules"])
    return f


# --------------------------------------------------------------------------------------------
# Raw signed HTTP (SDK-HMAC-SHA256, reference/api-huawei.md section 7)
# --------------------------------------------------------------------------------------------

def enc(s):
    return quote(s, safe="-_.~")


def sdk_date(offset_seconds=0):
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset_seconds)
    return t.strftime("%Y%m%dT%H%M%SZ")


def canonical_request(method, path, query, headers, signed, body_bytes):
    cu = "/".join(enc(seg) for seg in unquote(path).split("/"))
    cu += "" if cu.endswith("/") else "/"
    pairs = [tuple(unquote(x) for x in (p.split("=", 1) + [""])[:2]) for p in query.split("&") if p]
    cq = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(pairs))
    h = {k.lower(): str(v).strip() for k, v in headers.items()}
    ch = "".join(f"{n}:{h[n]}\n" for n in signed.split(";"))
    ph = h.get("x-sdk-content-sha256") or hashlib.sha256(body_bytes).hexdigest()
    return f"{method}\n{cu}\n{cq}\n{ch}\n{signed}\n{ph}"


def sign(method, path, query, headers, body_bytes, sk, date):
    signed = ";".join(sorted(k.lower() for k in headers if "_" not in k))
    creq = canonical_request(method, path, query, headers, signed, body_bytes)
    sts = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(creq.encode()).hexdigest()}"
    return signed, hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()


class RawResp(aliyun_kit.RawResponse):
    """aliyun_kit's raw response, reading Huawei's `error_code` and keeping the raw bytes."""

    def __init__(self, r):
        super().__init__(r)
        self.content = r.content

    @property
    def code(self):
        return (self.json or {}).get("error_code")


class HwRaw:
    """Signs and sends requests the SDK would not send."""

    def __init__(self, srv, key="A", *, ak=None, sk=None, project_id=None):
        acct = srv.world.accounts[key]
        self.host = f"127.0.0.1:{srv.port}"
        self.ak = ak or acct.ak
        self.sk = sk or acct.secret
        self.project_id = project_id or project_of(srv.world, key)
        self.http = requests.Session()

    def path(self, rest, project_id=None):
        return f"/v3/{project_id or self.project_id}/vpc/{rest}"

    def send(self, method, rest, *, query=(), body=None, date=None, ak=None, sk=None,
             project_id=None, project_header=True, extra_headers=None, authorization=None,
             path=None):
        """rest: the part after /vpc/; body: bytes, str or a JSON-able object."""
        pid = project_id or self.project_id
        p = path or self.path(rest, pid)
        if body is None:
            b = b""
        elif isinstance(body, bytes):
            b = body
        elif isinstance(body, str):
            b = body.encode()
        else:
            b = json.dumps(body).encode()
        q = "&".join(f"{enc(str(k))}={enc(str(v))}" for k, v in sorted(
            (str(k), str(v)) for k, v in query))
        d = date if date is not None else sdk_date()
        headers = {"Content-Type": "application/json", "Host": self.host, "X-Sdk-Date": d}
        if project_header:
            headers["X-Project-Id"] = pid
        headers.update(extra_headers or {})
        signed, sig = sign(method, p, q, headers, b, sk or self.sk, d)
        headers["Authorization"] = authorization if authorization is not None else (
            f"SDK-HMAC-SHA256 Access={ak or self.ak}, SignedHeaders={signed}, Signature={sig}")
        url = f"http://{self.host}{p}" + (f"?{q}" if q else "")
        send_headers = {k: v for k, v in headers.items() if k != "Host"}
        r = self.http.request(method, url, data=b, headers=send_headers, timeout=15)
        return RawResp(r)


def assert_raw_error(resp, code, status):
    codes = {code} if isinstance(code, str) else set(code)
    assert resp.status < 500, f"server error: {resp!r}"
    assert resp.json is not None, f"non-JSON error body: {resp!r}"
    assert resp.code in codes and resp.status == status, \
        f"expected HTTP {status} {sorted(codes)}, got {resp!r}"
    for k in ("error_code", "error_msg", "request_id"):
        assert k in resp.json, f"error body lacks {k}: {resp!r}"
    assert resp.headers.get("X-Request-Id") == resp.json["request_id"], \
        (resp.headers.get("X-Request-Id"), resp.json)
    return resp
