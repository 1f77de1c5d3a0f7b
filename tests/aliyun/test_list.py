"""Acceptance: List* pagination (MaxResults / NextToken / TotalCount), every documented filter,
unknown ids. Account M holds exactly the resources this module creates."""
from __future__ import annotations

import pytest
from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import REGION, create_filter, create_session, expect_error, list_sessions

S = vpc.ListTrafficMirrorSessionsRequestTags
F = vpc.ListTrafficMirrorFiltersRequestTags


@pytest.fixture(scope="module")
def m(srv):
    return srv.client("M")


@pytest.fixture(scope="module")
def inv(m, world):
    """7 filters, 7 sessions with known attributes."""
    filters = []
    for i in range(7):
        filters.append(create_filter(
            m, traffic_mirror_filter_name="fa" if i < 2 else f"f{i}",
            resource_group_id="rg-listfilters" if i in (3, 4) else None,
            tag=[vpc.CreateTrafficMirrorFilterRequestTag(key="tier", value="gold" if i % 2 else "tin")]))
    sessions = []
    target_shared = world.eni("M")
    for i in range(7):
        src = world.eni("M")
        sid = create_session(
            m, world, "M", sources=[src],
            target=target_shared if i < 3 else world.eni("M"),
            filter_id=filters[0] if i < 4 else filters[1], priority=100 + i,
            traffic_mirror_session_name="alpha" if i in (0, 2) else f"s{i}",
            enabled=(i % 2 == 0), virtual_network_id=5000 + (i % 3),
            resource_group_id="rg-listsessions" if i in (1, 5) else None,
            tag=[vpc.CreateTrafficMirrorSessionRequestTag(key="env", value="prod" if i < 2 else "dev")])
        sessions.append(dict(id=sid, src=src, i=i))
    return dict(filters=filters, sessions=sessions, target_shared=target_shared)


def ids_of(entries, key="TrafficMirrorSessionId"):
    return sorted(e[key] for e in entries)


def sess_ids(inv, pred):
    return sorted(s["id"] for s in inv["sessions"] if pred(s["i"]))


def test_sessions_pagination(m, inv):
    seen, token, pages = [], None, []
    for _ in range(10):
        req = vpc.ListTrafficMirrorSessionsRequest(region_id=REGION, max_results=3, next_token=token)
        body = m.list_traffic_mirror_sessions(req).body.to_map()
        assert isinstance(body["TotalCount"], str), "TotalCount is a string for sessions"
        assert body["TotalCount"] == "7"
        page = body["TrafficMirrorSessions"]
        pages.append(len(page))
        seen += [s["TrafficMirrorSessionId"] for s in page]
        token = body.get("NextToken")
        if not token:
            break
    assert pages == [3, 3, 1]
    assert len(seen) == len(set(seen)) == 7
    assert sorted(seen) == sorted(s["id"] for s in inv["sessions"])
    # default MaxResults is 10: one page
    body = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(region_id=REGION)).body.to_map()
    assert len(body["TrafficMirrorSessions"]) == 7 and body.get("NextToken", "") == ""
    # pages are stable: the same token twice gives the same page
    b1 = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id=REGION, max_results=2)).body
    p1 = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id=REGION, max_results=2, next_token=b1.next_token)).body.to_map()
    p2 = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id=REGION, max_results=2, next_token=b1.next_token)).body.to_map()
    assert ids_of(p1["TrafficMirrorSessions"]) == ids_of(p2["TrafficMirrorSessions"])


def test_filters_pagination(m, inv):
    seen, token, counts = [], None, []
    for _ in range(10):
        body = m.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(
            region_id=REGION, max_results=4, next_token=token)).body.to_map()
        assert int(body["TotalCount"]) == 7
        assert body["MaxResults"] == 4
        assert body["Count"] == len(body["TrafficMirrorFilters"])
        counts.append(body["Count"])
        seen += [f["TrafficMirrorFilterId"] for f in body["TrafficMirrorFilters"]]
        token = body.get("NextToken")
        if not token:
            break
    assert counts == [4, 3]
    assert sorted(seen) == sorted(inv["filters"])


@pytest.mark.parametrize("bad", [0, 101, -1])
def test_max_results_out_of_range(m, bad):
    expect_error("InvalidParam.MaxResults", m.list_traffic_mirror_sessions,
                 vpc.ListTrafficMirrorSessionsRequest(region_id=REGION, max_results=bad))
    expect_error("InvalidParam.MaxResults", m.list_traffic_mirror_filters,
                 vpc.ListTrafficMirrorFiltersRequest(region_id=REGION, max_results=bad))


def test_max_results_bounds_accepted(m):
    for n in (1, 100):
        body = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
            region_id=REGION, max_results=n)).body
        assert len(body.traffic_mirror_sessions) == min(n, 7)


def test_session_filters(m, inv):
    ss = inv["sessions"]
    cases = [
        (dict(traffic_mirror_session_ids=[ss[1]["id"], ss[4]["id"]]), sess_ids(inv, lambda i: i in (1, 4))),
        (dict(traffic_mirror_session_name="alpha"), sess_ids(inv, lambda i: i in (0, 2))),
        (dict(traffic_mirror_source_id=ss[5]["src"]), [ss[5]["id"]]),
        (dict(traffic_mirror_target_id=inv["target_shared"]), sess_ids(inv, lambda i: i < 3)),
        (dict(traffic_mirror_filter_id=inv["filters"][1]), sess_ids(inv, lambda i: i >= 4)),
        (dict(virtual_network_id=5001), sess_ids(inv, lambda i: i % 3 == 1)),
        (dict(priority=103), [ss[3]["id"]]),
        (dict(enabled=True), sess_ids(inv, lambda i: i % 2 == 0)),
        (dict(enabled=False), sess_ids(inv, lambda i: i % 2 == 1)),
        (dict(resource_group_id="rg-listsessions"), sess_ids(inv, lambda i: i in (1, 5))),
        (dict(tags=[S(key="env", value="prod")]), sess_ids(inv, lambda i: i < 2)),
        (dict(tags=[S(key="env", value="dev")], enabled=True), sess_ids(inv, lambda i: i >= 2 and i % 2 == 0)),
        (dict(traffic_mirror_filter_id=inv["filters"][0], enabled=False, max_results=1),
         sess_ids(inv, lambda i: i < 4 and i % 2 == 1)),
    ]
    for kw, want in cases:
        got = list_sessions(m, **kw)
        assert ids_of(got) == want, f"filter {kw}: want {want}, got {ids_of(got)}"
    body = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id=REGION, enabled=True)).body.to_map()
    assert body["TotalCount"] == str(len(sess_ids(inv, lambda i: i % 2 == 0)))


def test_session_ids_unknown(m, inv):
    body = m.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id=REGION, traffic_mirror_session_ids=["tms-doesnotexist00000000"])).body.to_map()
    assert body["TrafficMirrorSessions"] == [] and body["TotalCount"] == "0"
    got = list_sessions(m, traffic_mirror_session_ids=["tms-doesnotexist00000000", inv["sessions"][0]["id"]])
    assert ids_of(got) == [inv["sessions"][0]["id"]]
    assert list_sessions(m, traffic_mirror_session_name="no such name") == []
    assert list_sessions(m, traffic_mirror_source_id="eni-doesnotexist000000") == []


def test_filter_filters(m, inv):
    fs = inv["filters"]

    def fl(**kw):
        body = m.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(
            region_id=REGION, max_results=100, **kw)).body.to_map()
        return sorted(f["TrafficMirrorFilterId"] for f in body["TrafficMirrorFilters"])
    assert fl(traffic_mirror_filter_ids=[fs[2], fs[6]]) == sorted([fs[2], fs[6]])
    assert fl(traffic_mirror_filter_name="fa") == sorted(fs[:2])
    assert fl(resource_group_id="rg-listfilters") == sorted([fs[3], fs[4]])
    assert fl(tags=[F(key="tier", value="gold")]) == sorted(fs[i] for i in range(7) if i % 2)
    assert fl(traffic_mirror_filter_ids=["tmf-doesnotexist00000000"]) == []
    assert fl(traffic_mirror_filter_name="nothing") == []


def test_list_tag_resources_pagination(m, inv):
    ids = [s["id"] for s in inv["sessions"]]
    rows, token = [], None
    for _ in range(10):
        body = m.list_tag_resources(vpc.ListTagResourcesRequest(
            region_id=REGION, resource_type="TRAFFICMIRRORSESSION", resource_id=ids,
            max_results=3, next_token=token)).body.to_map()
        page = (body.get("TagResources") or {}).get("TagResource") or []
        assert len(page) <= 3
        rows += [(r["ResourceId"], r["TagKey"], r["TagValue"]) for r in page]
        token = body.get("NextToken")
        if not token:
            break
    assert sorted(rows) == sorted((s["id"], "env", "prod" if s["i"] < 2 else "dev")
                                  for s in inv["sessions"])
