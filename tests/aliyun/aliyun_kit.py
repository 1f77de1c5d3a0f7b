"""Test kit for the Alibaba Cloud dialect of `vspan server`.

Holds everything the test modules share and that is not a pytest fixture:

* `World`: the accounts, RAM users, instances, load balancers and ENIs every test server is
  configured with, plus allocators handing out fresh ENIs and session priorities;
* `VspanServer`: writes the TOML config, starts `vspan server`, waits for its port, stops,
  SIGKILLs and restarts it;
* SDK helpers (`sdk_client`, `expect_error`, listing and creation helpers);
* `RawClient`: a signer of raw HTTP requests (V1 HMAC-SHA1 over arbitrary parameter pairs,
  raw bytes included, and V3 ACS3-HMAC-SHA256), for what the SDK cannot send.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428.client import Client
from alibabacloud_vpc20160428 import models as vpc

REPO_ROOT = Path(__file__).resolve().parents[2]
VSPAN_BIN = Path(os.environ.get("VSPAN_BIN") or REPO_ROOT / "target" / "debug" / "vspan")

REGION = "cn-hangzhou"
API_VERSION = "2016-04-28"

SESSION_ID_RE = re.compile(r"^tms-[a-z0-9]{20}$")
FILTER_ID_RE = re.compile(r"^tmf-[a-z0-9]{20}$")
RULE_ID_RE = re.compile(r"^tmr-[a-z0-9]{20}$")
REQUEST_ID_RE = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z$")


# --------------------------------------------------------------------------------------------
# The world: accounts and their inventory
# --------------------------------------------------------------------------------------------

class Account:
    def __init__(self, key, acct_id, *, opened=True, eni_count=0, **flags):
        self.key = key
        self.id = acct_id
        self.ak = f"LTAIvspan{key}AK000{acct_id[-4:]}"
        self.secret = f"vspanSecretFor{key}Account{acct_id[-6:]}xx"
        self.opened = opened
        self.flags = flags            # business_status, real_name_verified, ...
        self.eni_count = eni_count
        self.ram_users = []           # (name, ak, secret, allow)

    def eni_id(self, n):
        return f"eni-{self.key.lower()}{n:04d}x"

    def add_ram_user(self, name, allow):
        ak = f"LTAIram{self.key}{name}AK"
        secret = f"ramSecret{self.key}{name}00000000"
        self.ram_users.append((name, ak, secret, allow))
        return ak, secret


def _toml_str(s):
    return json.dumps(s)   # a JSON string is a valid TOML basic string


def _toml_val(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_val(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_str(k)} = {_toml_val(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


class World:
    """Accounts and inventory. Every account is in REGION unless stated."""

    def __init__(self, quotas=None):
        self.quotas = quotas
        acc = {}

        def add(key, acct_id, **kw):
            acc[key] = Account(key, acct_id, **kw)
            return acc[key]

        # A: the main tenant, service opened, plenty of ENIs
        a = add("A", "1000000000000001", eni_count=400)
        a.add_ram_user("reader", ["vpc:List*", "vpc:Get*"])
        a.add_ram_user("writer", ["vpc:*"])
        # B: a second tenant, opened
        add("B", "1000000000000002", eni_count=30)
        # C: service never opened
        c = add("C", "1000000000000003", opened=False, eni_count=4)
        c.add_ram_user("reader", ["vpc:List*", "vpc:Get*"])
        # O: not opened; the test of Open opens it
        add("O", "1000000000000004", opened=False, eni_count=4)
        # L: opened but FinancialLocked
        add("L", "1000000000000005", eni_count=4, business_status="FinancialLocked")
        # M: opened; the list/pagination tests own it
        add("M", "1000000000000006", eni_count=40)
        # one account per Open failure
        add("NR", "1000000000000011", opened=False, real_name_verified=False)
        add("BI", "1000000000000012", opened=False, basic_info_complete=False)
        add("IG", "1000000000000013", opened=False, inner_group_user=True)
        add("QN", "1000000000000014", opened=False, quota_enough=False)
        add("PL", "1000000000000015", opened=False, purchase_limit_reached=True)
        self.accounts = acc

        a = acc["A"]
        # special ENIs of account A
        self.free_eni = "eni-afreeinterface0"
        self.released_eni = "eni-areleasedinst00"
        self.released_instance = "i-areleased0000000"
        self.nosupport_eni = "eni-anosupportinst0"
        self.nosupport_instance = "i-anosupport000000"
        self.bond_eni = "eni-abondnoslaves00"
        self.lb_a = "lb-avspanloadbal0001"
        self.lb_b = "lb-bvspanloadbal0001"
        self.other_region_eni = "eni-ashanghai000001"

        self._eni_counters = {k: itertools.count(1) for k in acc}
        self._prio_counters = {k: itertools.count(1) for k in acc}

    # allocators ----------------------------------------------------------------------------
    def eni(self, key="A"):
        """A fresh attached ENI of that account, never handed out before on this server."""
        acct = self.accounts[key]
        n = next(self._eni_counters[key])
        assert n <= acct.eni_count, f"account {key} ran out of ENIs; raise eni_count"
        return acct.eni_id(n)

    def enis(self, n, key="A"):
        return [self.eni(key) for _ in range(n)]

    def priority(self, key="A"):
        return next(self._prio_counters[key])

    # config ----------------------------------------------------------------------------------
    def toml(self, *, listen, data_dir, settle_delay_ms, overrides=None):
        overrides = overrides or {}
        out = [
            f"listen = {_toml_str(listen)}",
            f"data_dir = {_toml_str(str(data_dir))}",
            f"settle_delay_ms = {int(settle_delay_ms)}",
            'admin_token = "secret"',
            "",
        ]
        if self.quotas:
            out.append("[quotas]")
            for k, v in self.quotas.items():
                out.append(f"{k} = {_toml_val(v)}")
            out.append("")
        for key, acct in self.accounts.items():
            out.append("[[accounts]]")
            out.append(f"id = {_toml_str(acct.id)}")
            out.append(f"access_key_id = {_toml_str(acct.ak)}")
            out.append(f"access_key_secret = {_toml_str(acct.secret)}")
            out.append('huawei_projects = { "cn-north-4" = "%032x" }' % int(acct.id))
            flags = {"traffic_mirror_opened": acct.opened, "business_status": "Normal",
                     "real_name_verified": True, "basic_info_complete": True,
                     "inner_group_user": False, "quota_enough": True,
                     "purchase_limit_reached": False}
            flags.update(acct.flags)
            flags.update(overrides.get(key, {}))
            for k, v in flags.items():
                out.append(f"{k} = {_toml_val(v)}")
            out.append("")
            for name, ak, secret, allow in acct.ram_users:
                out.append("[[accounts.ram_users]]")
                out.append(f"name = {_toml_str(name)}")
                out.append(f"access_key_id = {_toml_str(ak)}")
                out.append(f"access_key_secret = {_toml_str(secret)}")
                out.append(f"allow = {_toml_val(allow)}")
                out.append("")
        a = self.accounts["A"]
        for iid, supports, released in [(self.released_instance, True, True),
                                         (self.nosupport_instance, False, False)]:
            out += ["[[instances]]", f"id = {_toml_str(iid)}", f"account = {_toml_str(a.id)}",
                    f"region = {_toml_str(REGION)}",
                    f"supports_traffic_mirror = {_toml_val(supports)}",
                    f"released = {_toml_val(released)}", ""]
        for lb, acct in [(self.lb_a, a), (self.lb_b, self.accounts["B"])]:
            out += ["[[load_balancers]]", f"id = {_toml_str(lb)}", f"account = {_toml_str(acct.id)}",
                    f"region = {_toml_str(REGION)}", 'backends = ["192.0.2.10"]', ""]

        mac_counter = itertools.count(1)

        def eni(eid, acct, *, instance=True, region=REGION, bond=None, instance_id=None):
            m = next(mac_counter)
            lines = ["[[enis]]", f"id = {_toml_str(eid)}", f"account = {_toml_str(acct.id)}",
                     f"region = {_toml_str(region)}"]
            if instance:
                lines.append(f"instance_id = {_toml_str(instance_id or 'i-' + eid[4:])}")
            lines.append(f'ip = "10.{(m >> 16) & 255}.{(m >> 8) & 255}.{m & 255}"')
            lines.append('mac = "02:00:%02x:%02x:%02x:%02x"' % ((m >> 24) & 255, (m >> 16) & 255,
                                                                (m >> 8) & 255, m & 255))
            if bond is not None:
                lines.append(f"bond_slaves = {_toml_val(bond)}")
            out.extend(lines + [""])

        for key, acct in self.accounts.items():
            for n in range(1, acct.eni_count + 1):
                eni(acct.eni_id(n), acct)
        eni(self.free_eni, a, instance=False)
        eni(self.released_eni, a, instance_id=self.released_instance)
        eni(self.nosupport_eni, a, instance_id=self.nosupport_instance)
        eni(self.bond_eni, a, bond=[])
        eni(self.other_region_eni, a, region="cn-shanghai")
        return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# The server under test
# --------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VspanServer:
    def __init__(self, world, workdir, *, settle_delay_ms=0, overrides=None):
        self.world = world
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.settle_delay_ms = settle_delay_ms
        self.overrides = overrides or {}
        self.port = None
        self.proc = None
        self.log_path = self.workdir / "server.log"
        self._log = None
        self.starts = 0

    @property
    def endpoint(self):
        return f"127.0.0.1:{self.port}"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def write_config(self):
        cfg = self.workdir / "vspan.toml"
        cfg.write_text(self.world.toml(listen=self.endpoint, data_dir=self.data_dir,
                                       settle_delay_ms=self.settle_delay_ms,
                                       overrides=self.overrides))
        return cfg

    def log_tail(self, n=60):
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])

    def start(self, timeout=20.0):
        if not VSPAN_BIN.exists():
            pytest.fail(f"vspan binary not found at {VSPAN_BIN} (build it with `cargo build`, "
                        f"or point VSPAN_BIN at it)", pytrace=False)
        if self.port is None:
            self.port = free_port()
        cfg = self.write_config()
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n===== start #{self.starts + 1} =====\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen([str(VSPAN_BIN), "server", "--config", str(cfg)],
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=str(self.workdir))
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"vspan server exited with {self.proc.returncode} before listening; "
                            f"log:\n{self.log_tail()}", pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        pytest.fail(f"vspan server did not listen on {self.endpoint} within {timeout}s; "
                    f"log:\n{self.log_tail()}", pytrace=False)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: no chance to flush anything."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_log()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_log()

    def _close_log(self):
        if self._log:
            self._log.close()
            self._log = None

    def restart(self):
        self.stop()
        return self.start()

    # clients ---------------------------------------------------------------------------------
    def client(self, key="A", *, v1=False, secret=None, ak=None):
        acct = self.world.accounts[key]
        return sdk_client(self.endpoint, ak or acct.ak, secret or acct.secret, v1=v1)

    def ram_client(self, key, name, *, v1=False):
        for n, ak, secret, _ in self.world.accounts[key].ram_users:
            if n == name:
                return sdk_client(self.endpoint, ak, secret, v1=v1)
        raise KeyError(name)

    def raw(self, key="A", *, ak=None, secret=None):
        acct = self.world.accounts[key]
        return RawClient(self.url, ak or acct.ak, secret or acct.secret)


_client_cache = {}


def sdk_client(endpoint, ak, secret, *, v1=False):
    k = (endpoint, ak, secret, v1)
    if k not in _client_cache:
        kw = dict(access_key_id=ak, access_key_secret=secret, region_id=REGION,
                  endpoint=endpoint, protocol="http", read_timeout=15000, connect_timeout=5000)
        if v1:
            kw["signature_algorithm"] = "v2"
        _client_cache[k] = Client(Config(**kw))
    return _client_cache[k]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def error_status(e):
    for attr in ("status_code", "statusCode"):
        v = getattr(e, attr, None)
        if v:
            return int(v)
    data = getattr(e, "data", None) or {}
    v = data.get("statusCode") or data.get("status_code")
    return int(v) if v else None


def expect_error(code, fn, *args, status=400, **kwargs):
    """Call fn; it must raise the Tea SDK's ClientException with that Code (a str, or a set of
    acceptable codes) and HTTP status. Returns the exception."""
    try:
        resp = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - we classify below
        got = getattr(e, "code", None)
        st = error_status(e)
        codes = {code} if isinstance(code, str) else set(code)
        detail = (f"{type(e).__name__}: code={got!r} status={st!r} "
                  f"message={getattr(e, 'message', None)!r} data={getattr(e, 'data', None)!r}"
                  if got is not None else f"{type(e).__name__}: {e!r}")
        assert got in codes, f"expected error {sorted(codes)} (HTTP {status}), got {detail}"
        if status is not None:
            assert st == status, f"expected HTTP {status} for {got}, got {st}: {detail}"
        assert type(e).__name__ == "ClientException", detail
        data = getattr(e, "data", None) or {}
        if data:
            assert REQUEST_ID_RE.match(str(data.get("RequestId", ""))), \
                f"error body lacks an upper-case UUID RequestId: {data}"
        return e
    body = getattr(resp, "body", None)
    body = body.to_map() if body is not None else resp
    pytest.fail(f"expected error {code} (HTTP {status}), but the call succeeded: {body}",
                pytrace=False)


# --------------------------------------------------------------------------------------------
# SDK helpers: build, create, list
# --------------------------------------------------------------------------------------------

def rule(kind, **kw):
    """A rule model for CreateTrafficMirrorFilter(Rules); kind is one of the SDK rule classes."""
    d = dict(action="accept", priority=1, protocol="TCP", source_cidr_block="10.0.0.0/8",
             destination_cidr_block="0.0.0.0/0", source_port_range="1/65535",
             destination_port_range="80/80")
    d.update(kw)
    d = {k: v for k, v in d.items() if v is not None}
    return kind(**d)


def ingress(**kw):
    return rule(vpc.CreateTrafficMirrorFilterRequestIngressRules, **kw)


def egress(**kw):
    return rule(vpc.CreateTrafficMirrorFilterRequestEgressRules, **kw)


def create_filter(client, **kw):
    kw.setdefault("region_id", REGION)
    r = client.create_traffic_mirror_filter(vpc.CreateTrafficMirrorFilterRequest(**kw))
    fid = r.body.traffic_mirror_filter_id
    assert FILTER_ID_RE.match(fid or ""), f"bad filter id {fid!r}"
    return fid


def create_session(client, world, key="A", *, sources=None, nsources=1, target=None,
                   filter_id=None, priority=None, **kw):
    if filter_id is None:
        filter_id = create_filter(client)
    if sources is None:
        sources = world.enis(nsources, key)
    if target is None:
        target = world.eni(key)
    req = dict(region_id=REGION, traffic_mirror_source_ids=sources,
               traffic_mirror_target_id=target, traffic_mirror_target_type="NetworkInterface",
               traffic_mirror_filter_id=filter_id,
               priority=priority if priority is not None else world.priority(key))
    req.update(kw)
    r = client.create_traffic_mirror_session(vpc.CreateTrafficMirrorSessionRequest(**req))
    sid = r.body.traffic_mirror_session_id
    assert SESSION_ID_RE.match(sid or ""), f"bad session id {sid!r}"
    return sid


def list_sessions(client, **kw):
    """Every session (all pages) matching kw, as the API-named dicts."""
    out, token = [], None
    for _ in range(1000):
        req = dict(region_id=REGION, max_results=100)
        req.update(kw)
        if token:
            req["next_token"] = token
        body = client.list_traffic_mirror_sessions(
            vpc.ListTrafficMirrorSessionsRequest(**req)).body.to_map()
        out += body.get("TrafficMirrorSessions") or []
        token = body.get("NextToken")
        if not token:
            return out
    raise AssertionError("NextToken never ran out")


def list_filters(client, **kw):
    out, token = [], None
    for _ in range(1000):
        req = dict(region_id=REGION, max_results=100)
        req.update(kw)
        if token:
            req["next_token"] = token
        body = client.list_traffic_mirror_filters(
            vpc.ListTrafficMirrorFiltersRequest(**req)).body.to_map()
        out += body.get("TrafficMirrorFilters") or []
        token = body.get("NextToken")
        if not token:
            return out
    raise AssertionError("NextToken never ran out")


def get_session(client, sid):
    got = list_sessions(client, traffic_mirror_session_ids=[sid])
    assert len(got) <= 1, got
    return got[0] if got else None


def get_filter(client, fid):
    got = list_filters(client, traffic_mirror_filter_ids=[fid])
    assert len(got) <= 1, got
    return got[0] if got else None


def snapshot(client):
    """Everything an account can see, for 'nothing changed' checks."""
    sess = sorted(list_sessions(client), key=lambda s: s["TrafficMirrorSessionId"])
    filt = sorted(list_filters(client), key=lambda f: f["TrafficMirrorFilterId"])
    for s in sess:
        s.pop("RequestId", None)
    return {"sessions": sess, "filters": filt}


def service_enabled(client):
    return client.get_traffic_mirror_service_status(
        vpc.GetTrafficMirrorServiceStatusRequest(region_id=REGION)).body.enabled


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last={last!r}")


def wait_session_status(client, sid, status, timeout=10.0):
    return wait_for(lambda: (s := get_session(client, sid)) and
                    s["TrafficMirrorSessionStatus"] == status and s,
                    timeout, what=f"session {sid} to be {status}")


def wait_session_gone(client, sid, timeout=10.0):
    return wait_for(lambda: get_session(client, sid) is None, timeout,
                    what=f"session {sid} to disappear")


def wait_filter_status(client, fid, status, timeout=10.0):
    return wait_for(lambda: (f := get_filter(client, fid)) and
                    f["TrafficMirrorFilterStatus"] == status and f,
                    timeout, what=f"filter {fid} to be {status}")


# --------------------------------------------------------------------------------------------
# Raw signed HTTP
# --------------------------------------------------------------------------------------------

def _b(x):
    if isinstance(x, bytes):
        return x
    return str(x).encode("utf-8")


def enc(x):
    """RFC 3986 percent-encoding of str or raw bytes (unreserved kept, %XX upper-case)."""
    return quote(_b(x), safe="-_.~")


def utc_stamp(offset_seconds=0):
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def v1_string_to_sign(method, pairs):
    cqs = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted((_b(k), _b(v)) for k, v in pairs))
    return f"{method}&{enc('/')}&{enc(cqs)}"


def v1_signature(method, pairs, secret):
    sts = v1_string_to_sign(method, pairs)
    return base64.b64encode(hmac.new((secret + "&").encode(), sts.encode(),
                                     hashlib.sha1).digest()).decode()


class RawResponse:
    def __init__(self, r):
        self.r = r
        self.status = r.status_code
        self.headers = r.headers
        self.text = r.text
        try:
            self.json = r.json()
        except ValueError:
            self.json = None

    @property
    def code(self):
        return (self.json or {}).get("Code")

    def __repr__(self):
        return f"<HTTP {self.status} {self.text[:600]!r}>"


class RawClient:
    """Signs and sends requests the SDK would not send."""

    def __init__(self, url, ak, secret):
        self.url = url
        self.ak = ak
        self.secret = secret
        self.http = requests.Session()

    def v1_pairs(self, action, params=(), *, version=API_VERSION, timestamp=None, nonce=None,
                 drop=(), ak=None, extra_common=()):
        common = [("Action", action), ("Format", "json"), ("Version", version),
                  ("Timestamp", timestamp or utc_stamp()),
                  ("SignatureNonce", nonce or uuid.uuid4().hex),
                  ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
                  ("AccessKeyId", ak or self.ak)]
        common = [(k, v) for k, v in common if k not in drop] + list(extra_common)
        if isinstance(params, dict):
            params = list(params.items())
        return common + list(params)

    def send_v1(self, action, params=(), *, method="POST", where="query", secret=None,
                sign=True, signature=None, **kw):
        pairs = self.v1_pairs(action, params, **kw)
        if sign:
            sig = signature or v1_signature(method, pairs, secret or self.secret)
            pairs = pairs + [("Signature", sig)]
        return self.send_pairs(pairs, method=method, where=where)

    def send_pairs(self, pairs, *, method="POST", where="query", headers=None):
        qs = "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)
        h = dict(headers or {})
        if where == "query":
            r = self.http.request(method, self.url + "?" + qs, headers=h, timeout=15)
        else:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            r = self.http.request(method, self.url, data=qs.encode(), headers=h, timeout=15)
        return RawResponse(r)

    def send_v3(self, action, params=(), *, version=API_VERSION, date=None, nonce=None,
                secret=None, ak=None, method="POST", tamper=None):
        """ACS3-HMAC-SHA256, signed as the Tea SDK does (business parameters in the query)."""
        if isinstance(params, dict):
            params = list(params.items())
        host = self.url.split("//", 1)[1].rstrip("/")
        body = b""
        payload = hashlib.sha256(body).hexdigest()
        headers = {"host": host, "x-acs-action": action, "x-acs-version": version,
                   "x-acs-date": date or utc_stamp(),
                   "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
                   "x-acs-content-sha256": payload, "accept": "application/json"}
        signed = ";".join(sorted(headers))
        cq = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted((_b(k), _b(v)) for k, v in params))
        ch = "".join(f"{n}:{headers[n].strip()}\n" for n in sorted(headers))
        creq = f"{method}\n/\n{cq}\n{ch}\n{signed}\n{payload}"
        sts = "ACS3-HMAC-SHA256\n" + hashlib.sha256(creq.encode()).hexdigest()
        sig = hmac.new((secret or self.secret).encode(), sts.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={ak or self.ak},"
                                    f"SignedHeaders={signed},Signature={sig}")
        if tamper:
            tamper(headers)
        qs = "&".join(f"{enc(k)}={enc(v)}" for k, v in params)
        h = {k: v for k, v in headers.items() if k != "host"}
        r = self.http.request(method, self.url + ("?" + qs if qs else ""), headers=h, data=body,
                              timeout=15)
        return RawResponse(r)


def assert_raw_error(resp, code, status=400):
    codes = {code} if isinstance(code, str) else set(code)
    assert resp.status < 500, f"server error: {resp!r}"
    assert resp.json is not None, f"non-JSON error body: {resp!r}"
    assert resp.headers.get("Content-Type", "").lower().startswith("application/json"), resp.headers
    assert resp.code in codes, f"expected {sorted(codes)}, got {resp!r}"
    if status is not None:
        assert resp.status == status, f"expected HTTP {status}, got {resp!r}"
    for k in ("RequestId", "Code", "Message"):
        assert k in resp.json, f"error body lacks {k}: {resp!r}"
    assert REQUEST_ID_RE.match(str(resp.json["RequestId"])), resp.json
    return resp


def assert_raw_ok(resp):
    assert resp.status == 200, f"expected success, got {resp!r}"
    assert resp.json is not None and REQUEST_ID_RE.match(str(resp.json.get("RequestId", ""))), resp
    return resp.json
