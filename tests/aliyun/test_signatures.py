"""Acceptance 2: signatures (V3 default, V1 HMAC-SHA1, legacy SDK), and the errors common to
every operation on the wire (docs/aliyun.md, 'Errors common to every operation')."""
from __future__ import annotations

import json
import uuid

from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428.client import Client
from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, REQUEST_ID_RE, assert_raw_error, assert_raw_ok, create_filter,
                        expect_error, get_filter, list_sessions, sdk_client, utc_stamp)

LIST = "ListTrafficMirrorSessions"
LIST_PARAMS = [("RegionId", REGION)]


def test_v3_default_signer(srv, a):
    r = a.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(region_id=REGION))
    assert r.status_code == 200
    assert REQUEST_ID_RE.match(r.body.request_id)
    fid = create_filter(a, traffic_mirror_filter_name="name with spaces+plus/slash*star~")
    assert get_filter(a, fid)["TrafficMirrorFilterName"] == "name with spaces+plus/slash*star~"


def test_v1_signer(srv):
    v1 = srv.client("A", v1=True)
    fid = create_filter(v1, traffic_mirror_filter_name="s 1")
    f = get_filter(v1, fid)
    assert f["TrafficMirrorFilterName"] == "s 1"
    assert isinstance(list_sessions(v1), list)


def test_endpoint_with_scheme_in_host_header(srv):
    c = Client(Config(access_key_id=srv.world.accounts["A"].ak,
                      access_key_secret=srv.world.accounts["A"].secret, region_id=REGION,
                      endpoint=f"http://{srv.endpoint}", protocol="http"))
    c.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(region_id=REGION))


def test_wrong_secret(srv):
    acct = srv.world.accounts["A"]
    for v1 in (False, True):
        c = sdk_client(srv.endpoint, acct.ak, acct.secret + "x", v1=v1)
        e = expect_error("SignatureDoesNotMatch", c.list_traffic_mirror_sessions,
                         vpc.ListTrafficMirrorSessionsRequest(region_id=REGION))
        assert "server string to sign is:" in e.message, e.message


def test_unknown_access_key(srv):
    for v1 in (False, True):
        c = sdk_client(srv.endpoint, "LTAIunknownkey000000", "whatever", v1=v1)
        expect_error("InvalidAccessKeyId.NotFound", c.list_traffic_mirror_sessions,
                     vpc.ListTrafficMirrorSessionsRequest(region_id=REGION), status=404)


def test_raw_v1_roundtrip_query_get_and_form(srv):
    raw = srv.raw("A")
    r = raw.send_v1(LIST, LIST_PARAMS)
    body = assert_raw_ok(r)
    assert r.headers["Content-Type"].replace(" ", "").lower() == "application/json;charset=utf-8"
    assert isinstance(body["TotalCount"], str), "TotalCount of sessions is a string"
    assert isinstance(body["TrafficMirrorSessions"], list)
    assert_raw_ok(raw.send_v1(LIST, LIST_PARAMS, method="GET"))
    assert_raw_ok(raw.send_v1(LIST, LIST_PARAMS, where="form"))
    # Format in other case, as the legacy SDK sends it
    assert_raw_ok(raw.send_v1(LIST, LIST_PARAMS + [("SignatureType", "")], drop=("Format",),
                              extra_common=[("Format", "JSON")]))


def test_raw_v3_roundtrip(srv):
    assert_raw_ok(srv.raw("A").send_v3(LIST, LIST_PARAMS))


def test_stale_timestamp(srv):
    raw = srv.raw("A")
    for off in (-16 * 60, 16 * 60, -86400):
        assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, timestamp=utc_stamp(off)),
                         "InvalidTimeStamp.Expired")
        assert_raw_error(raw.send_v3(LIST, LIST_PARAMS, date=utc_stamp(off)),
                         "InvalidTimeStamp.Expired")
    # within 15 minutes is fine
    assert_raw_ok(raw.send_v1(LIST, LIST_PARAMS, timestamp=utc_stamp(-14 * 60)))
    assert_raw_ok(raw.send_v3(LIST, LIST_PARAMS, date=utc_stamp(14 * 60)))


def test_malformed_timestamp(srv):
    raw = srv.raw("A")
    for bad in ("yesterday", "2026-13-45T99:00:00Z", "1700000000"):
        assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, drop=("Timestamp",),
                                     extra_common=[("Timestamp", bad)]),
                         "InvalidTimeStamp.Format")
    # empty: malformed, or absent (docs leave it open)
    assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, drop=("Timestamp",),
                                 extra_common=[("Timestamp", "")]),
                     {"InvalidTimeStamp.Format", "MissingTimestamp"})
    assert_raw_error(raw.send_v3(LIST, LIST_PARAMS, date="not a date"), "InvalidTimeStamp.Format")


def test_signature_nonce_reuse(srv):
    raw = srv.raw("A")
    nonce = uuid.uuid4().hex
    ts = utc_stamp()
    assert_raw_ok(raw.send_v1(LIST, LIST_PARAMS, nonce=nonce, timestamp=ts))
    assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, nonce=nonce, timestamp=ts), "SignatureNonceUsed")
    # another request, same nonce, still refused
    assert_raw_error(raw.send_v1("ListTrafficMirrorFilters", LIST_PARAMS, nonce=nonce),
                     "SignatureNonceUsed")
    nonce = uuid.uuid4().hex
    assert_raw_ok(raw.send_v3(LIST, LIST_PARAMS, nonce=nonce))
    assert_raw_error(raw.send_v3(LIST, LIST_PARAMS, nonce=nonce), "SignatureNonceUsed")


def test_signature_nonce_reuse_with_write_changes_nothing(srv, a):
    raw = srv.raw("A")
    nonce = uuid.uuid4().hex
    params = [("RegionId", REGION), ("TrafficMirrorFilterName", "nonce-" + nonce[:8])]
    assert_raw_ok(raw.send_v1("CreateTrafficMirrorFilter", params, nonce=nonce))
    assert_raw_error(raw.send_v1("CreateTrafficMirrorFilter", params, nonce=nonce),
                     "SignatureNonceUsed")
    from aliyun_kit import list_filters
    assert len(list_filters(a, traffic_mirror_filter_name="nonce-" + nonce[:8])) == 1


def test_tampered_v1_parameter(srv):
    raw = srv.raw("A")
    pairs = raw.v1_pairs(LIST, LIST_PARAMS)
    from aliyun_kit import v1_signature
    sig = v1_signature("POST", pairs, raw.secret)
    pairs = pairs + [("MaxResults", "5"), ("Signature", sig)]
    r = assert_raw_error(raw.send_pairs(pairs), "SignatureDoesNotMatch")
    assert "server string to sign is:" in r.json["Message"]


def test_missing_signature(srv):
    raw = srv.raw("A")
    assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, sign=False), "IncompleteSignature")
    # a bare request with nothing at all
    assert_raw_error(raw.send_pairs([("Action", LIST), ("RegionId", REGION)]), "IncompleteSignature")
    # a malformed Authorization header
    def bad_auth(h):
        h["Authorization"] = "ACS3-HMAC-SHA256 garbage"
    assert_raw_error(raw.send_v3(LIST, LIST_PARAMS, tamper=bad_auth), "IncompleteSignature")


def test_unknown_action_and_version(srv):
    raw = srv.raw("A")
    assert_raw_error(raw.send_v1("DescribeNothingAtAll", LIST_PARAMS), "InvalidAction.NotFound",
                     status=404)
    assert_raw_error(raw.send_v3("DescribeNothingAtAll", LIST_PARAMS), "InvalidAction.NotFound",
                     status=404)
    assert_raw_error(raw.send_v1(LIST, LIST_PARAMS, version="2014-05-26"), "InvalidVersion")
    assert_raw_error(raw.send_v3(LIST, LIST_PARAMS, version="2099-01-01"), "InvalidVersion")


def test_error_envelope(srv, a):
    e = expect_error("ResourceNotFound.TrafficMirrorSession", a.delete_traffic_mirror_session,
                     vpc.DeleteTrafficMirrorSessionRequest(region_id=REGION,
                                                           traffic_mirror_session_id="tms-doesnotexist00000000"))
    r = srv.raw("A").send_v1("DeleteTrafficMirrorSession",
                             [("RegionId", REGION), ("TrafficMirrorSessionId", "tms-doesnotexist00000000")])
    assert_raw_error(r, "ResourceNotFound.TrafficMirrorSession")
    assert set(r.json) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}, r.json
    assert REQUEST_ID_RE.match(e.request_id or ""), e.request_id


def test_legacy_core_sdk(srv):
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest
    acct = srv.world.accounts["A"]
    client = AcsClient(acct.ak, acct.secret, REGION)
    req = CommonRequest()
    req.set_domain(srv.endpoint)
    req.set_protocol_type("http")
    req.set_method("POST")
    req.set_version("2016-04-28")
    req.set_action_name(LIST)
    req.add_query_param("RegionId", REGION)
    req.add_query_param("MaxResults", "10")
    req.add_query_param("TrafficMirrorSessionIds.1", "tms-aaa")
    req.set_accept_format("json")
    body = json.loads(client.do_action_with_exception(req))
    assert body["TrafficMirrorSessions"] == []
    assert REQUEST_ID_RE.match(body["RequestId"])


def test_legacy_core_sdk_wrong_secret(srv):
    """The legacy SDK splits the SignatureDoesNotMatch message on ':'; it must not crash."""
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.request import CommonRequest
    acct = srv.world.accounts["A"]
    client = AcsClient(acct.ak, acct.secret + "nope", REGION)
    req = CommonRequest()
    req.set_domain(srv.endpoint)
    req.set_protocol_type("http")
    req.set_method("POST")
    req.set_version("2016-04-28")
    req.set_action_name(LIST)
    req.add_query_param("RegionId", REGION)
    req.set_accept_format("json")
    try:
        client.do_action_with_exception(req)
    except ServerException as e:
        assert e.get_http_status() == 400, e
        assert e.get_error_code() == "SignatureDoesNotMatch", e
        # what the SDK does with the message: split(':')[1] must be the string the client signed
        # (CommonRequest keeps it on its inner request, so the SDK's own comparison skips it)
        assert e.get_error_msg().split(":")[1] == req.request.string_to_sign, e.get_error_msg()
    else:
        raise AssertionError("a wrong secret was accepted")
