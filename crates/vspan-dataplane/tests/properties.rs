//! Property tests of the data plane (issue 3, item 8):
//! - encapsulation then decapsulation gives back the truncated frame, with valid checksums;
//! - a packet is mirrored at most once, and the decision equals a naive reference walk of
//!   the contract (sessions by priority, rules by priority, first match decides), so rule
//!   priority order decides;
//! - the fuzz target's body holds on arbitrary bytes and on mutated valid frames.
//!
//! Packets are built from chosen fields and the reference decides from those fields, not
//! from vspan's parser.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use vspan_dataplane::testing::{fuzz_mirror, fuzz_one, synthetic_frame};
use vspan_dataplane::vxlan::{self, OuterV4};
use vspan_dataplane::{Direction, Mirror, MirrorConfig, Outcome, SessionSet};

fn csum(parts: &[&[u8]]) -> u16 {
    let b: Vec<u8> = parts.concat();
    let mut acc: u32 = 0;
    for c in b.chunks(2) {
        acc += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encap_then_decap_is_identity(
        inner in proptest::collection::vec(any::<u8>(), 0..3000),
        vni in 0u32..=0x00ff_ffff,
        sport in 49152u16..,
        src in any::<[u8; 4]>(),
        dst in any::<[u8; 4]>(),
    ) {
        let outer = OuterV4 { src_mac: [2, 0, 0, 0, 0, 1], dst_mac: [2, 0, 0, 0, 0, 2], src_ip: src };
        let mut buf = vec![0u8; 50 + inner.len()];
        let n = vxlan::encap_frame_v4(&outer, dst, sport, vni, &inner, &mut buf).unwrap();
        let f = &buf[..n];
        prop_assert_eq!(csum(&[&f[14..34]]), 0);
        let pseudo = [&f[26..34], &[0, 17], &f[38..40]].concat();
        prop_assert_eq!(csum(&[&pseudo, &f[34..]]), 0);
        let payload = vxlan::udp_payload_to_port(f, vxlan::VXLAN_PORT).unwrap();
        let (v, got) = vxlan::decap(payload).unwrap();
        prop_assert_eq!(v, vni);
        prop_assert_eq!(got, &inner[..]);
    }

    #[test]
    fn mirror_copy_is_the_truncated_frame(
        size in 14usize..2000,
        seed in any::<u32>(),
        plen in 1u32..2000,
        mtu in 60usize..9000,
    ) {
        let json = format!(r#"{{"TrafficMirrorSessions": [{{"TrafficMirrorSessionId": "s", "Priority": 1,
            "VirtualNetworkId": 7, "PacketLength": {plen}, "Enabled": true,
            "TrafficMirrorFilterId": "f", "TrafficMirrorTargetId": "t"}}],
            "TrafficMirrorFilters": [{{"TrafficMirrorFilterId": "f",
              "IngressRules": [{{"Priority": 1, "Action": "accept", "Protocol": "ALL"}}]}}],
            "Targets": {{"t": "192.0.2.1"}}}}"#);
        let m = Mirror::new(&SessionSet::from_json(&json).unwrap(), MirrorConfig { mtu, ..MirrorConfig::default() }).unwrap();
        let mut frame = synthetic_frame(seed, size.max(54));
        frame.truncate(size.max(34));
        let mut out = vec![0u8; m.max_frame_len()];
        let mut c = m.counters();
        match m.process(&frame, Direction::Ingress, &mut out, &mut c) {
            Outcome::Mirrored { len, truncated, .. } => {
                let want = frame.len().min(plen as usize).min(mtu - 50);
                let (vni, inner) = vxlan::decap(vxlan::udp_payload_to_port(&out[..len], 4789).unwrap()).unwrap();
                prop_assert_eq!(vni, 7);
                prop_assert_eq!(inner, &frame[..want]);
                prop_assert_eq!(truncated, want < frame.len());
                prop_assert_eq!(c.sessions[0].truncated, u64::from(truncated));
            }
            other => prop_assert!(false, "not mirrored: {:?}", other),
        }
    }
}

// ---- random session sets against a naive reference ----

#[derive(Clone, Debug)]
struct TRule {
    prio: u32,
    accept: bool,
    proto: &'static str,
    v6: bool,
    src: Option<(u128, u8)>,
    dst: Option<(u128, u8)>,
    sport: Option<(u16, u16)>,
    dport: Option<(u16, u16)>,
}

#[derive(Clone, Debug)]
struct TSession {
    prio: u32,
    enabled: bool,
    ingress: Vec<TRule>,
    egress: Vec<TRule>,
}

#[derive(Clone, Debug)]
struct TPacket {
    v6: bool,
    proto: u8,
    src: u128,
    dst: u128,
    ports: Option<(u16, u16)>,
    later_fragment: bool,
    ingress: bool,
}

const V4_ADDRS: [u128; 4] = [0x0a00_0001, 0x0a00_0102, 0xc000_0201, 0xac10_0005];
const V6_ADDRS: [u128; 3] = [
    0xfd00_0000_0000_0000_0000_0000_0000_0001,
    0xfd00_0001_0000_0000_0000_0000_0000_0002,
    0x2001_0db8_0000_0000_0000_0000_0000_0001,
];
const PORTS: [u16; 5] = [22, 53, 80, 443, 40000];

fn arb_rule() -> impl Strategy<Value = TRule> {
    (
        1u32..8,
        any::<bool>(),
        prop::sample::select(vec!["ALL", "TCP", "UDP", "ICMP"]),
        any::<bool>(),
        prop::option::of((0usize..4, prop::sample::select(vec![0u8, 8, 16, 32]))),
        prop::option::of((0usize..4, prop::sample::select(vec![0u8, 8, 16, 32]))),
        prop::option::of((0u16..500, 0u16..50000)),
        prop::option::of((0u16..500, 0u16..50000)),
    )
        .prop_map(|(prio, accept, proto, v6, src, dst, sp, dp)| {
            let cidr =
                |c: Option<(usize, u8)>| c.map(|(i, p)| if v6 { (V6_ADDRS[i % 3], p * 4) } else { (V4_ADDRS[i], p) });
            let tcp_udp = proto == "TCP" || proto == "UDP";
            let range =
                |r: Option<(u16, u16)>| r.filter(|_| tcp_udp).map(|(a, w)| (a.max(1), a.max(1).saturating_add(w)));
            TRule { prio, accept, proto, v6, src: cidr(src), dst: cidr(dst), sport: range(sp), dport: range(dp) }
        })
}

fn arb_session() -> impl Strategy<Value = TSession> {
    (
        1u32..5,
        prop::bool::weighted(0.8),
        prop::collection::vec(arb_rule(), 0..6),
        prop::collection::vec(arb_rule(), 0..6),
    )
        .prop_map(|(prio, enabled, ingress, egress)| TSession { prio, enabled, ingress, egress })
}

fn arb_packet() -> impl Strategy<Value = TPacket> {
    (
        any::<bool>(),
        prop::sample::select(vec![1u8, 6, 17, 58, 47]),
        0usize..4,
        0usize..4,
        0usize..5,
        0usize..5,
        prop::bool::weighted(0.15),
        any::<bool>(),
    )
        .prop_map(|(v6, proto, s, d, sp, dp, frag, ingress)| TPacket {
            v6,
            proto,
            src: if v6 { V6_ADDRS[s % 3] } else { V4_ADDRS[s] },
            dst: if v6 { V6_ADDRS[d % 3] } else { V4_ADDRS[d] },
            ports: (matches!(proto, 6 | 17) && !frag).then_some((PORTS[sp], PORTS[dp])),
            later_fragment: frag,
            ingress,
        })
}

fn cidr_str(c: (u128, u8), v6: bool) -> String {
    if v6 {
        format!("{}/{}", std::net::Ipv6Addr::from(c.0), c.1)
    } else {
        format!("{}/{}", std::net::Ipv4Addr::from(c.0 as u32), c.1)
    }
}

fn rule_json(r: &TRule) -> String {
    let mut f = vec![
        format!(r#""Priority": {}"#, r.prio),
        format!(r#""Action": "{}""#, if r.accept { "accept" } else { "drop" }),
        format!(r#""Protocol": "{}""#, r.proto),
        format!(r#""IpVersion": "{}""#, if r.v6 { "IPv6" } else { "IPv4" }),
    ];
    if let Some(c) = r.src {
        f.push(format!(r#""SourceCidrBlock": "{}""#, cidr_str(c, r.v6)));
    }
    if let Some(c) = r.dst {
        f.push(format!(r#""DestinationCidrBlock": "{}""#, cidr_str(c, r.v6)));
    }
    let pr = |p: Option<(u16, u16)>| p.map(|(a, b)| format!("{a}/{b}")).unwrap_or("-1/-1".into());
    f.push(format!(r#""SourcePortRange": "{}""#, pr(r.sport)));
    f.push(format!(r#""DestinationPortRange": "{}""#, pr(r.dport)));
    format!("{{{}}}", f.join(","))
}

fn set_json(sessions: &[TSession]) -> String {
    let mut ss = vec![];
    let mut fs = vec![];
    for (i, s) in sessions.iter().enumerate() {
        ss.push(format!(
            r#"{{"TrafficMirrorSessionId": "s{i}", "Priority": {}, "VirtualNetworkId": {i}, "Enabled": {},
               "TrafficMirrorFilterId": "f{i}", "TrafficMirrorTargetId": "t"}}"#,
            s.prio, s.enabled
        ));
        let rl = |v: &[TRule]| v.iter().map(rule_json).collect::<Vec<_>>().join(",");
        fs.push(format!(
            r#"{{"TrafficMirrorFilterId": "f{i}", "IngressRules": [{}], "EgressRules": [{}]}}"#,
            rl(&s.ingress),
            rl(&s.egress)
        ));
    }
    format!(
        r#"{{"TrafficMirrorSessions": [{}], "TrafficMirrorFilters": [{}], "Targets": {{"t": "192.0.2.1"}}}}"#,
        ss.join(","),
        fs.join(",")
    )
}

fn in_cidr(a: u128, c: (u128, u8), v6: bool) -> bool {
    let width = if v6 { 128 } else { 32 };
    let host = width - u32::from(c.1);
    if host >= 128 {
        return true;
    }
    (a >> host) == (c.0 >> host)
}

/// The contract, as literally as possible: index of the mirroring session in file order,
/// or None (dropped or unmatched), plus whether a drop decided.
fn reference(sessions: &[TSession], p: &TPacket) -> (Option<usize>, bool) {
    let mut order: Vec<usize> = (0..sessions.len()).filter(|i| sessions[*i].enabled).collect();
    order.sort_by_key(|i| sessions[*i].prio);
    for i in order {
        let s = &sessions[i];
        let mut rules: Vec<&TRule> = if p.ingress { s.ingress.iter().collect() } else { s.egress.iter().collect() };
        rules.sort_by_key(|r| r.prio);
        for r in rules {
            let proto_ok = match r.proto {
                "ALL" => true,
                "TCP" => p.proto == 6,
                "UDP" => p.proto == 17,
                _ => p.proto == if p.v6 { 58 } else { 1 },
            };
            let ports_ok = if r.sport.is_none() && r.dport.is_none() {
                true
            } else if let Some((sp, dp)) = p.ports {
                r.sport.is_none_or(|(a, b)| a <= sp && sp <= b) && r.dport.is_none_or(|(a, b)| a <= dp && dp <= b)
            } else {
                false
            };
            let m = r.v6 == p.v6
                && proto_ok
                && r.src.is_none_or(|c| in_cidr(p.src, c, p.v6))
                && r.dst.is_none_or(|c| in_cidr(p.dst, c, p.v6))
                && ports_ok;
            if m {
                return if r.accept { (Some(i), false) } else { (None, true) };
            }
        }
    }
    (None, false)
}

fn build_frame(p: &TPacket) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
    let l4: Vec<u8> = match (p.proto, p.ports) {
        (6 | 17, Some((s, d))) => {
            let mut h = vec![0u8; if p.proto == 6 { 20 } else { 8 }];
            h[0..2].copy_from_slice(&s.to_be_bytes());
            h[2..4].copy_from_slice(&d.to_be_bytes());
            h
        }
        _ => vec![0u8; 8],
    };
    if p.v6 {
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
        let ext = if p.later_fragment { 8 } else { 0 };
        f.extend_from_slice(&((l4.len() + ext) as u16).to_be_bytes());
        f.push(if p.later_fragment { 44 } else { p.proto });
        f.push(64);
        f.extend_from_slice(&p.src.to_be_bytes());
        f.extend_from_slice(&p.dst.to_be_bytes());
        if p.later_fragment {
            f.extend_from_slice(&[p.proto, 0, 0, 0x10, 0, 0, 0, 1]);
        }
    } else {
        f.extend_from_slice(&[0x08, 0x00, 0x45, 0]);
        f.extend_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 1]);
        f.extend_from_slice(if p.later_fragment { &[0x00, 0x20] } else { &[0x40, 0x00] });
        f.extend_from_slice(&[64, p.proto, 0, 0]);
        f.extend_from_slice(&(p.src as u32).to_be_bytes());
        f.extend_from_slice(&(p.dst as u32).to_be_bytes());
    }
    f.extend_from_slice(&l4);
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn decision_equals_reference_and_mirrors_at_most_once(
        sessions in prop::collection::vec(arb_session(), 1..4),
        packets in prop::collection::vec(arb_packet(), 1..24),
    ) {
        let set = SessionSet::from_json(&set_json(&sessions)).unwrap();
        let m = Mirror::new(&set, MirrorConfig::default()).unwrap();
        let ids: Vec<String> = m.session_ids().map(str::to_string).collect();
        let mut c = m.counters();
        let mut out = vec![0u8; m.max_frame_len()];
        let mut mirrored = 0u64;
        for p in &packets {
            let frame = build_frame(p);
            let dir = if p.ingress { Direction::Ingress } else { Direction::Egress };
            let (want, dropped) = reference(&sessions, p);
            match m.process(&frame, dir, &mut out, &mut c) {
                Outcome::Mirrored { session, .. } => {
                    mirrored += 1;
                    prop_assert_eq!(Some(ids[session].clone()), want.map(|i| format!("s{i}")), "{:?}", p);
                }
                Outcome::Filtered { .. } => prop_assert!(dropped && want.is_none(), "{:?}", p),
                Outcome::NoMatch => prop_assert!(!dropped && want.is_none(), "{:?}", p),
                Outcome::Error(e) => prop_assert!(false, "{}", e),
            }
        }
        // Every packet is counted exactly once: mirrored, filtered or unmatched.
        prop_assert_eq!(c.mirrored(), mirrored);
        prop_assert_eq!(c.mirrored() + c.filtered() + c.unmatched, packets.len() as u64);
    }
}

fn fuzz_cases() -> u32 {
    std::env::var("VSPAN_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    /// The fuzz target's body (fuzz/fuzz_targets/classify.rs) on arbitrary bytes.
    #[test]
    fn fuzz_body_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let m = fuzz_mirror().unwrap();
        let mut out = vec![0u8; m.max_frame_len()];
        fuzz_one(&m, &data, &mut out);
    }

    /// ... and on valid frames with a few bytes changed and a random cut: reaches deep paths.
    #[test]
    fn fuzz_body_on_mutated_frames(
        seed in any::<u32>(),
        dir in any::<u8>(),
        edits in prop::collection::vec((0usize..200, any::<u8>()), 0..6),
        cut in 0usize..200,
        v6 in any::<bool>(),
    ) {
        let mut frame = synthetic_frame(seed, 120);
        if v6 {
            frame = build_frame(&TPacket { v6: true, proto: 6, src: V6_ADDRS[0], dst: V6_ADDRS[1],
                ports: Some((80, 40000)), later_fragment: false, ingress: true });
        }
        for (at, b) in edits {
            if let Some(x) = frame.get_mut(at) {
                *x = b;
            }
        }
        frame.truncate(cut);
        let mut data = vec![dir];
        data.extend_from_slice(&frame);
        let m = fuzz_mirror().unwrap();
        let mut out = vec![0u8; m.max_frame_len()];
        fuzz_one(&m, &data, &mut out);
    }
}

fn pcap_prefix(ng: bool) -> Vec<u8> {
    let mut w = vspan_dataplane::pcap::PcapWriter::new(Vec::new()).unwrap();
    use vspan_dataplane::pcap::PacketSink;
    w.write_packet(std::time::Duration::ZERO, 0, &synthetic_frame(1, 80)).unwrap();
    let mut v = w.into_inner().unwrap();
    if ng {
        // Section header block + interface description block (Ethernet), little-endian.
        v = vec![
            0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 28, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 20, 0, 0, 0,
        ];
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    /// Capture files with garbage after a valid header: errors, never panics.
    #[test]
    fn capture_reader_never_panics(
        ng in any::<bool>(),
        garbage in prop::collection::vec(any::<u8>(), 0..400),
        cut in 0usize..200,
    ) {
        use vspan_dataplane::pcap::{CaptureReader, PacketSource};
        let mut bytes = pcap_prefix(ng);
        bytes.truncate(bytes.len().saturating_sub(cut % 64));
        bytes.extend_from_slice(&garbage);
        if let Ok(mut r) = CaptureReader::new(&bytes[..]) {
            for _ in 0..50 {
                match r.next_packet() {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }
}

#[test]
fn pcapng_prefix_is_valid_and_reads_packets() {
    use vspan_dataplane::pcap::{CaptureReader, PacketSource};
    let mut bytes = pcap_prefix(true);
    let data = synthetic_frame(2, 61);
    let pad = (4 - data.len() % 4) % 4;
    let total = (32 + data.len() + pad) as u32;
    bytes.extend_from_slice(&6u32.to_le_bytes());
    bytes.extend_from_slice(&total.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&2_500_000u32.to_le_bytes());
    bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&1514u32.to_le_bytes());
    bytes.extend_from_slice(&data);
    bytes.extend_from_slice(&vec![0u8; pad]);
    bytes.extend_from_slice(&total.to_le_bytes());
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!(p.data, &data[..]);
    assert_eq!(p.orig_len, 1514);
    // Default if_tsresol is microseconds.
    assert_eq!(p.timestamp, std::time::Duration::new(2, 500_000_000));
    assert!(r.next_packet().unwrap().is_none());
}
