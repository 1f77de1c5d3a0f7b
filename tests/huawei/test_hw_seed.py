"""The seed (shared/seeds/000_*: remove-sources) round-trips: its example request, sent as it is
written, answers 200 with exactly the example response's fields and types."""
from __future__ import annotations

import json

from hw_kit import (
    SESSION_KEYS, body, check_request_id, check_session_shape, create_session, expect_hw_error,
    sess_remove, show_session)

# The seed's example response, verbatim.
SEED_RESPONSE = json.loads("""
{
  "traffic_mirror_session" : {
    "name" : "test-session",
    "created_at" : "2023-02-23T06:57:39.000+00:00",
    "updated_at" : "2023-02-23T06:57:39.000+00:00",
    "id" : "e15a6e40-2580-4949-bf2a-55ee7cd49392",
    "project_id" : "7365fcd452924e398ec4cc1fe39c0d12",
    "description" : "",
    "traffic_mirror_filter_id" : "b765ba87-c0b4-4f1a-9ec3-d5b1d1ddb137",
    "traffic_mirror_sources" : [ ],
    "traffic_mirror_target_id" : "",
    "traffic_mirror_target_type" : "",
    "virtual_network_id" : 1,
    "packet_length" : 96,
    "priority" : 6,
    "enabled" : true,
    "type" : "eni"
  },
  "request_id" : "6f107fc1-93be-4d5a-af71-4099da7eeaa9"
}
""")

# The seed's example request body, byte for byte as the page prints it (source id replaced).
SEED_REQUEST = """{
  "traffic_mirror_session" : {
    "traffic_mirror_sources" : [ "%s" ]
  }
}"""


def test_seed_keys_are_the_documented_ones():
    assert set(SEED_RESPONSE["traffic_mirror_session"]) == SESSION_KEYS
    assert set(SEED_RESPONSE) == {"traffic_mirror_session", "request_id"}


def _types(d):
    return {k: type(v) for k, v in d.items()}


def test_seed_example_round_trips_raw(hw, raw, world, pid):
    src = world.eni()
    s = create_session(hw, world, name="test-session", traffic_mirror_sources=[src],
                       enabled=True)
    r = raw.send("PUT", f"traffic-mirror-sessions/{s['id']}/remove-sources",
                 body=SEED_REQUEST % src)
    assert r.status == 200, r
    b = r.json
    assert set(b) == set(SEED_RESPONSE), b
    assert isinstance(b["request_id"], str) and b["request_id"]
    assert r.headers.get("X-Request-Id") == b["request_id"]
    got = b["traffic_mirror_session"]
    seed = SEED_RESPONSE["traffic_mirror_session"]
    assert set(got) == set(seed), f"extra {set(got) - set(seed)}, missing {set(seed) - set(got)}"
    assert _types(got) == _types(seed), {k: (type(got[k]).__name__, type(seed[k]).__name__)
                                         for k in seed if type(got[k]) is not type(seed[k])}
    check_session_shape(got, pid)
    # removing the only source leaves an empty list, a legal state
    assert got["traffic_mirror_sources"] == []
    assert got["name"] == "test-session"
    assert got["description"] == ""
    assert (got["virtual_network_id"], got["packet_length"], got["enabled"], got["type"]) == \
        (1, 96, True, "eni")
    assert got["id"] == s["id"] and got["priority"] == s["priority"]
    assert show_session(hw, s["id"]) == got


def test_seed_example_round_trips_through_the_sdk(hw, world, pid):
    src = world.eni()
    s = create_session(hw, world, name="test-session", traffic_mirror_sources=[src],
                       enabled=True)
    r = sess_remove(hw, s["id"], [src])
    assert r.status_code == 200
    b = body(r)
    check_request_id(hw, b)
    got = check_session_shape(b["traffic_mirror_session"], pid)
    assert _types(got) == _types(SEED_RESPONSE["traffic_mirror_session"])
    assert got["traffic_mirror_sources"] == []
    # the SDK model reads the same
    assert r.traffic_mirror_session.traffic_mirror_sources == []
    assert r.traffic_mirror_session.enabled is True
    assert r.request_id == b["request_id"]


def test_remove_one_of_several_keeps_the_order(hw, world):
    a, b, c = world.enis(3)
    s = create_session(hw, world, traffic_mirror_sources=[a, b, c])
    got = body(sess_remove(hw, s["id"], [b]))["traffic_mirror_session"]
    assert got["traffic_mirror_sources"] == [a, c]


def test_remove_a_source_not_in_the_session(hw, world):
    a, other = world.eni(), world.eni()
    s = create_session(hw, world, traffic_mirror_sources=[a])
    expect_hw_error("VPC.TM0104", 400, sess_remove, hw, s["id"], [other])
    assert show_session(hw, s["id"])["traffic_mirror_sources"] == [a]


def test_remove_from_unknown_session(hw, world):
    expect_hw_error("VPC.TM0201", 404, sess_remove, hw, "e15a6e40-2580-4949-bf2a-55ee7cd49392",
                    [world.eni()])


def test_remove_duplicates(hw, world):
    a, b = world.eni(), world.eni()
    s = create_session(hw, world, traffic_mirror_sources=[a, b])
    expect_hw_error("VPC.TM0103", 400, sess_remove, hw, s["id"], [a, a])
    assert show_session(hw, s["id"])["traffic_mirror_sources"] == [a, b]


def test_remove_without_sources(hw, raw, world):
    s = create_session(hw, world)
    r = raw.send("PUT", f"traffic-mirror-sessions/{s['id']}/remove-sources",
                 body={"traffic_mirror_session": {}})
    from hw_kit import assert_raw_error
    assert_raw_error(r, "VPC.TM0101", 400)
    assert "traffic_mirror_sources" in r.json["error_msg"]
