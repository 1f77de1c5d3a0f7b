//! Shared helpers for this crate's benchmarks, property tests and fuzz target: synthetic
//! frames, generated session sets, and the fuzz body. Not part of the data plane's API.

use crate::mirror::{Mirror, MirrorConfig, Outcome};
use crate::parse::{Direction, FlowKey};
use crate::sessions::SessionSet;
use crate::vxlan;

/// A synthetic Ethernet/IPv4 TCP or UDP frame of `size` bytes (at least 54), flow chosen by
/// `i`: addresses in 10.0.0.0/8, 64 distinct flows, both directions.
pub fn synthetic_frame(i: u32, size: usize) -> Vec<u8> {
    let size = size.max(54);
    let mut f = vec![0u8; size];
    let flow = i % 64;
    let reverse = (i / 64) % 2 == 1;
    let proto = if flow.is_multiple_of(3) { 17u8 } else { 6u8 };
    let (a, b) = ([10, 0, (flow >> 8) as u8, flow as u8], [10, 1, 0, 1]);
    let (pa, pb) = (40000 + flow as u16, if proto == 6 { 443 } else { 53 });
    let (src, dst, sp, dp) = if reverse { (b, a, pb, pa) } else { (a, b, pa, pb) };
    f[0..6].copy_from_slice(&[2, 0, 0, 0, 0, if reverse { 0x0b } else { 0x0a }]);
    f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, if reverse { 0x0a } else { 0x0b }]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    let tot = u16::try_from(size - 14).unwrap_or(u16::MAX);
    f[14] = 0x45;
    f[16..18].copy_from_slice(&tot.to_be_bytes());
    f[20] = 0x40;
    f[22] = 64;
    f[23] = proto;
    f[26..30].copy_from_slice(&src);
    f[30..34].copy_from_slice(&dst);
    f[34..36].copy_from_slice(&sp.to_be_bytes());
    f[36..38].copy_from_slice(&dp.to_be_bytes());
    if proto == 6 {
        f[46] = 0x50;
    } else {
        f[38..40].copy_from_slice(&(tot - 20).to_be_bytes());
    }
    f
}

/// A session set with `sessions` sessions of `rules` rules per direction in which a
/// synthetic frame walks every rule: all but the last rule of the last session miss, the last
/// one accepts everything. With 0 rules nothing is mirrored.
pub fn bench_sessions(rules: usize, sessions: usize) -> String {
    let miss = |p: usize| {
        // IPv4 rules that miss on different fields (source, destination, protocol and ports,
        // destination port), so every rule is really evaluated for the IPv4 frames.
        match p % 4 {
            0 => format!(
                r#"{{"Priority": {p}, "Action": "accept", "Protocol": "TCP", "SourceCidrBlock": "172.16.0.0/12", "DestinationCidrBlock": "0.0.0.0/0"}}"#
            ),
            1 => format!(
                r#"{{"Priority": {p}, "Action": "drop", "Protocol": "ALL", "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "192.168.0.0/16"}}"#
            ),
            2 => format!(
                r#"{{"Priority": {p}, "Action": "accept", "Protocol": "UDP", "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0", "SourcePortRange": "1/1000", "DestinationPortRange": "1/1000"}}"#
            ),
            _ => format!(
                r#"{{"Priority": {p}, "Action": "drop", "Protocol": "TCP", "SourceCidrBlock": "10.0.0.0/8", "DestinationCidrBlock": "10.0.0.0/8", "SourcePortRange": "-1/-1", "DestinationPortRange": "1/100"}}"#
            ),
        }
    };
    let mut sess = Vec::new();
    let mut filters = Vec::new();
    for s in 0..sessions {
        let last = s + 1 == sessions;
        let list: Vec<String> = (0..rules)
            .map(|r| {
                if last && r + 1 == rules {
                    format!(
                        r#"{{"Priority": {}, "Action": "accept", "Protocol": "ALL", "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0"}}"#,
                        r + 1
                    )
                } else {
                    miss(r + 1)
                }
            })
            .collect();
        let list = list.join(",");
        filters
            .push(format!(r#"{{"TrafficMirrorFilterId": "f{s}", "IngressRules": [{list}], "EgressRules": [{list}]}}"#));
        sess.push(format!(
            r#"{{"TrafficMirrorSessionId": "s{s}", "Priority": {}, "VirtualNetworkId": {}, "Enabled": true, "TrafficMirrorFilterId": "f{s}", "TrafficMirrorTargetId": "t"}}"#,
            s + 1,
            100 + s
        ));
    }
    format!(
        r#"{{"TrafficMirrorSessions": [{}], "TrafficMirrorFilters": [{}], "Targets": {{"t": "192.0.2.1"}}}}"#,
        sess.join(","),
        filters.join(",")
    )
}

/// Builds a mirror from [`bench_sessions`] with a 9000-byte MTU (no MTU truncation).
pub fn bench_mirror(rules: usize, sessions: usize) -> Result<Mirror, String> {
    let set = SessionSet::from_json(&bench_sessions(rules, sessions)).map_err(|e| e.to_string())?;
    Mirror::new(&set, MirrorConfig { mtu: 9000, ..MirrorConfig::default() }).map_err(|e| e.to_string())
}

/// Session set of the fuzz target: IPv4 and IPv6 rules, ports, drops, three sessions.
pub const FUZZ_SESSIONS: &str = r#"{
  "TrafficMirrorSessions": [
    {"TrafficMirrorSessionId": "a", "Priority": 1, "VirtualNetworkId": 1, "PacketLength": 64,
     "Enabled": true, "TrafficMirrorFilterId": "fa", "TrafficMirrorTargetId": "t"},
    {"TrafficMirrorSessionId": "b", "Priority": 2, "VirtualNetworkId": 2, "PacketLength": 200,
     "Enabled": true, "TrafficMirrorFilterId": "fb", "TrafficMirrorTargetId": "lb"},
    {"TrafficMirrorSessionId": "c", "Priority": 3, "VirtualNetworkId": 3,
     "Enabled": true, "TrafficMirrorFilterId": "fc", "TrafficMirrorTargetId": "t"}],
  "TrafficMirrorFilters": [
    {"TrafficMirrorFilterId": "fa",
     "IngressRules": [{"Priority": 1, "Action": "drop", "Protocol": "TCP", "DestinationPortRange": "22/22"},
                      {"Priority": 2, "Action": "accept", "Protocol": "TCP", "SourceCidrBlock": "10.0.0.0/8"}],
     "EgressRules": [{"Priority": 1, "Action": "accept", "Protocol": "UDP", "SourcePortRange": "53/53"}]},
    {"TrafficMirrorFilterId": "fb",
     "IngressRules": [{"Priority": 1, "Action": "accept", "Protocol": "ICMP", "IpVersion": "IPv6"},
                      {"Priority": 2, "Action": "accept", "Protocol": "ICMP"}],
     "EgressRules": [{"Priority": 1, "Action": "drop", "Protocol": "ALL", "SourceCidrBlock": "::/0"}]},
    {"TrafficMirrorFilterId": "fc",
     "IngressRules": [{"Priority": 1, "Action": "accept", "Protocol": "ALL"}],
     "EgressRules": [{"Priority": 1, "Action": "accept", "Protocol": "ALL", "IpVersion": "IPv4"}]}],
  "Targets": {"t": "192.0.2.1", "lb": ["192.0.2.2", "192.0.2.3"]}
}"#;

/// The mirror of [`FUZZ_SESSIONS`].
pub fn fuzz_mirror() -> Result<Mirror, String> {
    let set = SessionSet::from_json(FUZZ_SESSIONS).map_err(|e| e.to_string())?;
    Mirror::new(&set, MirrorConfig::default()).map_err(|e| e.to_string())
}

/// Body of the fuzz target: the first byte picks the direction, the rest is a frame. Runs the
/// parser, classifier, truncation and encapsulation, then checks the output decapsulates to
/// the truncated frame. Panics (the fuzzer's signal) only on a broken invariant.
pub fn fuzz_one(mirror: &Mirror, data: &[u8], out: &mut [u8]) {
    let Some((d, frame)) = data.split_first() else {
        return;
    };
    let dir = if d & 1 == 0 { Direction::Ingress } else { Direction::Egress };
    let key = FlowKey::parse(frame);
    let _ = key.stated_len(frame);
    let _ = Direction::from_macs(frame, [2, 0, 0, 0, 0, 1]);
    let mut counters = mirror.counters();
    match mirror.process(frame, dir, out, &mut counters) {
        Outcome::Mirrored { session, len, truncated } => {
            let outer = &out[..len];
            let payload = vxlan::udp_payload_to_port(outer, vxlan::VXLAN_PORT);
            let Some(Ok((vni, inner))) = payload.map(vxlan::decap) else {
                panic!("output does not decapsulate");
            };
            assert_eq!(Some(vni), mirror.vni(session));
            assert!(frame.starts_with(inner));
            assert_eq!(truncated, inner.len() < frame.len());
            assert_eq!(crate::checksum::checksum(&outer[14..34]), 0);
            assert_eq!(counters.mirrored(), 1);
        }
        Outcome::Filtered { .. } => assert_eq!(counters.filtered(), 1),
        Outcome::NoMatch => assert_eq!(counters.unmatched, 1),
        Outcome::Error(e) => panic!("encapsulation failed: {e}"),
    }
}
