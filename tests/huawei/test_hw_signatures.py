"""SDK-HMAC-SHA256 signatures and projects (docs/huawei.md, Wire and Errors): 401 APIGW.0301 for
bad signatures, unknown keys and skewed dates; 400 VPC.0007 for a project that is not the
caller's; 404 APIGW.0101 for unknown paths."""
from __future__ import annotations

import uuid

import pytest

from hw_kit import (
    HwRaw, assert_raw_error, body, check_request_id, create_filter, create_session,
    expect_hw_error, filt_list, hw_client, project_of, sdk_date, sess_create, sess_list,
    sess_show, session_opts)


# ------------------------------------------------------------------------------ via the SDK

def test_sdk_signature_is_accepted(hw):
    r = sess_list(hw, limit=10, enabled=True)
    assert r.status_code == 200
    check_request_id(hw, body(r))


def test_query_with_characters_to_encode_is_signed_right(hw):
    # the SDK signs the canonical (RFC 3986) query; names with spaces and *~ must verify
    r = filt_list(hw, name=["a b*c~", "x/y"], description="d=e&f")
    assert r.status_code == 200
    assert body(r)["traffic_mirror_filters"] == []


def test_wrong_secret(srv):
    c = hw_client(srv, "A", sk="notTheSecret0000000000000000000")
    e = expect_hw_error("APIGW.0301", 401, sess_list, c)
    assert e.request_id


def test_unknown_access_key(srv):
    c = hw_client(srv, "A", ak="HWUNKNOWNAK0000000001")
    expect_hw_error("APIGW.0301", 401, sess_list, c)


def test_another_accounts_key_on_this_project(srv, world):
    # B's own key pair, with A's project in the path: the project is not B's
    c = hw_client(srv, "B", project_id=project_of(world, "A"))
    expect_hw_error("VPC.0007", 400, sess_list, c)


def test_random_project(srv):
    c = hw_client(srv, "A", project_id=uuid.uuid4().hex)
    expect_hw_error("VPC.0007", 400, sess_list, c)


def test_no_project_sends_the_literal_template(srv):
    # BasicCredentials(ak, sk), no region: the SDK sends /v3/{project_id}/...
    c = hw_client(srv, "A", no_project=True)
    expect_hw_error("VPC.0007", 400, sess_list, c)


def test_project_errors_change_nothing(srv, world, hw):
    before = body(sess_list(hw))["traffic_mirror_sessions"]
    c = hw_client(srv, "A", project_id=project_of(world, "B"))
    fid = create_filter(hw)["id"]
    expect_hw_error("VPC.0007", 400, sess_create, c, **session_opts(world, filter_id=fid))
    assert body(sess_list(hw))["traffic_mirror_sessions"] == before


def test_other_tenant_sees_nothing_of_ours(srv, world, hw, hw_b):
    s = create_session(hw, world)
    expect_hw_error("VPC.TM0201", 404, sess_show, hw_b, s["id"])
    assert s["id"] not in {x["id"] for x in body(sess_list(hw_b))["traffic_mirror_sessions"]}
    assert body(sess_list(hw_b, id=[s["id"]]))["traffic_mirror_sessions"] == []


# ------------------------------------------------------------------------------ raw requests

def test_raw_signer_matches_the_server(raw):
    r = raw.send("GET", "traffic-mirror-sessions", query=[("limit", "5")])
    assert r.status == 200, r
    assert r.headers.get("X-Request-Id") == r.json["request_id"]


@pytest.mark.parametrize("offset", [-3600, 3600, -16 * 60, 16 * 60])
def test_skewed_date(raw, offset):
    r = raw.send("GET", "traffic-mirror-sessions", date=sdk_date(offset))
    assert_raw_error(r, "APIGW.0301", 401)


@pytest.mark.parametrize("offset", [-600, 600])
def test_date_within_fifteen_minutes(raw, offset):
    r = raw.send("GET", "traffic-mirror-sessions", date=sdk_date(offset))
    assert r.status == 200, r


@pytest.mark.parametrize("date", ["2026-11-21T20:56:30Z", "garbage", "20261341T256030Z", ""])
def test_malformed_date(raw, date):
    r = raw.send("GET", "traffic-mirror-sessions", date=date)
    assert_raw_error(r, "APIGW.0301", 401)


def test_missing_authorization(raw):
    r = raw.send("GET", "traffic-mirror-sessions", authorization="")
    assert_raw_error(r, "APIGW.0301", 401)


@pytest.mark.parametrize("auth", [
    "SDK-HMAC-SHA256 Access=x",
    "Basic dXNlcjpwYXNz",
    "SDK-HMAC-SHA256 Access=LTAIvspanAAK0000001, SignedHeaders=host;x-sdk-date, Signature=zz",
])
def test_malformed_authorization(raw, auth):
    r = raw.send("GET", "traffic-mirror-sessions", authorization=auth)
    assert_raw_error(r, "APIGW.0301", 401)


def test_body_tampered_after_signing(srv, world, raw):
    fid = create_filter(hw_client(srv))["id"]
    good = {"traffic_mirror_session": session_opts(world, filter_id=fid)}
    import json
    signed_body = json.dumps(good).encode()
    from hw_kit import sign
    d = sdk_date()
    path = raw.path("traffic-mirror-sessions")
    headers = {"Content-Type": "application/json", "Host": raw.host, "X-Sdk-Date": d,
               "X-Project-Id": raw.project_id}
    signed, sig = sign("POST", path, "", headers, signed_body, raw.sk, d)
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={raw.ak}, SignedHeaders={signed}, " \
                               f"Signature={sig}"
    del headers["Host"]
    tampered = signed_body.replace(b'"priority": ', b'"priority": 1')
    r = raw.http.post(f"http://{raw.host}{path}", data=tampered, headers=headers, timeout=15)
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.json()["error_code"] == "APIGW.0301"


def test_wrong_secret_raw(srv):
    r = HwRaw(srv, "A", sk="nope").send("GET", "traffic-mirror-filters")
    assert_raw_error(r, "APIGW.0301", 401)


def test_project_header_differs_from_path(raw, world):
    r = raw.send("GET", "traffic-mirror-sessions",
                 extra_headers={"X-Project-Id": project_of(world, "B")})
    assert_raw_error(r, "VPC.0007", 400)


def test_no_project_header_is_fine(raw):
    r = raw.send("GET", "traffic-mirror-sessions", project_header=False)
    assert r.status == 200, r


def test_literal_project_template_raw(raw):
    r = raw.send("GET", "traffic-mirror-sessions", path="/v3/%7Bproject_id%7D/vpc/"
                 "traffic-mirror-sessions", project_header=False)
    assert_raw_error(r, "VPC.0007", 400)


@pytest.mark.parametrize("method,rest", [
    ("GET", "traffic-mirror-nothing"),
    ("PATCH", "traffic-mirror-sessions"),
    ("DELETE", "traffic-mirror-sessions"),
    ("POST", "traffic-mirror-filter-rules/abc"),
])
def test_unknown_path_or_method(raw, method, rest):
    r = raw.send(method, rest)
    assert_raw_error(r, "APIGW.0101", 404)


def test_error_body_and_header_agree(raw):
    r = raw.send("GET", "traffic-mirror-sessions/" + str(uuid.uuid4()))
    assert_raw_error(r, "VPC.TM0201", 404)
    assert set(r.json) == {"error_code", "error_msg", "request_id"}, r.json
