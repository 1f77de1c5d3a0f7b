//! The capture worker: one OS thread per captured interface, owning its ring. It walks each
//! block the kernel hands over, runs every frame through the data plane into a transmit
//! batch, sends the batch, gives the block back, and merges its counters into the shared
//! stats once per wake-up.
//!
//! The per-frame path allocates nothing and locks nothing: counters are plain integers of
//! this thread, copies go into a preallocated arena. A new session set reaches the worker
//! as a new `Arc<Mirror>` behind a generation number it checks once per wake-up, so a reload
//! changes what is mirrored without closing the ring (no capture gap).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use vspan_dataplane::mirror::PayloadOutcome;
use vspan_dataplane::vxlan::{MTU_OVERHEAD_V4, VXLAN_HEADER_LEN};
use vspan_dataplane::{Counters, Direction, Mirror};

use crate::capture::{Frame, PACKET_OUTGOING, Ring, TP_STATUS_CSUMNOTREADY, Wait};
use crate::stats::{SharedStats, WorkerCounts};
use crate::transmit::{SendCounters, TxBatch, TxPool};

/// Copies per `sendmmsg` flush at most (and per transmit batch).
const BATCH_MSGS: usize = 1024;
/// Arena of one batch.
const BATCH_BYTES: usize = 2 << 20;
/// How long a wait on the ring lasts before the worker looks at its control flags.
const WAIT_MS: i32 = 100;

/// What the control side shares with one worker.
pub struct Control {
    stop: AtomicBool,
    done: AtomicBool,
    generation: AtomicU64,
    mirror: Mutex<Arc<Mirror>>,
}

impl Control {
    fn mirror(&self) -> Arc<Mirror> {
        self.mirror.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A running worker.
pub struct Worker {
    control: Arc<Control>,
    thread: Option<JoinHandle<()>>,
}

/// What a worker needs to run.
pub struct WorkerSetup {
    pub iface: String,
    /// MTU of the captured interface (frames beyond it + link headers are aggregates).
    pub link_mtu: u32,
    pub ring: Ring,
    pub mirror: Arc<Mirror>,
    pub pool: Arc<TxPool>,
    pub stats: SharedStats,
}

impl Worker {
    /// Starts the worker thread.
    pub fn spawn(setup: WorkerSetup) -> std::io::Result<Worker> {
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            done: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            mirror: Mutex::new(setup.mirror.clone()),
        });
        let c = control.clone();
        let thread = std::thread::Builder::new().name(format!("cap-{}", setup.iface)).spawn(move || {
            run(setup, &c);
            c.done.store(true, Ordering::Release);
        })?;
        Ok(Worker { control, thread: Some(thread) })
    }

    /// Hands the worker a new mirror; it takes it at its next wake-up (within ~100 ms).
    pub fn set_mirror(&self, m: Arc<Mirror>) {
        *self.control.mirror.lock().unwrap_or_else(|e| e.into_inner()) = m;
        self.control.generation.fetch_add(1, Ordering::Release);
    }

    /// Whether the thread has ended (after a fatal capture error).
    pub fn finished(&self) -> bool {
        self.control.done.load(Ordering::Acquire)
    }

    /// Stops the worker and waits for it: its last counts are merged, its ring closed.
    pub fn stop(mut self) {
        self.control.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.control.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Per-mirror state of the worker: what changes when the session set does.
struct Current {
    mirror: Arc<Mirror>,
    ids: Vec<(String, u32)>,
    dir: [Counters; 2],
    send: Vec<SendCounters>,
    /// Longest copy the mirror makes, with its VXLAN header: the room a batch must have.
    need: usize,
    budget: usize,
}

impl Current {
    fn new(mirror: Arc<Mirror>) -> Current {
        let ids = mirror
            .session_ids()
            .enumerate()
            .map(|(i, id)| (id.to_string(), mirror.vni(i).unwrap_or(0)))
            .collect::<Vec<_>>();
        let n = ids.len();
        Current {
            dir: [mirror.counters(), mirror.counters()],
            send: vec![SendCounters::default(); n],
            need: VXLAN_HEADER_LEN + mirror.max_copy_len(),
            budget: mirror.mtu().saturating_sub(MTU_OVERHEAD_V4),
            ids,
            mirror,
        }
    }

    fn reset(&mut self) {
        for d in &mut self.dir {
            d.read = 0;
            d.read_bytes = 0;
            d.foreign = 0;
            d.unmatched = 0;
            d.errors = 0;
            d.sessions.iter_mut().for_each(|s| *s = Default::default());
        }
        self.send.iter_mut().for_each(|s| *s = SendCounters::default());
    }
}

/// Interface-level counts the data plane does not keep.
#[derive(Default)]
struct Extra {
    kernel_packets: u64,
    kernel_drops: u64,
    aggregates: u64,
    csum_not_ready: u64,
    mtu_truncated: u64,
    capture_errors: u64,
}

fn publish(stats: &SharedStats, iface: &str, cur: &mut Current, extra: &mut Extra) {
    stats.lock().merge(&WorkerCounts {
        iface,
        dir: &cur.dir,
        session_ids: &cur.ids,
        send: &cur.send,
        kernel_packets: extra.kernel_packets,
        kernel_drops: extra.kernel_drops,
        aggregates: extra.aggregates,
        csum_not_ready: extra.csum_not_ready,
        mtu_truncated: extra.mtu_truncated,
        capture_errors: extra.capture_errors,
    });
    cur.reset();
    *extra = Extra::default();
}

fn run(mut s: WorkerSetup, control: &Control) {
    let pool = s.pool.clone();
    let mut batch = TxBatch::new(BATCH_MSGS, BATCH_BYTES, pool.ports().len());
    let mut cur = Current::new(s.mirror.clone());
    let mut generation = control.generation.load(Ordering::Acquire);
    let mut extra = Extra::default();
    // A frame longer than MTU + Ethernet + two VLAN tags cannot have crossed the link as one
    // frame: it is a GRO/TSO aggregate.
    let aggregate_len = s.link_mtu as usize + 14 + 8;
    tracing::info!(iface = %s.iface, sessions = cur.ids.len(), "capture started");
    loop {
        if control.stop.load(Ordering::Acquire) {
            break;
        }
        match s.ring.wait(WAIT_MS) {
            Ok(Wait::Ready) => {}
            Ok(Wait::Error(errno)) => {
                // ENETDOWN when the interface goes down or away: keep the ring (it resumes
                // when the interface comes back up); discovery stops us if it vanished.
                extra.capture_errors += 1;
                tracing::debug!(iface = %s.iface, errno, "capture socket error");
            }
            Err(e) => {
                tracing::warn!(iface = %s.iface, "capture ended: {e}");
                extra.capture_errors += 1;
                break;
            }
        }
        let g = control.generation.load(Ordering::Acquire);
        if g != generation {
            // Counts so far belong to the old mirror's session indices.
            publish(&s.stats, &s.iface, &mut cur, &mut extra);
            generation = g;
            cur = Current::new(control.mirror());
            tracing::info!(iface = %s.iface, sessions = cur.ids.len(), "sessions updated");
        }
        let mut blocks = 0u32;
        while let Some(block) = s.ring.next_block() {
            blocks += 1;
            for f in block.frames() {
                mirror_frame(&f, &mut cur, &mut batch, &pool, &mut extra, aggregate_len);
            }
            // Copies are in the arena: the block can go back to the kernel before sending.
            drop(block);
            if !batch.is_empty() {
                batch.flush(&pool, &mut cur.send);
            }
        }
        if let Some(kind) = batch.take_last_error() {
            tracing::debug!(iface = %s.iface, ?kind, "send error");
        }
        match s.ring.stats() {
            Ok(st) => {
                extra.kernel_packets += st.packets;
                extra.kernel_drops += st.drops;
            }
            Err(e) => tracing::debug!(iface = %s.iface, "ring stats: {e}"),
        }
        if blocks > 0 || extra.kernel_packets > 0 || extra.capture_errors > 0 {
            publish(&s.stats, &s.iface, &mut cur, &mut extra);
        }
    }
    // Last counts: frames already in ready blocks are processed before closing, so a clean
    // stop loses nothing the kernel handed over.
    while let Some(block) = s.ring.next_block() {
        for f in block.frames() {
            mirror_frame(&f, &mut cur, &mut batch, &pool, &mut extra, aggregate_len);
        }
    }
    batch.flush(&pool, &mut cur.send);
    if let Ok(st) = s.ring.stats() {
        extra.kernel_packets += st.packets;
        extra.kernel_drops += st.drops;
    }
    publish(&s.stats, &s.iface, &mut cur, &mut extra);
    tracing::info!(iface = %s.iface, "capture stopped");
}

/// The per-frame path: direction, data plane, batch. No allocation, no lock.
#[inline]
fn mirror_frame(
    f: &Frame<'_>,
    cur: &mut Current,
    batch: &mut TxBatch,
    pool: &TxPool,
    extra: &mut Extra,
    aggregate_len: usize,
) {
    let d = usize::from(f.pkttype == PACKET_OUTGOING);
    let dir = if d == 1 { Direction::Egress } else { Direction::Ingress };
    extra.aggregates += u64::from(f.wire_len as usize > aggregate_len);
    extra.csum_not_ready += u64::from(f.status & TP_STATUS_CSUMNOTREADY != 0);
    if !batch.has_room(cur.need) {
        batch.flush(pool, &mut cur.send);
    }
    if let PayloadOutcome::Mirrored { session, len, truncated, dst, src_port } =
        cur.mirror.process_payload(f.data, dir, batch.space(), &mut cur.dir[d])
    {
        let copy = len - VXLAN_HEADER_LEN;
        extra.mtu_truncated += u64::from(truncated && copy == cur.budget);
        batch.commit(len, dst, src_port, session, pool);
    }
}
