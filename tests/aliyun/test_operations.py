"""Acceptance 1: every operation through the official Tea SDK, response fields checked
(names, types, values as in api-alibaba.md section 3)."""
from __future__ import annotations

from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (FILTER_ID_RE, REGION, REQUEST_ID_RE, RULE_ID_RE, SESSION_ID_RE, TIME_RE,
                        create_filter, create_session, egress, expect_error, get_filter,
                        get_session, ingress, list_filters, list_sessions, service_enabled)


def rid_ok(body):
    assert REQUEST_ID_RE.match(body.request_id or ""), f"RequestId {body.request_id!r}"


# ------------------------------------------------------------------ service

def test_open_and_status(srv):
    o = srv.client("O")
    r = o.get_traffic_mirror_service_status(vpc.GetTrafficMirrorServiceStatusRequest(region_id=REGION))
    rid_ok(r.body)
    assert r.status_code == 200
    assert r.body.enabled is False
    r = o.open_traffic_mirror_service(vpc.OpenTrafficMirrorServiceRequest(region_id=REGION))
    rid_ok(r.body)
    assert r.status_code == 200
    assert r.body.code == "200"
    assert r.body.message == "successful"
    assert service_enabled(o) is True
    # opening again: ORDER.OPEND, still enabled
    expect_error("ORDER.OPEND", o.open_traffic_mirror_service,
                 vpc.OpenTrafficMirrorServiceRequest(region_id=REGION))
    assert service_enabled(o) is True


def test_open_without_region(srv):
    # RegionId is optional on Open and GetStatus (SEED 004)
    c = srv.client("C")
    r = c.get_traffic_mirror_service_status(vpc.GetTrafficMirrorServiceStatusRequest())
    assert r.body.enabled is False


def test_status_of_opened_account(a):
    assert service_enabled(a) is True


# ------------------------------------------------------------------ filters

def test_create_filter_with_rules_and_list(a):
    r = a.create_traffic_mirror_filter(vpc.CreateTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_name="web filter",
        traffic_mirror_filter_description="mirror web traffic",
        resource_group_id="rg-aek2vspan0001",
        tag=[vpc.CreateTrafficMirrorFilterRequestTag(key="env", value="test")],
        ingress_rules=[ingress(priority=1, action="accept", protocol="TCP",
                               source_cidr_block="10.0.0.0/8", destination_cidr_block="10.1.0.0/16",
                               source_port_range="1/65535", destination_port_range="80/443"),
                       ingress(priority=2, action="drop", protocol="ALL",
                               source_cidr_block="0.0.0.0/0", destination_cidr_block="0.0.0.0/0",
                               source_port_range=None, destination_port_range=None)],
        egress_rules=[egress(priority=1, action="accept", protocol="UDP", ip_version="IPv4",
                             source_cidr_block="192.168.0.0/24", destination_cidr_block="0.0.0.0/0",
                             source_port_range="53/53", destination_port_range="1/65535")]))
    assert r.status_code == 200
    rid_ok(r.body)
    fid = r.body.traffic_mirror_filter_id
    assert FILTER_ID_RE.match(fid)
    assert r.body.resource_group_id == "rg-aek2vspan0001"

    f = get_filter(a, fid)
    assert f is not None, "filter not listed right after create"
    assert f["TrafficMirrorFilterId"] == fid
    assert f["TrafficMirrorFilterName"] == "web filter"
    assert f["TrafficMirrorFilterDescription"] == "mirror web traffic"
    assert f["TrafficMirrorFilterStatus"] == "Created"
    assert f["ResourceGroupId"] == "rg-aek2vspan0001"
    assert TIME_RE.match(f["CreationTime"]), f["CreationTime"]
    assert f["Tags"] == [{"Key": "env", "Value": "test"}]
    ing = sorted(f["IngressRules"], key=lambda x: x["Priority"])
    eg = f["EgressRules"]
    assert len(ing) == 2 and len(eg) == 1
    r1, r2 = ing
    for x in ing + eg:
        assert RULE_ID_RE.match(x["TrafficMirrorFilterRuleId"]), x
        assert x["TrafficMirrorFilterId"] == fid
        assert x["TrafficMirrorFilterRuleStatus"] == "Created"
        assert isinstance(x["Priority"], int)
    assert r1 == {**r1, "TrafficDirection": "ingress", "Priority": 1, "Action": "accept",
                  "Protocol": "TCP", "IpVersion": "IPv4", "SourceCidrBlock": "10.0.0.0/8",
                  "DestinationCidrBlock": "10.1.0.0/16", "SourcePortRange": "1/65535",
                  "DestinationPortRange": "80/443"}
    assert r2["Action"] == "drop" and r2["Protocol"] == "ALL"
    assert r2["SourcePortRange"] == "-1/-1" and r2["DestinationPortRange"] == "-1/-1"
    assert eg[0]["TrafficDirection"] == "egress"
    assert eg[0]["Protocol"] == "UDP" and eg[0]["SourcePortRange"] == "53/53"
    assert eg[0]["SourceCidrBlock"] == "192.168.0.0/24"
    ids = {x["TrafficMirrorFilterRuleId"] for x in ing + eg}
    assert len(ids) == 3


def test_filter_list_fields(a):
    fid = create_filter(a)
    r = a.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(
        region_id=REGION, traffic_mirror_filter_ids=[fid]))
    body = r.body.to_map()
    rid_ok(r.body)
    assert int(body["TotalCount"]) == 1
    assert body["Count"] == 1
    assert body["MaxResults"] == 10
    assert body.get("NextToken", "") == ""
    f = body["TrafficMirrorFilters"][0]
    assert f["IngressRules"] == [] and f["EgressRules"] == []
    assert f["TrafficMirrorFilterStatus"] == "Created"


def test_ipv6_and_icmp_rules(a):
    fid = create_filter(a, ingress_rules=[
        ingress(priority=1, protocol="ICMP", ip_version="IPv6", source_cidr_block="::/0",
                destination_cidr_block="2001:db8::/32", source_port_range=None,
                destination_port_range=None)])
    x = get_filter(a, fid)["IngressRules"][0]
    assert x["IpVersion"] == "IPv6" and x["Protocol"] == "ICMP"
    assert x["DestinationCidrBlock"] == "2001:db8::/32"
    assert x["SourcePortRange"] == "-1/-1"


def test_protocol_case_insensitive(a):
    fid = create_filter(a, ingress_rules=[ingress(priority=1, protocol="tcp")])
    assert get_filter(a, fid)["IngressRules"][0]["Protocol"].upper() == "TCP"


def test_update_filter_attribute(a):
    fid = create_filter(a, traffic_mirror_filter_name="old")
    r = a.update_traffic_mirror_filter_attribute(vpc.UpdateTrafficMirrorFilterAttributeRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="new",
        traffic_mirror_filter_description="new description"))
    rid_ok(r.body)
    f = get_filter(a, fid)
    assert f["TrafficMirrorFilterName"] == "new"
    assert f["TrafficMirrorFilterDescription"] == "new description"
    assert f["TrafficMirrorFilterStatus"] == "Created"


def test_filter_rules_create_update_delete(a):
    fid = create_filter(a)
    r = a.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
            action="accept", priority=1, protocol="TCP", source_cidr_block="10.0.0.0/8",
            destination_cidr_block="0.0.0.0/0", source_port_range="22/22",
            destination_port_range="1/65535")],
        egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
            action="drop", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))
    rid_ok(r.body)
    assert len(r.body.ingress_rules) == 1 and len(r.body.egress_rules) == 1
    in_id = r.body.ingress_rules[0].instance_id
    eg_id = r.body.egress_rules[0].instance_id
    assert RULE_ID_RE.match(in_id) and RULE_ID_RE.match(eg_id) and in_id != eg_id
    f = get_filter(a, fid)
    assert [x["TrafficMirrorFilterRuleId"] for x in f["IngressRules"]] == [in_id]
    assert [x["TrafficMirrorFilterRuleId"] for x in f["EgressRules"]] == [eg_id]

    # update: RuleAction (not Action), priority, ports, cidrs
    r = a.update_traffic_mirror_filter_rule_attribute(
        vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
            region_id=REGION, traffic_mirror_filter_rule_id=in_id, rule_action="drop", priority=5,
            source_cidr_block="172.16.0.0/12", destination_cidr_block="10.9.0.0/16",
            source_port_range="1000/2000", destination_port_range="8080/8081"))
    rid_ok(r.body)
    x = get_filter(a, fid)["IngressRules"][0]
    assert x["TrafficMirrorFilterRuleId"] == in_id
    assert (x["Action"], x["Priority"], x["SourceCidrBlock"], x["DestinationCidrBlock"],
            x["SourcePortRange"], x["DestinationPortRange"]) == \
        ("drop", 5, "172.16.0.0/12", "10.9.0.0/16", "1000/2000", "8080/8081")
    assert x["Protocol"] == "TCP" and x["TrafficMirrorFilterRuleStatus"] == "Created"

    # priority 1 is now free in ingress, priority 1 in egress stays taken
    r = a.delete_traffic_mirror_filter_rules(vpc.DeleteTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_rule_ids=[in_id, eg_id]))
    rid_ok(r.body)
    f = get_filter(a, fid)
    assert f["IngressRules"] == [] and f["EgressRules"] == []


def test_rule_errors(a):
    fid = create_filter(a, ingress_rules=[ingress(priority=1), ingress(priority=2)])
    f = get_filter(a, fid)
    r1, r2 = sorted(f["IngressRules"], key=lambda x: x["Priority"])
    # a priority already used in that direction
    expect_error("DuplicatedParam.Priority", a.create_traffic_mirror_filter_rules,
                 vpc.CreateTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid,
                     ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
                         action="accept", priority=2, protocol="ALL", source_cidr_block="0.0.0.0/0",
                         destination_cidr_block="0.0.0.0/0")]))
    expect_error("DuplicatedParam.Priority", a.update_traffic_mirror_filter_rule_attribute,
                 vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_rule_id=r1["TrafficMirrorFilterRuleId"],
                     priority=2))
    # the same priority in the other direction is fine
    a.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
            action="accept", priority=2, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))
    expect_error("ResourceNotFound.TrafficMirrorRule", a.delete_traffic_mirror_filter_rules,
                 vpc.DeleteTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid,
                     traffic_mirror_filter_rule_ids=["tmr-doesnotexist00000000"]))
    expect_error("ResourceNotFound.TrafficMirrorRule", a.update_traffic_mirror_filter_rule_attribute,
                 vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_rule_id="tmr-doesnotexist00000000",
                     priority=3))
    # a rule of another filter is "not in that filter"
    other = create_filter(a, ingress_rules=[ingress(priority=1)])
    other_rule = get_filter(a, other)["IngressRules"][0]["TrafficMirrorFilterRuleId"]
    expect_error("ResourceNotFound.TrafficMirrorRule", a.delete_traffic_mirror_filter_rules,
                 vpc.DeleteTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid,
                     traffic_mirror_filter_rule_ids=[other_rule]))
    expect_error("ResourceNotFound.TrafficMirrorFilter", a.create_traffic_mirror_filter_rules,
                 vpc.CreateTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id="tmf-doesnotexist00000000",
                     ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
                         action="accept", priority=9, protocol="ALL", source_cidr_block="0.0.0.0/0",
                         destination_cidr_block="0.0.0.0/0")]))
    assert len(get_filter(a, fid)["IngressRules"]) == 2


def test_rule_quota_default_10_per_direction(a):
    fid = create_filter(a, ingress_rules=[ingress(priority=p) for p in range(1, 11)])
    assert len(get_filter(a, fid)["IngressRules"]) == 10
    expect_error("QuotaExceeded.TrafficMirrorRule", a.create_traffic_mirror_filter_rules,
                 vpc.CreateTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid,
                     ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
                         action="accept", priority=10, protocol="ALL",
                         source_cidr_block="0.0.0.0/0", destination_cidr_block="0.0.0.0/0")]))
    # the other direction still has room
    a.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
            action="accept", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))


def test_delete_filter(a, world):
    fid = create_filter(a)
    r = a.delete_traffic_mirror_filter(vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=fid))
    rid_ok(r.body)
    assert get_filter(a, fid) is None
    expect_error("ResourceNotFound.TrafficMirrorFilter", a.delete_traffic_mirror_filter,
                 vpc.DeleteTrafficMirrorFilterRequest(region_id=REGION, traffic_mirror_filter_id=fid))
    expect_error("ResourceNotFound.TrafficMirrorFilter", a.update_traffic_mirror_filter_attribute,
                 vpc.UpdateTrafficMirrorFilterAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="x"))


def test_delete_filter_in_use(a, world):
    fid = create_filter(a)
    sid = create_session(a, world, filter_id=fid)
    expect_error("DependencyViolation.TrafficMirrorSession", a.delete_traffic_mirror_filter,
                 vpc.DeleteTrafficMirrorFilterRequest(region_id=REGION, traffic_mirror_filter_id=fid))
    assert get_filter(a, fid) is not None
    a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    a.delete_traffic_mirror_filter(vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=fid))
    assert get_filter(a, fid) is None


# ------------------------------------------------------------------ sessions

def test_create_session_and_list_fields(a, world):
    fid = create_filter(a)
    sources = world.enis(3)
    target = world.eni()
    prio = world.priority()
    r = a.create_traffic_mirror_session(vpc.CreateTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_name="s 1",
        traffic_mirror_session_description="first session",
        traffic_mirror_source_ids=[sources[2], sources[0], sources[1]],
        traffic_mirror_target_id=target, traffic_mirror_target_type="NetworkInterface",
        traffic_mirror_filter_id=fid, priority=prio,
        tag=[vpc.CreateTrafficMirrorSessionRequestTag(key="team", value="net")]))
    assert r.status_code == 200
    rid_ok(r.body)
    sid = r.body.traffic_mirror_session_id
    assert SESSION_ID_RE.match(sid), sid

    s = get_session(a, sid)
    assert s is not None, "session not listed right after create"
    assert s["TrafficMirrorSessionId"] == sid
    assert s["TrafficMirrorSessionName"] == "s 1"
    assert s["TrafficMirrorSessionDescription"] == "first session"
    assert s["TrafficMirrorSourceIds"] == [sources[2], sources[0], sources[1]], "order as sent"
    assert s["TrafficMirrorTargetId"] == target
    assert s["TrafficMirrorTargetType"] == "NetworkInterface"
    assert s["TrafficMirrorFilterId"] == fid
    assert s["Priority"] == prio
    assert s["TrafficMirrorSessionStatus"] == "Created"
    assert s["TrafficMirrorSessionBusinessStatus"] == "Normal"
    assert s["PacketLength"] == 1500, "PacketLength defaults to 1500"
    assert s["Enabled"] is False, "Enabled defaults to False"
    vni = s["VirtualNetworkId"]
    assert isinstance(vni, int) and 0 <= vni <= 16777215, vni
    assert TIME_RE.match(s["CreationTime"]), s["CreationTime"]
    assert s["Tags"] == [{"Key": "team", "Value": "net"}]
    assert isinstance(s.get("ResourceGroupId", ""), str)


def test_create_session_explicit_fields(a, world):
    sid = create_session(a, world, virtual_network_id=16777215, packet_length=64, enabled=True,
                         resource_group_id="rg-aek2vspan0002")
    s = get_session(a, sid)
    assert s["VirtualNetworkId"] == 16777215
    assert s["PacketLength"] == 64
    assert s["Enabled"] is True
    assert s["ResourceGroupId"] == "rg-aek2vspan0002"
    sid = create_session(a, world, virtual_network_id=0, packet_length=8500)
    s = get_session(a, sid)
    assert (s["VirtualNetworkId"], s["PacketLength"]) == (0, 8500)


def test_session_to_slb_target(a, world):
    sid = create_session(a, world, target=world.lb_a, traffic_mirror_target_type="SLB")
    s = get_session(a, sid)
    assert s["TrafficMirrorTargetId"] == world.lb_a and s["TrafficMirrorTargetType"] == "SLB"
    expect_error("ResourceNotFound.LoadBalancer", create_session, a, world,
                 target="lb-doesnotexist000000", traffic_mirror_target_type="SLB")
    expect_error("ResourceNotFound.NetworkInterface", create_session, a, world,
                 target="eni-doesnotexist000000")


def test_session_priority_unique(a, world):
    p = world.priority()
    create_session(a, world, priority=p)
    expect_error("DuplicatedParam.Priority", create_session, a, world, priority=p)
    expect_error("ResourceNotFound.TrafficMirrorFilter", create_session, a, world,
                 filter_id="tmf-doesnotexist00000000")


def test_update_session_attribute(a, world):
    sid = create_session(a, world, traffic_mirror_session_name="before")
    f2 = create_filter(a)
    t2 = world.eni()
    p2 = world.priority()
    r = a.update_traffic_mirror_session_attribute(vpc.UpdateTrafficMirrorSessionAttributeRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_session_name="after",
        traffic_mirror_session_description="changed", traffic_mirror_target_id=t2,
        traffic_mirror_target_type="NetworkInterface", traffic_mirror_filter_id=f2,
        virtual_network_id=4242, priority=p2, enabled=True, packet_length=8500))
    rid_ok(r.body)
    s = get_session(a, sid)
    assert s["TrafficMirrorSessionName"] == "after"
    assert s["TrafficMirrorSessionDescription"] == "changed"
    assert s["TrafficMirrorTargetId"] == t2
    assert s["TrafficMirrorFilterId"] == f2
    assert s["VirtualNetworkId"] == 4242
    assert s["Priority"] == p2
    assert s["Enabled"] is True
    assert s["PacketLength"] == 8500
    assert s["TrafficMirrorSessionStatus"] == "Created"
    # fields not sent stay as they are
    a.update_traffic_mirror_session_attribute(vpc.UpdateTrafficMirrorSessionAttributeRequest(
        region_id=REGION, traffic_mirror_session_id=sid, enabled=False))
    s2 = get_session(a, sid)
    assert s2["Enabled"] is False
    assert {k: v for k, v in s2.items() if k != "Enabled"} == \
        {k: v for k, v in s.items() if k != "Enabled"}
    expect_error("ResourceNotFound.TrafficMirrorSession", a.update_traffic_mirror_session_attribute,
                 vpc.UpdateTrafficMirrorSessionAttributeRequest(
                     region_id=REGION, traffic_mirror_session_id="tms-doesnotexist00000000",
                     enabled=True))


def test_add_and_remove_sources(a, world):
    s1, s2, s3 = world.enis(3)
    sid = create_session(a, world, sources=[s1])
    r = a.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[s3, s2]))
    rid_ok(r.body)
    assert get_session(a, sid)["TrafficMirrorSourceIds"] == [s1, s3, s2]
    r = a.remove_sources_from_traffic_mirror_session(vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[s3]))
    rid_ok(r.body)
    s = get_session(a, sid)
    assert s["TrafficMirrorSourceIds"] == [s1, s2]
    assert s["TrafficMirrorSessionStatus"] == "Created"
    # removing every source is allowed (Terraform does it)
    a.remove_sources_from_traffic_mirror_session(vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[s1, s2]))
    assert get_session(a, sid)["TrafficMirrorSourceIds"] == []
    # and adding back works
    a.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[s2]))
    assert get_session(a, sid)["TrafficMirrorSourceIds"] == [s2]


def test_delete_session(a, world):
    sid = create_session(a, world)
    r = a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    assert r.status_code == 200
    rid_ok(r.body)
    assert get_session(a, sid) is None
    assert sid not in {s["TrafficMirrorSessionId"] for s in list_sessions(a)}
    expect_error("ResourceNotFound.TrafficMirrorSession", a.delete_traffic_mirror_session,
                 vpc.DeleteTrafficMirrorSessionRequest(region_id=REGION, traffic_mirror_session_id=sid))


def test_deleted_session_frees_its_enis_and_priority(a, world):
    src, tgt = world.eni(), world.eni()
    p = world.priority()
    sid = create_session(a, world, sources=[src], target=tgt, priority=p)
    a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    # the source may now be a target and the target a source; the priority is free again
    sid2 = create_session(a, world, sources=[tgt], target=src, priority=p)
    s = get_session(a, sid2)
    assert s["TrafficMirrorSourceIds"] == [tgt] and s["TrafficMirrorTargetId"] == src


# ------------------------------------------------------------------ tags and resource groups

def _tag_rows(client, rtype, ids=None, tags=None):
    body = client.list_tag_resources(vpc.ListTagResourcesRequest(
        region_id=REGION, resource_type=rtype, resource_id=ids,
        tag=[vpc.ListTagResourcesRequestTag(key=k, value=v) for k, v in (tags or [])] or None)).body
    rid_ok(body)
    m = body.to_map()
    rows = (m.get("TagResources") or {}).get("TagResource") or []
    return sorted((r["ResourceId"], r["ResourceType"], r["TagKey"], r["TagValue"]) for r in rows)


def test_tag_untag_list_tags(a, world):
    sid = create_session(a, world)
    fid = create_filter(a)
    r = a.tag_resources(vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key="k1", value="v1"),
             vpc.TagResourcesRequestTag(key="k2", value="")]))
    rid_ok(r.body)
    a.tag_resources(vpc.TagResourcesRequest(
        region_id=REGION, resource_type="trafficmirrorfilter", resource_id=[fid],
        tag=[vpc.TagResourcesRequestTag(key="k1", value="f")]))
    rows = _tag_rows(a, "TRAFFICMIRRORSESSION", [sid])
    assert [(x[0], x[2], x[3]) for x in rows] == [(sid, "k1", "v1"), (sid, "k2", "")]
    assert all(x[1].upper() == "TRAFFICMIRRORSESSION" for x in rows)
    assert [(x[0], x[2], x[3]) for x in _tag_rows(a, "TRAFFICMIRRORFILTER", [fid])] == [(fid, "k1", "f")]
    # by tag
    assert sid in {x[0] for x in _tag_rows(a, "TRAFFICMIRRORSESSION", tags=[("k1", "v1")])}
    # visible in List*, usable as a List filter
    assert sorted(map(lambda t: (t["Key"], t["Value"]), get_session(a, sid)["Tags"])) == \
        [("k1", "v1"), ("k2", "")]
    got = list_sessions(a, tags=[vpc.ListTrafficMirrorSessionsRequestTags(key="k1", value="v1")])
    assert sid in {s["TrafficMirrorSessionId"] for s in got}
    # overwrite a value
    a.tag_resources(vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key="k1", value="v9")]))
    assert (sid, "TRAFFICMIRRORSESSION", "k1", "v9") in \
        [(x[0], x[1].upper(), x[2], x[3]) for x in _tag_rows(a, "TRAFFICMIRRORSESSION", [sid])]
    # untag one key
    r = a.un_tag_resources(vpc.UnTagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid], tag_key=["k1"]))
    rid_ok(r.body)
    assert [x[2] for x in _tag_rows(a, "TRAFFICMIRRORSESSION", [sid])] == ["k2"]
    # untag all
    a.un_tag_resources(vpc.UnTagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid], all=True))
    assert _tag_rows(a, "TRAFFICMIRRORSESSION", [sid]) == []
    assert get_session(a, sid).get("Tags") in ([], None)


def test_tag_errors(a, world):
    sid = create_session(a, world)
    expect_error("InvalidParam.ResourceType", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="INSTANCE", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    expect_error("ResourceNotFound.TrafficMirrorSession", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION",
        resource_id=["tms-doesnotexist00000000"], tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    expect_error("ResourceNotFound.TrafficMirrorFilter", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORFILTER",
        resource_id=["tmf-doesnotexist00000000"], tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    for bad in ["aliyunx", "acs:x", "a http://x", "k" * 129]:
        # "for list members the base name": Tag, or Tag.Key with the index taken out
        expect_error({"InvalidParam.Tag", "InvalidParam.Tag.Key"},
                     a.tag_resources, vpc.TagResourcesRequest(
                         region_id=REGION, resource_type="TRAFFICMIRRORSESSION",
                         resource_id=[sid], tag=[vpc.TagResourcesRequestTag(key=bad, value="v")]))
    expect_error({"InvalidParam.Tag", "InvalidParam.Tag.Value"},
                 a.tag_resources, vpc.TagResourcesRequest(
                     region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
                     tag=[vpc.TagResourcesRequestTag(key="k", value="v" * 129)]))
    # at most 20 tags per resource
    a.tag_resources(vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key=f"q{i}", value="v") for i in range(20)]))
    expect_error("QuotaExceeded.TagNum", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid],
        tag=[vpc.TagResourcesRequestTag(key="q20", value="v")]))
    assert len(_tag_rows(a, "TRAFFICMIRRORSESSION", [sid])) == 20


def test_move_resource_group(a, world):
    sid = create_session(a, world)
    fid = create_filter(a)
    r = a.move_resource_group(vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorSession", resource_id=sid,
        new_resource_group_id="rg-aek2vspanmove01"))
    rid_ok(r.body)
    assert get_session(a, sid)["ResourceGroupId"] == "rg-aek2vspanmove01"
    a.move_resource_group(vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorFilter", resource_id=fid,
        new_resource_group_id="rg-aek2vspanmove02"))
    assert get_filter(a, fid)["ResourceGroupId"] == "rg-aek2vspanmove02"
    got = list_sessions(a, resource_group_id="rg-aek2vspanmove01")
    assert [s["TrafficMirrorSessionId"] for s in got] == [sid]
    got = list_filters(a, resource_group_id="rg-aek2vspanmove02")
    assert [f["TrafficMirrorFilterId"] for f in got] == [fid]
    expect_error("ResourceNotFound.TrafficMirrorSession", a.move_resource_group,
                 vpc.MoveResourceGroupRequest(region_id=REGION, resource_type="TrafficMirrorSession",
                                              resource_id="tms-doesnotexist00000000",
                                              new_resource_group_id="rg-aek2vspanmove01"))


# ------------------------------------------------------------------ validation of the other writes

def test_update_rule_attribute_invalid_fields(a):
    fid = create_filter(a, ingress_rules=[ingress(priority=1)])
    rid = get_filter(a, fid)["IngressRules"][0]["TrafficMirrorFilterRuleId"]
    before = get_filter(a, fid)

    def upd(**kw):
        return a.update_traffic_mirror_filter_rule_attribute(
            vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
                region_id=REGION, traffic_mirror_filter_rule_id=rid, **kw))
    expect_error("InvalidParam.Priority", upd, priority=0)
    expect_error("InvalidParam.Priority", upd, priority=11)
    expect_error("InvalidParam.RuleAction", upd, rule_action="maybe")
    expect_error("InvalidParam.Protocol", upd, protocol="SCTP")
    expect_error("InvalidParam.SourceCidrBlock", upd, source_cidr_block="10.0.0.0/33")
    expect_error("InvalidParam.DestinationCidrBlock", upd, destination_cidr_block="2001:db8::/32")
    expect_error("InvalidParam.SourcePortRange", upd, source_port_range="0/10")
    expect_error("InvalidParam.DestinationPortRange", upd, destination_port_range="9/8")
    expect_error("MissingTrafficMirrorFilterRuleId", a.update_traffic_mirror_filter_rule_attribute,
                 vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(region_id=REGION, priority=2))
    assert get_filter(a, fid) == before


def test_update_session_attribute_invalid_fields(a, world):
    sid = create_session(a, world)
    before = get_session(a, sid)

    def upd(**kw):
        return a.update_traffic_mirror_session_attribute(vpc.UpdateTrafficMirrorSessionAttributeRequest(
            region_id=REGION, traffic_mirror_session_id=sid, **kw))
    expect_error("InvalidParam.Priority", upd, priority=0)
    expect_error("InvalidParam.Priority", upd, priority=32767)
    expect_error("InvalidParam.VirtualNetworkId", upd, virtual_network_id=16777216)
    expect_error("InvalidParam.PacketLength", upd, packet_length=8501)
    expect_error("InvalidParam.TrafficMirrorSessionName", upd, traffic_mirror_session_name="n" * 129)
    expect_error("InvalidParam.TrafficMirrorTargetType", upd, traffic_mirror_target_type="Router",
                 traffic_mirror_target_id=world.eni())
    expect_error("ResourceNotFound.TrafficMirrorFilter", upd,
                 traffic_mirror_filter_id="tmf-doesnotexist00000000")
    expect_error("ResourceNotFound.NetworkInterface", upd, traffic_mirror_target_id="eni-doesnotexist000000",
                 traffic_mirror_target_type="NetworkInterface")
    other = create_session(a, world)
    expect_error("DuplicatedParam.Priority", upd, priority=get_session(a, other)["Priority"])
    expect_error("MissingTrafficMirrorSessionId", a.update_traffic_mirror_session_attribute,
                 vpc.UpdateTrafficMirrorSessionAttributeRequest(region_id=REGION, enabled=True))
    assert get_session(a, sid) == before


def test_remove_more_than_10_sources(a, world):
    sid = create_session(a, world, nsources=3)
    before = get_session(a, sid)
    expect_error("InvalidParam.TrafficMirrorSourceIds", a.remove_sources_from_traffic_mirror_session,
                 vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
                     region_id=REGION, traffic_mirror_session_id=sid,
                     traffic_mirror_source_ids=before["TrafficMirrorSourceIds"] + world.enis(8)))
    assert get_session(a, sid) == before


def test_tag_and_group_parameter_errors(a, world):
    sid = create_session(a, world)
    expect_error("InvalidParam.ResourceId", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[sid] * 51,
        tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    expect_error("MissingResourceType", a.tag_resources, vpc.TagResourcesRequest(
        region_id=REGION, resource_id=[sid], tag=[vpc.TagResourcesRequestTag(key="k", value="v")]))
    expect_error("InvalidParam.ResourceType", a.list_tag_resources, vpc.ListTagResourcesRequest(
        region_id=REGION, resource_type="VPC", resource_id=[sid]))
    expect_error("InvalidParam.ResourceType", a.move_resource_group, vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="Vpc", resource_id=sid, new_resource_group_id="rg-aek2vspan0003"))
    expect_error("InvalidParam.NewResourceGroupId", a.move_resource_group, vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorSession", resource_id=sid,
        new_resource_group_id="not-a-group"))
    expect_error("MissingNewResourceGroupId", a.move_resource_group, vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorSession", resource_id=sid))
    assert get_session(a, sid).get("Tags") in ([], None)
