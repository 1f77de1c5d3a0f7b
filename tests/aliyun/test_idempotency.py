"""Acceptance: ClientToken idempotency and DryRun."""
from __future__ import annotations

import uuid

from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, create_filter, create_session, expect_error, get_session,
                        list_filters, list_sessions, snapshot)


def _session_req(world, fid, sources, target, prio, **kw):
    d = dict(region_id=REGION, traffic_mirror_source_ids=sources, traffic_mirror_target_id=target,
             traffic_mirror_target_type="NetworkInterface", traffic_mirror_filter_id=fid,
             priority=prio)
    d.update(kw)
    return vpc.CreateTrafficMirrorSessionRequest(**d)


def test_client_token_create_session(a, world):
    fid = create_filter(a)
    src, tgt, prio = world.eni(), world.eni(), world.priority()
    token = uuid.uuid4().hex
    before = len(list_sessions(a))
    r1 = a.create_traffic_mirror_session(_session_req(world, fid, [src], tgt, prio, client_token=token))
    r2 = a.create_traffic_mirror_session(_session_req(world, fid, [src], tgt, prio, client_token=token))
    assert r1.body.traffic_mirror_session_id == r2.body.traffic_mirror_session_id
    assert len(list_sessions(a)) == before + 1
    # same token, other parameters
    expect_error("IdempotentParameterMismatch", a.create_traffic_mirror_session,
                 _session_req(world, fid, [src], tgt, world.priority(), client_token=token))
    expect_error("IdempotentParameterMismatch", a.create_traffic_mirror_session,
                 _session_req(world, fid, [src], tgt, prio, client_token=token, enabled=True))
    assert len(list_sessions(a)) == before + 1
    # a fresh token with the same parameters is a new request (and here a duplicate priority)
    expect_error("DuplicatedParam.Priority", a.create_traffic_mirror_session,
                 _session_req(world, fid, [world.eni()], world.eni(), prio,
                              client_token=uuid.uuid4().hex))


def test_client_token_create_filter(a):
    token = uuid.uuid4().hex
    req = dict(region_id=REGION, traffic_mirror_filter_name="idem-" + token[:6], client_token=token)
    f1 = create_filter(a, **req)
    f2 = create_filter(a, **req)
    assert f1 == f2
    assert len(list_filters(a, traffic_mirror_filter_name="idem-" + token[:6])) == 1
    expect_error("IdempotentParameterMismatch", a.create_traffic_mirror_filter,
                 vpc.CreateTrafficMirrorFilterRequest(**{**req, "traffic_mirror_filter_name": "other"}))


def test_client_token_add_sources(a, world):
    sid = create_session(a, world)
    e = world.eni()
    token = uuid.uuid4().hex
    for _ in range(2):   # the repeat answers as the first did, instead of AlreadyAssociated
        a.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[e],
            client_token=token))
    assert get_session(a, sid)["TrafficMirrorSourceIds"].count(e) == 1
    expect_error("IdempotentParameterMismatch", a.add_sources_to_traffic_mirror_session,
                 vpc.AddSourcesToTrafficMirrorSessionRequest(
                     region_id=REGION, traffic_mirror_session_id=sid,
                     traffic_mirror_source_ids=[world.eni()], client_token=token))


def test_dry_run_create_session(a, world):
    fid = create_filter(a)
    snap = snapshot(a)
    expect_error("DryRunOperation", a.create_traffic_mirror_session,
                 _session_req(world, fid, [world.eni()], world.eni(), world.priority(), dry_run=True))
    assert snapshot(a) == snap
    # dry run with a bad value still gets the validation error
    expect_error("InvalidParam.Priority", a.create_traffic_mirror_session,
                 _session_req(world, fid, [world.eni()], world.eni(), 0, dry_run=True))
    expect_error("InvalidParam.PacketLength", a.create_traffic_mirror_session,
                 _session_req(world, fid, [world.eni()], world.eni(), world.priority(),
                              packet_length=63, dry_run=True))
    # and the semantic checks too
    expect_error("ResourceNotFound.TrafficMirrorFilter", a.create_traffic_mirror_session,
                 _session_req(world, "tmf-doesnotexist00000000", [world.eni()], world.eni(),
                              world.priority(), dry_run=True))
    expect_error("OperationDenied.FreeNetworkInterface", a.create_traffic_mirror_session,
                 _session_req(world, fid, [world.free_eni], world.eni(), world.priority(),
                              dry_run=True))
    assert snapshot(a) == snap
    # dry_run=False is a real request
    r = a.create_traffic_mirror_session(_session_req(world, fid, [world.eni()], world.eni(),
                                                     world.priority(), dry_run=False))
    assert get_session(a, r.body.traffic_mirror_session_id) is not None


def test_dry_run_every_write(a, world):
    fid = create_filter(a)
    sid = create_session(a, world, filter_id=create_filter(a))
    rule_fid = create_filter(a, ingress_rules=[vpc.CreateTrafficMirrorFilterRequestIngressRules(
        action="accept", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
        destination_cidr_block="0.0.0.0/0")])
    snap = snapshot(a)
    rule_id = [f for f in snap["filters"] if f["TrafficMirrorFilterId"] == rule_fid][0][
        "IngressRules"][0]["TrafficMirrorFilterRuleId"]
    src = get_session(a, sid)["TrafficMirrorSourceIds"][0]
    calls = [
        (a.create_traffic_mirror_filter, vpc.CreateTrafficMirrorFilterRequest(
            region_id=REGION, dry_run=True)),
        (a.delete_traffic_mirror_filter, vpc.DeleteTrafficMirrorFilterRequest(
            region_id=REGION, traffic_mirror_filter_id=fid, dry_run=True)),
        (a.update_traffic_mirror_filter_attribute, vpc.UpdateTrafficMirrorFilterAttributeRequest(
            region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="dry",
            dry_run=True)),
        (a.create_traffic_mirror_filter_rules, vpc.CreateTrafficMirrorFilterRulesRequest(
            region_id=REGION, traffic_mirror_filter_id=fid, dry_run=True,
            egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
                action="accept", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
                destination_cidr_block="0.0.0.0/0")])),
        (a.update_traffic_mirror_filter_rule_attribute,
         vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
             region_id=REGION, traffic_mirror_filter_rule_id=rule_id, rule_action="drop",
             dry_run=True)),
        (a.delete_traffic_mirror_filter_rules, vpc.DeleteTrafficMirrorFilterRulesRequest(
            region_id=REGION, traffic_mirror_filter_id=rule_fid,
            traffic_mirror_filter_rule_ids=[rule_id], dry_run=True)),
        (a.update_traffic_mirror_session_attribute, vpc.UpdateTrafficMirrorSessionAttributeRequest(
            region_id=REGION, traffic_mirror_session_id=sid, enabled=True, dry_run=True)),
        (a.add_sources_to_traffic_mirror_session, vpc.AddSourcesToTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[world.eni()],
            dry_run=True)),
        (a.remove_sources_from_traffic_mirror_session,
         vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
             region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[src],
             dry_run=True)),
        (a.delete_traffic_mirror_session, vpc.DeleteTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, dry_run=True)),
    ]
    for fn, req in calls:
        expect_error("DryRunOperation", fn, req)
    assert snapshot(a) == snap
    # DryRun on a missing resource answers the real error
    expect_error("ResourceNotFound.TrafficMirrorSession", a.delete_traffic_mirror_session,
                 vpc.DeleteTrafficMirrorSessionRequest(region_id=REGION,
                                                       traffic_mirror_session_id="tms-doesnotexist00000000",
                                                       dry_run=True))
