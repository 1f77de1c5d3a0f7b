//! `Mirror::process_payload` (UDP-socket senders) agrees with `Mirror::process` (full frames):
//! same verdicts, same counters, and its payload, destination and source port are exactly
//! what the full outer frame carries after its 42 bytes of Ethernet/IPv4/UDP.

use vspan_dataplane::mirror::PayloadOutcome;
use vspan_dataplane::testing::{bench_mirror, synthetic_frame};
use vspan_dataplane::{Direction, Outcome};

#[test]
fn payload_matches_full_frame() -> Result<(), String> {
    let m = bench_mirror(3, 2)?;
    let mut full = vec![0u8; m.max_frame_len()];
    let mut pay = vec![0u8; m.max_frame_len()];
    let (mut c1, mut c2) = (m.counters(), m.counters());
    for i in 0..256u32 {
        let f = synthetic_frame(i, 60 + (i as usize * 37) % 1400);
        let dir = if i % 2 == 0 { Direction::Ingress } else { Direction::Egress };
        let a = m.process(&f, dir, &mut full, &mut c1);
        let b = m.process_payload(&f, dir, &mut pay, &mut c2);
        match (a, b) {
            (
                Outcome::Mirrored { session, len, truncated },
                PayloadOutcome::Mirrored { session: s2, len: l2, truncated: t2, dst, src_port },
            ) => {
                assert_eq!((session, truncated), (s2, t2));
                assert_eq!(len - 42, l2);
                assert_eq!(&full[42..len], &pay[..l2]);
                assert_eq!(&full[30..34], &dst);
                assert_eq!(&full[34..36], &src_port.to_be_bytes());
            }
            (Outcome::Filtered { session }, PayloadOutcome::Filtered { session: s2 }) => {
                assert_eq!(session, s2)
            }
            (Outcome::NoMatch, PayloadOutcome::NoMatch) => {}
            (a, b) => return Err(format!("frame {i}: {a:?} vs {b:?}")),
        }
    }
    assert_eq!(c1, c2);
    assert!(c1.mirrored() > 0);
    Ok(())
}
