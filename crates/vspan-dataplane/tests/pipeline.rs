//! The offline pipeline end to end, in memory: frames -> pcap -> CaptureReader -> Mirror ->
//! pcap -> CaptureReader -> decapsulation gives back each frame cut at the session's packet
//! length, byte for byte, in order, with the original length kept in the output records.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use vspan_dataplane::pcap::{CaptureReader, PacketSink, PacketSource, PcapWriter};
use vspan_dataplane::testing::synthetic_frame;
use vspan_dataplane::{Direction, FlowKey, Mirror, MirrorConfig, Outcome, SessionSet, vxlan};

const SESSIONS: &str = r#"{
  "TrafficMirrorSessions": [
    {"TrafficMirrorSessionId": "udp", "Priority": 1, "VirtualNetworkId": 11, "PacketLength": 70,
     "Enabled": true, "TrafficMirrorFilterId": "f-udp", "TrafficMirrorTargetId": "t"},
    {"TrafficMirrorSessionId": "rest", "Priority": 2, "VirtualNetworkId": 22, "PacketLength": 300,
     "Enabled": true, "TrafficMirrorFilterId": "f-all", "TrafficMirrorTargetId": "t"}],
  "TrafficMirrorFilters": [
    {"TrafficMirrorFilterId": "f-udp", "IngressRules": [{"Priority": 1, "Action": "accept", "Protocol": "UDP"}]},
    {"TrafficMirrorFilterId": "f-all", "IngressRules": [{"Priority": 1, "Action": "accept", "Protocol": "ALL"}]}],
  "Targets": {"t": "127.0.0.1"}
}"#;

#[test]
fn replay_then_decap_gives_truncated_frames() {
    let frames: Vec<Vec<u8>> = (0..300).map(|i| synthetic_frame(i, [60, 200, 1514][i as usize % 3])).collect();
    let mut w = PcapWriter::new(Vec::new()).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.write_packet(Duration::from_millis(i as u64), f.len() as u32, f).unwrap();
    }
    let input = w.into_inner().unwrap();

    let mirror = Mirror::new(&SessionSet::from_json(SESSIONS).unwrap(), MirrorConfig::default()).unwrap();
    let mut counters = mirror.counters();
    let mut src = CaptureReader::new(&input[..]).unwrap();
    let mut sink = PcapWriter::new(Vec::new()).unwrap();
    let mut out = vec![0u8; mirror.max_frame_len()];
    while let Some(p) = src.next_packet().unwrap() {
        if let Outcome::Mirrored { len, .. } = mirror.process(p.data, Direction::Ingress, &mut out, &mut counters) {
            sink.write_packet(p.timestamp, len as u32, &out[..len]).unwrap();
        }
    }
    let output = sink.into_inner().unwrap();
    assert_eq!(counters.mirrored(), 300);

    let mut back = CaptureReader::new(&output[..]).unwrap();
    let mut i = 0;
    while let Some(p) = back.next_packet().unwrap() {
        let f = &frames[i];
        let (vni, inner) = vxlan::decap(vxlan::udp_payload_to_port(p.data, vxlan::VXLAN_PORT).unwrap()).unwrap();
        let is_udp = FlowKey::parse(f).proto == 17;
        let (want_vni, plen) = if is_udp { (11, 70) } else { (22, 300) };
        assert_eq!(vni, want_vni);
        assert_eq!(inner, &f[..f.len().min(plen)], "frame {i}");
        assert_eq!(p.timestamp, Duration::from_millis(i as u64));
        assert_eq!(p.orig_len as usize, p.data.len());
        // What a sink records as the original length: the inner L3 header's claim.
        let key = FlowKey::parse(inner);
        assert_eq!(key.stated_len(inner), Some(f.len()));
        i += 1;
    }
    assert_eq!(i, 300);
    assert_eq!(
        counters.truncated(),
        frames.iter().filter(|f| f.len() > if FlowKey::parse(f).proto == 17 { 70 } else { 300 }).count() as u64
    );
}
