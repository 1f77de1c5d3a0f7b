//! vspan's data plane as pure functions over bytes.
//!
//! What an ENI carries is parsed into a [`FlowKey`] ([`parse`]); a session set for one ENI is
//! loaded from the sessions file ([`sessions`]) and compiled into a [`Classifier`]
//! ([`classify`]); a [`Mirror`] ([`mirror`]) runs classify + truncate + VXLAN encapsulation
//! ([`vxlan`]) into a caller-provided buffer, without allocating or locking per packet.
//! [`pcap`] reads pcap/pcapng and writes pcap, so the offline `vspan replay` and the live agent
//! run the same code and differ only in where packets come from and go to.
//!
//! No sockets and no async live here: the binary crate owns those.

pub mod checksum;
pub mod classify;
pub mod flowhash;
pub mod mirror;
pub mod parse;
pub mod pcap;
pub mod sessions;
#[doc(hidden)]
pub mod testing;
pub mod vxlan;

pub use classify::{Classifier, Verdict};
pub use mirror::{Counters, Mirror, MirrorConfig, Outcome, SessionCounters};
pub use parse::{Direction, Family, FlowKey};
pub use sessions::SessionSet;
