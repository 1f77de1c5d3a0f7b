//! Criterion benchmarks of the data plane (issue 3, item 7).
//!
//! `per_packet/<size>B/<rules>r/<sessions>s`: parse + classify + truncate + VXLAN encap of one
//! core's stream of synthetic frames (64 flows, both directions), in packets per second. The
//! rule sets make every packet walk every rule (see `testing::bench_sessions`); 0 rules
//! means nothing matches, so that case measures parse + classify only.
//!
//! The per-packet group is measured in thread CPU time, not wall time: "packets per second
//! per core" is packets per CPU-second, and on a shared machine wall time would also count
//! the time other processes hold the core. Set `VSPAN_BENCH_WALL=1` to measure wall time.
//!
//! `replay_1m`: the offline replay pipeline (pcap read, process, pcap write) over a generated
//! capture of 1,000,000 64-byte frames, written to a temporary directory.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vspan_dataplane::Direction;
use vspan_dataplane::pcap::{CaptureReader, PacketSink, PacketSource, PcapWriter};
use vspan_dataplane::testing::{bench_mirror, synthetic_frame};

const BATCH: usize = 1024;

/// Criterion measurement in CPU time of the benchmarking thread.
struct ThreadCpuTime;

struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (d, unit) = if ns < 1e3 {
            (1.0, "ns")
        } else if ns < 1e6 {
            (1e3, "µs")
        } else if ns < 1e9 {
            (1e6, "ms")
        } else {
            (1e9, "s")
        };
        values.iter_mut().for_each(|v| *v /= d);
        unit
    }

    fn scale_throughputs(&self, typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let (n, bytes) = match t {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => (*b as f64, true),
            Throughput::Elements(e) => (*e as f64, false),
            _ => (1.0, false),
        };
        let per_sec = n * 1e9 / typical;
        let (d, unit) = match (bytes, per_sec) {
            (false, r) if r >= 1e6 => (1e6, "Melem/s (CPU)"),
            (false, r) if r >= 1e3 => (1e3, "Kelem/s (CPU)"),
            (false, _) => (1.0, "elem/s (CPU)"),
            (true, r) if r >= 1e9 => (1e9, "GB/s (CPU)"),
            (true, _) => (1e6, "MB/s (CPU)"),
        };
        values.iter_mut().for_each(|v| *v = n * 1e9 / *v / d);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }

    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

fn per_packet_cpu(c: &mut Criterion<ThreadCpuTime>) {
    per_packet(c)
}

fn per_packet_wall(c: &mut Criterion<WallTime>) {
    if std::env::var_os("VSPAN_BENCH_WALL").is_some() {
        per_packet(c)
    }
}

fn per_packet<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("per_packet");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    for size in [64usize, 1500] {
        for sessions in [1usize, 3] {
            for rules in [0usize, 1, 10] {
                let Ok(mirror) = bench_mirror(rules, sessions) else {
                    panic!("bench session set does not compile");
                };
                let frames: Vec<Vec<u8>> = (0..BATCH as u32).map(|i| synthetic_frame(i, size)).collect();
                let mut out = vec![0u8; mirror.max_frame_len()];
                let mut counters = mirror.counters();
                g.bench_function(format!("{size}B/{rules}r/{sessions}s"), |b| {
                    b.iter(|| {
                        for (i, f) in frames.iter().enumerate() {
                            let dir = if i & 1 == 0 { Direction::Ingress } else { Direction::Egress };
                            black_box(mirror.process(black_box(f), dir, &mut out, &mut counters));
                        }
                    })
                });
            }
        }
    }
    g.finish();
}

fn write_capture(path: &Path, n: u32, size: usize) {
    let Ok(mut w) = PcapWriter::create(path) else {
        panic!("cannot create {}", path.display());
    };
    let frames: Vec<Vec<u8>> = (0..1024).map(|i| synthetic_frame(i, size)).collect();
    for i in 0..n {
        let f = &frames[i as usize % frames.len()];
        if w.write_packet(Duration::from_micros(u64::from(i)), f.len() as u32, f).is_err() {
            panic!("write failed");
        }
    }
    if w.into_inner().is_err() {
        panic!("flush failed");
    }
}

fn replay_1m(c: &mut Criterion) {
    const N: u32 = 1_000_000;
    let Ok(dir) = tempfile::tempdir() else {
        panic!("no temporary directory");
    };
    let input = dir.path().join("in.pcap");
    let output = dir.path().join("out.pcap");
    write_capture(&input, N, 64);
    let Ok(mirror) = bench_mirror(10, 3) else {
        panic!("bench session set does not compile");
    };
    let mut g = c.benchmark_group("replay_1m");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(100));
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(u64::from(N)));
    g.bench_function("64B/10r/3s", |b| {
        b.iter(|| {
            let (Ok(mut src), Ok(mut sink)) = (CaptureReader::open(&input), PcapWriter::create(&output)) else {
                panic!("cannot open bench files");
            };
            let mut counters = mirror.counters();
            let mut out = vec![0u8; mirror.max_frame_len()];
            while let Ok(Some(p)) = src.next_packet() {
                if let vspan_dataplane::Outcome::Mirrored { len, .. } =
                    mirror.process(p.data, Direction::Ingress, &mut out, &mut counters)
                {
                    let _ = sink.write_packet(p.timestamp, len as u32, &out[..len]);
                }
            }
            let _ = sink.into_inner();
            assert_eq!(counters.read, u64::from(N));
        })
    });
    g.finish();
}

criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = per_packet_cpu
}
criterion_group!(wall, per_packet_wall, replay_1m);
criterion_main!(cpu, wall);
