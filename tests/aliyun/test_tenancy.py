"""Acceptance: tenancy. A second account neither sees nor touches the first's resources: it gets
the answers it would get for unknown ids."""
from __future__ import annotations

import pytest
from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, create_filter, create_session, expect_error, get_filter,
                        get_session, ingress, list_filters, list_sessions, snapshot)


@pytest.fixture(scope="module")
def owned(a, world):
    fid = create_filter(a, ingress_rules=[ingress(priority=1)])
    src, tgt = world.eni(), world.eni()
    sid = create_session(a, world, sources=[src], target=tgt, filter_id=fid, priority=7)
    rule = get_filter(a, fid)["IngressRules"][0]["TrafficMirrorFilterRuleId"]
    return dict(fid=fid, sid=sid, src=src, tgt=tgt, rule=rule)


def test_other_account_sees_nothing(b, owned):
    assert list_sessions(b, traffic_mirror_session_ids=[owned["sid"]]) == []
    assert list_filters(b, traffic_mirror_filter_ids=[owned["fid"]]) == []
    assert owned["sid"] not in {s["TrafficMirrorSessionId"] for s in list_sessions(b)}
    assert owned["fid"] not in {f["TrafficMirrorFilterId"] for f in list_filters(b)}
    assert list_sessions(b, traffic_mirror_source_id=owned["src"]) == []
    assert list_sessions(b, traffic_mirror_filter_id=owned["fid"]) == []
    body = b.list_tag_resources(vpc.ListTagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[owned["sid"]])).body.to_map()
    assert ((body.get("TagResources") or {}).get("TagResource") or []) == []


def test_other_account_cannot_touch(a, b, world, owned):
    before = snapshot(a)
    sid, fid = owned["sid"], owned["fid"]
    nf_s, nf_f = "ResourceNotFound.TrafficMirrorSession", "ResourceNotFound.TrafficMirrorFilter"
    expect_error(nf_s, b.delete_traffic_mirror_session, vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    expect_error(nf_s, b.update_traffic_mirror_session_attribute,
                 vpc.UpdateTrafficMirrorSessionAttributeRequest(
                     region_id=REGION, traffic_mirror_session_id=sid, enabled=True))
    expect_error(nf_s, b.add_sources_to_traffic_mirror_session, vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[world.eni("B")]))
    expect_error(nf_s, b.remove_sources_from_traffic_mirror_session,
                 vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
                     region_id=REGION, traffic_mirror_session_id=sid,
                     traffic_mirror_source_ids=[owned["src"]]))
    expect_error(nf_f, b.delete_traffic_mirror_filter, vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=fid))
    expect_error(nf_f, b.update_traffic_mirror_filter_attribute,
                 vpc.UpdateTrafficMirrorFilterAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="x"))
    expect_error(nf_f, b.create_traffic_mirror_filter_rules, vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
            action="accept", priority=5, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))
    expect_error(nf_f, b.delete_traffic_mirror_filter_rules, vpc.DeleteTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_rule_ids=[owned["rule"]]))
    expect_error("ResourceNotFound.TrafficMirrorRule", b.update_traffic_mirror_filter_rule_attribute,
                 vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_rule_id=owned["rule"], rule_action="drop"))
    expect_error(nf_s, b.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    expect_error(nf_f, b.un_tag_resources, vpc.UnTagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORFILTER", resource_id=[fid], all=True))
    expect_error(nf_s, b.move_resource_group, vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorSession", resource_id=sid,
        new_resource_group_id="rg-stolen000001"))
    # A's filter, ENIs and load balancer are unknown to B
    expect_error(nf_f, create_session, b, world, "B", filter_id=fid)
    expect_error("ResourceNotFound.NetworkInterface", create_session, b, world, "B",
                 sources=[world.eni()])                     # a fresh ENI of account A
    expect_error("ResourceNotFound.NetworkInterface", create_session, b, world, "B", target=owned["tgt"])
    expect_error("ResourceNotFound.LoadBalancer", create_session, b, world, "B", target=world.lb_a,
                 traffic_mirror_target_type="SLB")
    assert snapshot(a) == before


def test_priorities_and_enis_are_per_account(a, b, world, owned):
    # priority 7 is A's; B may use it
    sid = create_session(b, world, "B", priority=7)
    assert get_session(b, sid)["Priority"] == 7
    assert get_session(a, sid) is None
    # B's own load balancer works as a target
    sid2 = create_session(b, world, "B", target=world.lb_b, traffic_mirror_target_type="SLB")
    assert get_session(b, sid2)["TrafficMirrorTargetId"] == world.lb_b


def test_client_token_is_per_account(a, b, world):
    token = "shared-token-0001"
    fa = create_filter(a, client_token=token, traffic_mirror_filter_name="same")
    fb = create_filter(b, client_token=token, traffic_mirror_filter_name="same")
    assert fa != fb
    assert get_filter(a, fb) is None and get_filter(b, fa) is None
