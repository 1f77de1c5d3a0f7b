"""Acceptance 4: restart durability. Resources and the service status survive a SIGKILL in the
middle of transitional states, and the transitional ones settle after the restart."""
from __future__ import annotations

from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, create_filter, create_session, get_filter, get_session, ingress,
                        service_enabled, snapshot, wait_filter_status, wait_for,
                        wait_session_gone, wait_session_status)

TRANSITIONAL = {"Creating", "Modifying", "Deleting"}


def _stable_view(snap):
    """The snapshot without statuses (they may move on after a restart)."""
    def clean(x):
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items() if not k.endswith("Status")}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x
    return clean(snap)


def test_sigkill_mid_transition_and_restart(server_factory):
    srv = server_factory("durable", settle_delay_ms=400)
    world = srv.world
    a, o = srv.client("A"), srv.client("O")
    o.open_traffic_mirror_service(vpc.OpenTrafficMirrorServiceRequest(region_id=REGION))

    fid = create_filter(a, traffic_mirror_filter_name="durable",
                        ingress_rules=[ingress(priority=1)],
                        tag=[vpc.CreateTrafficMirrorFilterRequestTag(key="k", value="v")])
    wait_filter_status(a, fid, "Created")
    fid2 = create_filter(a)
    wait_filter_status(a, fid2, "Created")
    s1 = create_session(a, world, filter_id=fid, nsources=2, enabled=True, virtual_network_id=77,
                        traffic_mirror_session_name="one")
    s2 = create_session(a, world, filter_id=fid)
    s3 = create_session(a, world, filter_id=fid, target=world.lb_a, traffic_mirror_target_type="SLB")
    for s in (s1, s2, s3):
        wait_session_status(a, s, "Created")
    a.tag_resources(vpc.TagResourcesRequest(
        region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=[s3],
        tag=[vpc.TagResourcesRequestTag(key="keep", value="me")]))
    a.move_resource_group(vpc.MoveResourceGroupRequest(
        region_id=REGION, resource_type="TrafficMirrorSession", resource_id=s3,
        new_resource_group_id="rg-durable00001"))
    wait_session_status(a, s3, "Created")
    settled = snapshot(a)

    # now leave things in flight
    new_src = world.eni()
    a.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=s1, traffic_mirror_source_ids=[new_src]))
    a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=s2))
    s4 = create_session(a, world, filter_id=fid2, priority=999)
    a.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        egress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestEgressRules(
            action="drop", priority=3, protocol="UDP", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="10.0.0.0/8", source_port_range="1/65535",
            destination_port_range="53/53")]))
    in_flight = snapshot(a)
    srv.kill()
    statuses = {s["TrafficMirrorSessionId"]: s["TrafficMirrorSessionStatus"]
                for s in in_flight["sessions"]}
    assert statuses[s1] == "Modifying" and statuses[s2] == "Deleting" and statuses[s4] == "Creating", \
        f"the test was too slow to catch transitional states: {statuses}"

    srv.start()
    assert service_enabled(o) is True, "the opened service must survive the restart"
    assert service_enabled(srv.client("C")) is False
    # everything written before the kill is there (statuses aside)
    after = snapshot(a)
    before_ids = {s["TrafficMirrorSessionId"] for s in in_flight["sessions"]}
    after_ids = {s["TrafficMirrorSessionId"] for s in after["sessions"]}
    assert after_ids in (before_ids, before_ids - {s2}), (before_ids, after_ids)
    assert {f["TrafficMirrorFilterId"] for f in after["filters"]} == \
        {f["TrafficMirrorFilterId"] for f in in_flight["filters"]}
    for s in after["sessions"]:
        assert s["TrafficMirrorSessionStatus"] in TRANSITIONAL | {"Created"}

    # the transitional ones settle
    got1 = wait_session_status(a, s1, "Created", timeout=10)
    assert got1["TrafficMirrorSourceIds"][-1] == new_src and len(got1["TrafficMirrorSourceIds"]) == 3
    assert got1["Enabled"] is True and got1["VirtualNetworkId"] == 77
    assert got1["TrafficMirrorSessionName"] == "one"
    wait_session_gone(a, s2, timeout=10)
    got4 = wait_session_status(a, s4, "Created", timeout=10)
    assert got4["Priority"] == 999
    f = wait_filter_status(a, fid, "Created", timeout=10)
    wait_for(lambda: all(r["TrafficMirrorFilterRuleStatus"] == "Created"
                         for r in (get_filter(a, fid)["IngressRules"] + get_filter(a, fid)["EgressRules"])),
             10, what="rules to settle")
    f = get_filter(a, fid)
    assert [r["Priority"] for r in f["EgressRules"]] == [3]
    assert f["EgressRules"][0]["DestinationPortRange"] == "53/53"
    assert f["Tags"] == [{"Key": "k", "Value": "v"}]

    # untouched resources are exactly as they were (creation times, tags, groups, ...)
    final = snapshot(a)
    untouched = [s3]
    for sid in untouched:
        old = [s for s in settled["sessions"] if s["TrafficMirrorSessionId"] == sid][0]
        new = [s for s in final["sessions"] if s["TrafficMirrorSessionId"] == sid][0]
        assert new == old
    old_f2 = [x for x in settled["filters"] if x["TrafficMirrorFilterId"] == fid2][0]
    assert [x for x in final["filters"] if x["TrafficMirrorFilterId"] == fid2][0] == old_f2
    old_s1 = [s for s in settled["sessions"] if s["TrafficMirrorSessionId"] == s1][0]
    assert got1["CreationTime"] == old_s1["CreationTime"]

    # and the server is fully usable: priorities and ENIs in use are still enforced
    from aliyun_kit import expect_error
    expect_error("DuplicatedParam.Priority", create_session, a, world, priority=999)
    expect_error("ResourceAlreadyAssociated.TrafficMirrorSource",
                 a.add_sources_to_traffic_mirror_session,
                 vpc.AddSourcesToTrafficMirrorSessionRequest(
                     region_id=REGION, traffic_mirror_session_id=s1,
                     traffic_mirror_source_ids=[new_src]))


def test_graceful_restart_keeps_everything(server_factory):
    srv = server_factory("graceful", settle_delay_ms=0)
    a, world = srv.client("A"), srv.world
    fid = create_filter(a, ingress_rules=[ingress(priority=2)])
    sid = create_session(a, world, filter_id=fid, nsources=3)
    before = snapshot(a)
    srv.restart()
    assert snapshot(a) == before
    assert get_session(a, sid)["TrafficMirrorSessionStatus"] == "Created"
    # a second SIGKILL right after settled writes loses nothing either
    a.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    sid2 = create_session(a, world, filter_id=fid)
    expected = snapshot(a)
    srv.kill()
    srv.start()
    assert snapshot(a) == expected
    assert get_session(a, sid) is None and get_session(a, sid2) is not None
