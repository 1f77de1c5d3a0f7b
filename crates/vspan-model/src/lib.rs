//! The vspan resource model: accounts, ENIs, filters and their rules, sessions; the validation
//! of every field; the asynchronous state machine; quotas; and the one error enum that both API
//! dialects translate into their own codes.
//!
//! Business rules live here once. A dialect parses its wire format into the spec types of this
//! crate and maps [`ModelError`] to its own codes; it decides nothing itself. Where the two
//! vendors document different limits, [`Policy`] holds one value per dialect.
//!
//! No I/O and no async: the control plane gathers the facts (stored resources, counts) and hands
//! them to the checks here.

pub mod error;
pub mod filter;
pub mod ids;
pub mod inventory;
pub mod policy;
pub mod quota;
pub mod session;
pub mod status;
pub mod tag;
pub mod validate;

pub use error::{Field, Kind, ModelError, OrderRefusal, QuotaKind};
pub use filter::{Direction, Filter, FilterRule, IpVersion, PortRange, Protocol, RuleAction, RuleSpec};
pub use inventory::{Account, BusinessStatus, Eni, Instance, LoadBalancer, OrderProfile};
pub use policy::{IdStyle, Policy};
pub use quota::Quotas;
pub use session::{Session, SessionSpec, TargetType};
pub use status::Status;
pub use tag::Tag;

/// Where a resource lives: one account in one region. Tenancy is absolute: every lookup is
/// scoped, so another account's id answers exactly like an unknown one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Scope { account: account.into(), region: region.into() }
    }
}
