//! Proves that the per-packet path (parse + classify + truncate + encapsulate + count)
//! allocates nothing: a counting global allocator watches a million packets through every
//! benchmark configuration and through cut and malformed frames.
//!
//! It runs without the libtest harness (`harness = false`) so that no harness thread
//! allocates while the region is being measured.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use vspan_dataplane::Direction;
use vspan_dataplane::testing::{bench_mirror, fuzz_mirror, synthetic_frame};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() {
    // Positive control: the counter does see allocations.
    let region = Region::new(GLOBAL);
    std::hint::black_box(vec![0u8; 64]);
    assert_eq!(region.change().allocations, 1, "the counting allocator is not in use");

    let mut total = 0u64;
    for (rules, sessions) in [(0, 1), (1, 1), (10, 1), (1, 3), (10, 3)] {
        for size in [64, 1500] {
            let Ok(mirror) = bench_mirror(rules, sessions) else {
                panic!("bench session set does not compile");
            };
            let frames: Vec<Vec<u8>> = (0..256).map(|i| synthetic_frame(i, size)).collect();
            let mut out = vec![0u8; mirror.max_frame_len()];
            let mut counters = mirror.counters();
            let n = 100_000usize;
            let region = Region::new(GLOBAL);
            for i in 0..n {
                let dir = if i % 2 == 0 { Direction::Ingress } else { Direction::Egress };
                std::hint::black_box(mirror.process(&frames[i % frames.len()], dir, &mut out, &mut counters));
            }
            let change = region.change();
            assert_eq!(
                (change.allocations, change.reallocations),
                (0, 0),
                "{rules} rules, {sessions} sessions, {size} B: allocations on the per-packet path"
            );
            let expect_mirrored = if rules == 0 { 0 } else { n as u64 };
            assert_eq!(counters.mirrored(), expect_mirrored);
            total += n as u64;
        }
    }
    // Cut and malformed frames through a mirror with IPv6, port and drop rules.
    let Ok(mirror) = fuzz_mirror() else {
        panic!("fuzz session set does not compile");
    };
    let base = synthetic_frame(3, 200);
    let mut junk = base.clone();
    junk[14] = 0x41;
    let mut frames: Vec<&[u8]> = (0..base.len()).map(|n| &base[..n]).collect();
    frames.push(&junk);
    let mut out = vec![0u8; mirror.max_frame_len()];
    let mut counters = mirror.counters();
    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        for f in &frames {
            std::hint::black_box(mirror.process(f, Direction::Ingress, &mut out, &mut counters));
        }
    }
    let change = region.change();
    assert_eq!((change.allocations, change.reallocations), (0, 0));
    total += counters.read;
    println!("no_alloc: 0 allocations over {total} packets on the per-packet path");
}
