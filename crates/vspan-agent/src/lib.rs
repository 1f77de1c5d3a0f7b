//! vspan's host agent: live mirroring of Linux interfaces.
//!
//! Each source interface gets an AF_PACKET TPACKET_V3 ring ([`capture`], the crate's only
//! `unsafe` code) read by a worker thread of its own ([`worker`]). Every frame goes through
//! the same data plane as `vspan replay` (`vspan_dataplane::Mirror`); copies are sent as
//! VXLAN payloads through a pool of UDP sockets with `sendmmsg` ([`transmit`]), so the
//! kernel routes them and builds their outer headers. A kernel filter ([`bpf`]) keeps the
//! agent's own output out of its capture. [`discovery`] finds interfaces in sysfs,
//! [`agent`] keeps workers in step with interfaces and sessions, [`stats`] and [`metrics`]
//! count and expose everything.

pub mod agent;
pub mod bpf;
pub mod capture;
pub mod discovery;
pub mod metrics;
pub mod stats;
pub mod transmit;
pub mod worker;

pub use agent::{Agent, AgentConfig, AgentError};
pub use capture::RingConfig;
pub use discovery::Source;
pub use stats::{SharedStats, Stats};
pub use transmit::TxConfig;
