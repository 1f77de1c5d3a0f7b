//! The agent's control side: from a session set and the configured sources to running
//! capture workers, kept in step with the interfaces that exist and the sessions that apply.
//!
//! [`Agent::reconcile`] is the one place where workers start, change and stop; it is called
//! after every session-set change and periodically for interface discovery. It is
//! idempotent and cheap when nothing changed. The sessions come from a file in standalone
//! mode; the server-driven mode (a later issue) feeds [`Agent::set_sessions`] from the
//! server's desired config instead and reports [`Agent::stats`] back: nothing here knows
//! where the sessions came from.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;

use vspan_dataplane::vxlan::OuterV4;
use vspan_dataplane::{Mirror, MirrorConfig, SessionSet};

use crate::bpf;
use crate::capture::{BpfInsn, CaptureError, Ring, RingConfig};
use crate::discovery::{self, Link, Source};
use crate::stats::SharedStats;
use crate::transmit::{TxConfig, TxError, TxPool};
use crate::worker::{Worker, WorkerSetup};

/// Failures of the agent as a whole (per-interface failures are logged and retried).
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("transmit sockets: {0}")]
    Tx(#[from] TxError),
    #[error("interface {iface}: {source}")]
    Capture { iface: String, source: CaptureError },
    #[error("interface {iface}: {msg}")]
    Mirror { iface: String, msg: String },
    #[error("starting a capture thread: {0}")]
    Thread(std::io::Error),
}

/// Agent settings.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    pub sources: Vec<Source>,
    pub ring: RingConfig,
    pub tx: TxConfig,
    /// Path MTU to cut copies against; `None`: the smallest route MTU towards the targets of
    /// each interface's sessions.
    pub mtu: Option<usize>,
    /// Where interfaces are discovered (normally `/sys/class/net`).
    pub sysfs_net: PathBuf,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            sources: Vec::new(),
            ring: RingConfig::default(),
            tx: TxConfig::default(),
            mtu: None,
            sysfs_net: PathBuf::from("/sys/class/net"),
        }
    }
}

/// One captured interface.
struct Captured {
    ifindex: u32,
    /// The interface's sessions as last applied (compared to skip no-op reloads).
    set: SessionSet,
    worker: Worker,
}

/// The running agent.
pub struct Agent {
    cfg: AgentConfig,
    pool: Arc<TxPool>,
    filter: Vec<BpfInsn>,
    sessions: SessionSet,
    captured: BTreeMap<String, Captured>,
    stats: SharedStats,
    /// Interfaces whose last start failed, with the error, so it is logged once.
    failing: HashMap<String, String>,
}

impl Agent {
    /// Opens the transmit sockets; captures start with the first [`Agent::reconcile`].
    pub fn new(cfg: AgentConfig, sessions: SessionSet) -> Result<Agent, AgentError> {
        let pool = TxPool::new(&cfg.tx)?;
        let filter = bpf::exclude_own_output(pool.dst_port(), pool.ports());
        Ok(Agent {
            cfg,
            pool: Arc::new(pool),
            filter,
            sessions,
            captured: BTreeMap::new(),
            stats: SharedStats::default(),
            failing: HashMap::new(),
        })
    }

    /// The shared counters (for `/metrics`).
    pub fn stats(&self) -> SharedStats {
        self.stats.clone()
    }

    /// The outer UDP source ports copies leave from.
    pub fn source_ports(&self) -> &[u16] {
        self.pool.ports()
    }

    /// Replaces the session set; takes effect at once through [`Agent::reconcile`].
    /// Interfaces whose sessions did not change keep their ring untouched.
    pub fn set_sessions(&mut self, sessions: SessionSet) -> Vec<AgentError> {
        self.sessions = sessions;
        self.stats.lock().reloads += 1;
        self.reconcile()
    }

    /// Names of the interfaces being captured.
    pub fn captured(&self) -> Vec<String> {
        self.captured.keys().cloned().collect()
    }

    /// The sessions of interface `name`, if it is a source with at least one enabled session.
    fn wanted(&self, link: &Link) -> Option<SessionSet> {
        let src = self.cfg.sources.iter().find(|s| s.matches(&link.name))?;
        let mut set = self.sessions.clone();
        set.retain_source(&src.eni_of(&link.name));
        set.sessions.iter().any(|s| s.enabled).then_some(set)
    }

    /// MTU to cut against for `set`: the configured one, else the smallest route MTU to any
    /// of its targets (1500 when no route can be asked).
    fn mtu_for(&self, set: &SessionSet) -> usize {
        if let Some(m) = self.cfg.mtu {
            return m;
        }
        let mut mtu: Option<usize> = None;
        for s in set.sessions.iter().filter(|s| s.enabled) {
            for a in set.targets.get(&s.target_id).into_iter().flatten() {
                if let IpAddr::V4(v4) = a {
                    match self.pool.path_mtu(*v4) {
                        Ok(m) => mtu = Some(mtu.map_or(m as usize, |x| x.min(m as usize))),
                        Err(e) => tracing::warn!(target_addr = %v4, "no route MTU to target: {e}"),
                    }
                }
            }
        }
        mtu.unwrap_or(1500)
    }

    fn build_mirror(&self, name: &str, set: &SessionSet, mtu: usize) -> Result<Arc<Mirror>, AgentError> {
        let config = MirrorConfig {
            // A UDP socket sender: the kernel writes the outer headers, these are unused.
            outer: OuterV4 { src_mac: [0; 6], dst_mac: [0; 6], src_ip: Ipv4Addr::UNSPECIFIED.octets() },
            mtu,
        };
        Mirror::new(set, config)
            .map(Arc::new)
            .map_err(|e| AgentError::Mirror { iface: name.to_string(), msg: e.to_string() })
    }

    fn start(&mut self, link: &Link, set: SessionSet) -> Result<(), AgentError> {
        let mtu = self.mtu_for(&set);
        let mirror = self.build_mirror(&link.name, &set, mtu)?;
        let ring = Ring::open(link.ifindex, &self.cfg.ring, &self.filter)
            .map_err(|source| AgentError::Capture { iface: link.name.clone(), source })?;
        let worker = Worker::spawn(WorkerSetup {
            iface: link.name.clone(),
            link_mtu: link.mtu,
            ring,
            mirror,
            pool: self.pool.clone(),
            stats: self.stats.clone(),
        })
        .map_err(AgentError::Thread)?;
        {
            let mut st = self.stats.lock();
            let i = st.interfaces.entry(link.name.clone()).or_default();
            i.capturing = true;
            i.ifindex = link.ifindex;
            i.eni = self
                .cfg
                .sources
                .iter()
                .find(|s| s.matches(&link.name))
                .map(|s| s.eni_of(&link.name))
                .unwrap_or_default();
            i.starts += 1;
        }
        self.captured.insert(link.name.clone(), Captured { ifindex: link.ifindex, set, worker });
        Ok(())
    }

    fn release(&mut self, name: &str) {
        if let Some(c) = self.captured.remove(name) {
            c.worker.stop();
            if let Some(i) = self.stats.lock().interfaces.get_mut(name) {
                i.capturing = false;
            }
            tracing::info!(iface = name, "capture released");
        }
    }

    /// Brings the workers in line with the interfaces present and the sessions: starts
    /// captures on new source interfaces, hands changed session sets to running workers,
    /// releases interfaces that vanished (or were recreated) or lost all their sessions.
    /// Returns the errors of interfaces that could not be started (retried next time).
    pub fn reconcile(&mut self) -> Vec<AgentError> {
        let links = match discovery::scan(&self.cfg.sysfs_net) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("interface scan failed: {e}");
                return Vec::new();
            }
        };
        let mut want: BTreeMap<String, (Link, SessionSet)> = BTreeMap::new();
        for l in links {
            if let Some(set) = self.wanted(&l) {
                want.insert(l.name.clone(), (l, set));
            }
        }
        // Release what is gone, recreated, no longer wanted, or whose worker died.
        let stale: Vec<String> = self
            .captured
            .iter()
            .filter(|(n, c)| c.worker.finished() || want.get(*n).is_none_or(|(l, _)| l.ifindex != c.ifindex))
            .map(|(n, _)| n.clone())
            .collect();
        for n in stale {
            self.release(&n);
        }
        let mut errors = Vec::new();
        for (name, (link, set)) in want {
            if let Some(c) = self.captured.get(&name) {
                if c.set == set {
                    continue;
                }
                let mtu = self.mtu_for(&set);
                match self.build_mirror(&name, &set, mtu) {
                    Ok(m) => {
                        if let Some(c) = self.captured.get_mut(&name) {
                            c.worker.set_mirror(m);
                            c.set = set;
                        }
                    }
                    Err(e) => errors.push(e),
                }
                continue;
            }
            match self.start(&link, set) {
                Ok(()) => {
                    self.failing.remove(&name);
                    tracing::info!(iface = %name, ifindex = link.ifindex, "capturing");
                }
                Err(e) => {
                    let msg = e.to_string();
                    if self.failing.insert(name.clone(), msg.clone()).as_ref() != Some(&msg) {
                        tracing::warn!("{msg}");
                    }
                    errors.push(e);
                }
            }
        }
        errors
    }

    /// Stops every worker (their last counts are merged) and closes every socket.
    pub fn shutdown(mut self) {
        let names: Vec<String> = self.captured.keys().cloned().collect();
        for n in names {
            self.release(&n);
        }
    }
}
