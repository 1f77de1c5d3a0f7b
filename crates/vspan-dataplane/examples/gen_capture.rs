//! Writes a synthetic capture and a matching sessions file for `vspan replay` benchmarks:
//! `gen_capture OUT.pcap PACKETS FRAME_SIZE SESSIONS.json [RULES [SESSIONS]]`.
//! Frames come from `testing::synthetic_frame` (64 flows, both directions); the sessions
//! file from `testing::bench_sessions`, in which every frame walks every rule.

use std::path::Path;
use std::time::Duration;

use vspan_dataplane::pcap::{PacketSink, PcapWriter};
use vspan_dataplane::testing::{bench_sessions, synthetic_frame};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        return Err("usage: gen_capture OUT.pcap PACKETS FRAME_SIZE SESSIONS.json [RULES [SESSIONS]]".into());
    }
    let n: u32 = args[2].parse()?;
    let size: usize = args[3].parse()?;
    let rules: usize = args.get(5).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let sessions: usize = args.get(6).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let frames: Vec<Vec<u8>> = (0..1024).map(|i| synthetic_frame(i, size)).collect();
    let mut w = PcapWriter::create(Path::new(&args[1]))?;
    for i in 0..n {
        let f = &frames[i as usize % frames.len()];
        w.write_packet(Duration::from_micros(u64::from(i)), f.len() as u32, f)?;
    }
    w.into_inner()?;
    std::fs::write(&args[4], bench_sessions(rules, sessions))?;
    Ok(())
}
