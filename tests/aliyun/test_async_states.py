"""Acceptance: asynchronous states. With settle_delay_ms=400 a write shows its transitional
status (Creating / Modifying / Deleting) and then settles; with 0 it is settled at once."""
from __future__ import annotations

import time

import pytest
from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, create_filter, create_session, get_filter, get_session, ingress,
                        wait_filter_status, wait_for, wait_session_gone, wait_session_status)

SETTLE_MS = 400


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    from conftest import make_server
    s = make_server(tmp_path_factory, "async", settle_delay_ms=SETTLE_MS)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def sa(slow):
    return slow.client("A")


def settled_filter(sa, **kw):
    fid = create_filter(sa, **kw)
    wait_filter_status(sa, fid, "Created")
    return fid


def test_session_create_creating_then_created(slow, sa):
    fid = settled_filter(sa)
    t0 = time.monotonic()
    sid = create_session(sa, slow.world, filter_id=fid)
    s = get_session(sa, sid)
    assert s is not None, "a new session must be readable by id right after create returns"
    assert s["TrafficMirrorSessionStatus"] == "Creating"
    wait_session_status(sa, sid, "Created", timeout=5)
    elapsed = time.monotonic() - t0
    assert elapsed >= SETTLE_MS / 1000 * 0.8, f"settled after {elapsed:.3f}s, before the delay"


@pytest.mark.parametrize("op", ["update", "add", "remove"])
def test_session_writes_modifying_then_created(slow, sa, op):
    world = slow.world
    s1, s2 = world.eni(), world.eni()
    sid = create_session(sa, world, sources=[s1, s2], filter_id=settled_filter(sa))
    wait_session_status(sa, sid, "Created")
    if op == "update":
        sa.update_traffic_mirror_session_attribute(vpc.UpdateTrafficMirrorSessionAttributeRequest(
            region_id=REGION, traffic_mirror_session_id=sid, enabled=True,
            traffic_mirror_session_name="updated"))
    elif op == "add":
        sa.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[world.eni()]))
    else:
        sa.remove_sources_from_traffic_mirror_session(vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[s2]))
    assert get_session(sa, sid)["TrafficMirrorSessionStatus"] == "Modifying"
    s = wait_session_status(sa, sid, "Created", timeout=5)
    if op == "update":
        assert s["Enabled"] is True and s["TrafficMirrorSessionName"] == "updated"
    elif op == "add":
        assert len(s["TrafficMirrorSourceIds"]) == 3
    else:
        assert s["TrafficMirrorSourceIds"] == [s1]


def test_session_delete_deleting_then_gone(slow, sa):
    sid = create_session(sa, slow.world, filter_id=settled_filter(sa))
    wait_session_status(sa, sid, "Created")
    sa.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    s = get_session(sa, sid)
    assert s is not None and s["TrafficMirrorSessionStatus"] == "Deleting", s
    wait_session_gone(sa, sid, timeout=5)


def test_filter_lifecycle_states(sa):
    fid = create_filter(sa)
    f = get_filter(sa, fid)
    assert f is not None and f["TrafficMirrorFilterStatus"] == "Creating"
    wait_filter_status(sa, fid, "Created")
    sa.update_traffic_mirror_filter_attribute(vpc.UpdateTrafficMirrorFilterAttributeRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="renamed"))
    assert get_filter(sa, fid)["TrafficMirrorFilterStatus"] == "Modifying"
    f = wait_filter_status(sa, fid, "Created")
    assert f["TrafficMirrorFilterName"] == "renamed"
    sa.delete_traffic_mirror_filter(vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=fid))
    assert get_filter(sa, fid)["TrafficMirrorFilterStatus"] == "Deleting"
    wait_for(lambda: get_filter(sa, fid) is None, 5, what="filter to disappear")


def test_rule_states(sa):
    fid = settled_filter(sa)
    r = sa.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
            action="accept", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))
    rid = r.body.ingress_rules[0].instance_id
    f = get_filter(sa, fid)
    assert f["TrafficMirrorFilterStatus"] == "Modifying"
    assert f["IngressRules"][0]["TrafficMirrorFilterRuleId"] == rid
    assert f["IngressRules"][0]["TrafficMirrorFilterRuleStatus"] == "Creating"
    f = wait_filter_status(sa, fid, "Created")
    f = wait_for(lambda: (x := get_filter(sa, fid)) and
                 x["IngressRules"][0]["TrafficMirrorFilterRuleStatus"] == "Created" and x, 5)
    sa.update_traffic_mirror_filter_rule_attribute(vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
        region_id=REGION, traffic_mirror_filter_rule_id=rid, rule_action="drop"))
    f = get_filter(sa, fid)
    assert f["IngressRules"][0]["TrafficMirrorFilterRuleStatus"] == "Modifying"
    assert f["TrafficMirrorFilterStatus"] == "Modifying"
    wait_filter_status(sa, fid, "Created")
    f = wait_for(lambda: (x := get_filter(sa, fid)) and
                 x["IngressRules"][0]["TrafficMirrorFilterRuleStatus"] == "Created" and x, 5)
    assert f["IngressRules"][0]["Action"] == "drop"
    sa.delete_traffic_mirror_filter_rules(vpc.DeleteTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_rule_ids=[rid]))
    f = get_filter(sa, fid)
    assert f["TrafficMirrorFilterStatus"] == "Modifying"
    assert [x["TrafficMirrorFilterRuleStatus"] for x in f["IngressRules"]] in (["Deleting"], [])
    wait_for(lambda: (x := get_filter(sa, fid)) and x["IngressRules"] == [] and
             x["TrafficMirrorFilterStatus"] == "Created", 5, what="rule to disappear")


def test_filter_created_with_rules_states(sa):
    fid = create_filter(sa, ingress_rules=[ingress(priority=1)])
    f = get_filter(sa, fid)
    assert f["TrafficMirrorFilterStatus"] == "Creating"
    f = wait_filter_status(sa, fid, "Created")
    f = wait_for(lambda: (x := get_filter(sa, fid)) and
                 x["IngressRules"][0]["TrafficMirrorFilterRuleStatus"] == "Created" and x, 5)


def test_zero_delay_settles_before_answer(srv, a, world):
    fid = create_filter(a)
    assert get_filter(a, fid)["TrafficMirrorFilterStatus"] == "Created"
    sid = create_session(a, world, filter_id=fid)
    assert get_session(a, sid)["TrafficMirrorSessionStatus"] == "Created"
    a.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[world.eni()]))
    assert get_session(a, sid)["TrafficMirrorSessionStatus"] == "Created"
    # immediately writable again
    a.update_traffic_mirror_session_attribute(vpc.UpdateTrafficMirrorSessionAttributeRequest(
        region_id=REGION, traffic_mirror_session_id=sid, enabled=True))
    a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    assert get_session(a, sid) is None
    a.delete_traffic_mirror_filter(vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=fid))
    assert get_filter(a, fid) is None
