//! Traffic mirror sessions: which sources are mirrored, through which filter, to which target,
//! with which VNI, packet length and priority; and the checks on adding and removing sources.

use crate::error::{Field, Kind, ModelError, QuotaKind, Result};
use crate::inventory::{Eni, Instance, LoadBalancer};
use crate::policy::{Policy, VNI_MAX};
use crate::quota::Quotas;
use crate::status::Status;
use crate::tag::{self, Tag};
use crate::validate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetType {
    NetworkInterface,
    Slb,
}

impl TargetType {
    pub fn as_alibaba(self) -> &'static str {
        match self {
            TargetType::NetworkInterface => "NetworkInterface",
            TargetType::Slb => "SLB",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub filter_id: String,
    /// In the order the caller gave them: Terraform treats a reordering as a change.
    pub sources: Vec<String>,
    pub target_id: String,
    pub target_type: TargetType,
    pub vni: u32,
    pub packet_length: u32,
    pub priority: u32,
    pub enabled: bool,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    pub status: Status,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The global revision of the last change.
    pub revision: i64,
    /// When the pending change settles if no agent is concerned; `None` when settled.
    pub settle_at_ms: Option<i64>,
}

/// A session as a caller asks for it, before validation. Numbers stay wide so a range error,
/// not an overflow, reports an out-of-range value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionSpec {
    pub name: Option<String>,
    pub description: Option<String>,
    pub filter_id: String,
    pub sources: Vec<String>,
    pub target_id: String,
    pub target_type: Option<TargetType>,
    pub priority: i64,
    pub vni: Option<i64>,
    pub packet_length: Option<i64>,
    pub enabled: Option<bool>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
}

/// A change of session attributes; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub filter_id: Option<String>,
    pub target_id: Option<String>,
    pub target_type: Option<TargetType>,
    pub priority: Option<i64>,
    pub vni: Option<i64>,
    pub packet_length: Option<i64>,
    pub enabled: Option<bool>,
}

/// The validated numbers of a spec or patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbers {
    pub priority: Option<u32>,
    pub vni: Option<u32>,
    pub packet_length: Option<u32>,
}

fn numbers(priority: Option<i64>, vni: Option<i64>, packet_length: Option<i64>, policy: &Policy) -> Result<Numbers> {
    Ok(Numbers {
        priority: priority.map(|p| validate::range(Field::Priority, p, policy.session_priority)).transpose()?,
        vni: vni.map(|v| validate::range(Field::VirtualNetworkId, v, (0, VNI_MAX))).transpose()?,
        packet_length: packet_length
            .map(|l| validate::range(Field::PacketLength, l, policy.packet_length))
            .transpose()?,
    })
}

fn texts(name: Option<&str>, description: Option<&str>, policy: &Policy) -> Result<()> {
    if let Some(n) = name {
        validate::name(Field::SessionName, n, policy)?;
    }
    if let Some(d) = description {
        validate::description(Field::SessionDescription, d, policy)?;
    }
    Ok(())
}

/// Source id lists: no value twice, none empty.
pub fn check_source_list(ids: &[String]) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(ModelError::Missing(Field::SourceIds));
        }
        if ids[..i].contains(id) {
            return Err(ModelError::DuplicatedSourceIds);
        }
    }
    Ok(())
}

impl SessionSpec {
    /// The checks that need no stored state, in the order a caller would fix them.
    pub fn validate(&self, policy: &Policy, quotas: &Quotas) -> Result<Numbers> {
        if self.sources.is_empty() {
            return Err(ModelError::invalid(Field::SourceIds, "a session needs at least one source"));
        }
        check_source_list(&self.sources)?;
        if self.target_type.is_none() {
            return Err(ModelError::Missing(Field::TargetType));
        }
        texts(self.name.as_deref(), self.description.as_deref(), policy)?;
        let n = numbers(Some(self.priority), self.vni, self.packet_length, policy)?;
        tag::validate_new(&self.tags, quotas.tags_per_resource)?;
        if self.sources.len() > quotas.sources_per_session {
            return Err(ModelError::QuotaExceeded(QuotaKind::SourcesPerSession));
        }
        Ok(n)
    }
}

impl SessionPatch {
    pub fn validate(&self, policy: &Policy) -> Result<Numbers> {
        texts(self.name.as_deref(), self.description.as_deref(), policy)?;
        numbers(self.priority, self.vni, self.packet_length, policy)
    }

    /// Applies the already-validated patch.
    pub fn apply(&self, n: &Numbers, s: &mut Session) {
        if let Some(v) = &self.name {
            s.name = Some(v.clone());
        }
        if let Some(v) = &self.description {
            s.description = Some(v.clone());
        }
        if let Some(v) = &self.filter_id {
            s.filter_id = v.clone();
        }
        if let Some(v) = &self.target_id {
            s.target_id = v.clone();
        }
        if let Some(v) = self.target_type {
            s.target_type = v;
        }
        if let Some(v) = n.priority {
            s.priority = v;
        }
        if let Some(v) = n.vni {
            s.vni = v;
        }
        if let Some(v) = n.packet_length {
            s.packet_length = v;
        }
        if let Some(v) = self.enabled {
            s.enabled = v;
        }
    }
}

/// What the control plane knows about one ENI offered as a source.
#[derive(Debug, Clone, Default)]
pub struct SourceFacts {
    pub eni: Option<Eni>,
    pub instance: Option<Instance>,
    /// Sessions, other than the one being changed, that hold this ENI as a source.
    pub other_sessions: usize,
    /// Whether the ENI is the target of any session.
    pub is_target: bool,
}

/// Checks one ENI as a new source, in the order the vendor reports the problems.
pub fn check_source(id: &str, f: &SourceFacts, quotas: &Quotas) -> Result<()> {
    let eni = f.eni.as_ref().ok_or_else(|| ModelError::not_found(Kind::NetworkInterface, id))?;
    let Some(instance_id) = &eni.instance_id else {
        return Err(ModelError::FreeNetworkInterface(id.to_owned()));
    };
    match &f.instance {
        Some(i) if i.released => return Err(ModelError::not_found(Kind::EcsInstance, instance_id.clone())),
        Some(i) if !i.supports_traffic_mirror => return Err(ModelError::EcsNotSupportTrafficMirror(id.to_owned())),
        _ => {}
    }
    if eni.bond_slaves.as_ref().is_some_and(Vec::is_empty) {
        return Err(ModelError::BondingWithoutSlave(id.to_owned()));
    }
    if f.is_target {
        return Err(ModelError::DuplicateRole(id.to_owned()));
    }
    if f.other_sessions + 1 > quotas.sessions_per_eni {
        return Err(ModelError::QuotaExceeded(QuotaKind::SessionsPerEni));
    }
    Ok(())
}

/// What the control plane knows about a session's target.
#[derive(Debug, Clone, Default)]
pub struct TargetFacts {
    pub eni: Option<Eni>,
    pub load_balancer: Option<LoadBalancer>,
    /// Whether the target ENI is a source of any session.
    pub is_source: bool,
    /// Sources feeding this target through sessions other than the one being changed.
    pub other_sources: usize,
}

/// Checks a target: it exists, is not a source anywhere, and the number of sources feeding it
/// (`own_sources` from the session being created or changed) stays within the quota.
pub fn check_target(id: &str, kind: TargetType, f: &TargetFacts, own_sources: usize, quotas: &Quotas) -> Result<()> {
    match kind {
        TargetType::NetworkInterface => {
            if f.eni.is_none() {
                return Err(ModelError::not_found(Kind::NetworkInterface, id));
            }
            if f.is_source {
                return Err(ModelError::DuplicateRole(id.to_owned()));
            }
        }
        TargetType::Slb => {
            if f.load_balancer.is_none() {
                return Err(ModelError::not_found(Kind::LoadBalancer, id));
            }
        }
    }
    if f.other_sources + own_sources > quotas.sources_per_target {
        return Err(ModelError::QuotaExceeded(QuotaKind::SourcesPerTarget));
    }
    Ok(())
}

/// A source being added must not be the session's own target.
pub fn check_not_own_target(session: &Session, id: &str) -> Result<()> {
    if session.target_type == TargetType::NetworkInterface && session.target_id == id {
        return Err(ModelError::DuplicateRole(id.to_owned()));
    }
    Ok(())
}

/// Sources to add: none already in the session, the total within the quota.
pub fn check_add(session: &Session, ids: &[String], quotas: &Quotas) -> Result<()> {
    check_source_list(ids)?;
    if let Some(id) = ids.iter().find(|id| session.sources.contains(id)) {
        return Err(ModelError::AlreadyAssociated(id.clone()));
    }
    if session.sources.len() + ids.len() > quotas.sources_per_session {
        return Err(ModelError::QuotaExceeded(QuotaKind::SourcesPerSession));
    }
    Ok(())
}

/// Sources to remove: each must be in the session (after the ENI itself is known to exist).
pub fn check_remove(session: &Session, id: &str) -> Result<()> {
    if !session.sources.iter().any(|s| s == id) {
        return Err(ModelError::NotAssociated(id.to_owned()));
    }
    Ok(())
}

/// A session priority must be unique in the account and region: `holders` are the (live)
/// sessions that have it.
pub fn check_priority_free(holders: &[Session], own_id: Option<&str>, priority: u32) -> Result<()> {
    if holders.iter().any(|s| Some(s.id.as_str()) != own_id) {
        return Err(ModelError::DuplicatedPriority(priority));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eni(id: &str, instance: Option<&str>) -> Eni {
        Eni {
            id: id.into(),
            account: "a".into(),
            region: "r".into(),
            instance_id: instance.map(Into::into),
            ip: "10.0.0.1".into(),
            mac: "02:00:00:00:00:01".into(),
            bond_slaves: None,
        }
    }

    fn session(sources: &[&str]) -> Session {
        Session {
            id: "tms-1".into(),
            name: None,
            description: None,
            filter_id: "tmf-1".into(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
            target_id: "eni-t".into(),
            target_type: TargetType::NetworkInterface,
            vni: 1,
            packet_length: 1500,
            priority: 1,
            enabled: false,
            resource_group_id: None,
            tags: vec![],
            status: Status::Created,
            created_ms: 0,
            updated_ms: 0,
            revision: 0,
            settle_at_ms: None,
        }
    }

    #[test]
    fn source_checks_in_order() {
        let q = Quotas::default();
        let mut f = SourceFacts::default();
        assert!(matches!(
            check_source("eni-x", &f, &q),
            Err(ModelError::NotFound { kind: Kind::NetworkInterface, .. })
        ));
        f.eni = Some(eni("eni-x", None));
        assert_eq!(check_source("eni-x", &f, &q), Err(ModelError::FreeNetworkInterface("eni-x".into())));
        f.eni = Some(eni("eni-x", Some("i-1")));
        f.is_target = true;
        assert_eq!(check_source("eni-x", &f, &q), Err(ModelError::DuplicateRole("eni-x".into())));
        f.is_target = false;
        f.other_sessions = 3;
        assert_eq!(check_source("eni-x", &f, &q), Err(ModelError::QuotaExceeded(QuotaKind::SessionsPerEni)));
        f.other_sessions = 2;
        assert_eq!(check_source("eni-x", &f, &q), Ok(()));
    }

    #[test]
    fn add_and_remove() {
        let q = Quotas { sources_per_session: 2, ..Quotas::default() };
        let s = session(&["eni-a"]);
        assert_eq!(check_add(&s, &["eni-a".into()], &q), Err(ModelError::AlreadyAssociated("eni-a".into())));
        assert_eq!(check_add(&s, &["eni-b".into(), "eni-b".into()], &q), Err(ModelError::DuplicatedSourceIds));
        assert_eq!(
            check_add(&s, &["eni-b".into(), "eni-c".into()], &q),
            Err(ModelError::QuotaExceeded(QuotaKind::SourcesPerSession))
        );
        assert_eq!(check_add(&s, &["eni-b".into()], &q), Ok(()));
        assert_eq!(check_remove(&s, "eni-b"), Err(ModelError::NotAssociated("eni-b".into())));
        assert_eq!(check_remove(&s, "eni-a"), Ok(()));
    }

    #[test]
    fn spec_ranges_follow_policy() {
        let q = Quotas::default();
        let mut spec = SessionSpec {
            filter_id: "tmf-1".into(),
            sources: vec!["eni-a".into()],
            target_id: "eni-t".into(),
            target_type: Some(TargetType::NetworkInterface),
            priority: 1,
            packet_length: Some(1500),
            ..Default::default()
        };
        assert!(spec.validate(&Policy::ALIBABA, &q).is_ok());
        assert!(spec.validate(&Policy::HUAWEI, &q).is_err());
        spec.packet_length = Some(96);
        assert!(spec.validate(&Policy::ALIBABA, &q).is_ok());
        assert!(spec.validate(&Policy::HUAWEI, &q).is_ok());
        spec.priority = 32767;
        assert!(spec.validate(&Policy::ALIBABA, &q).is_err());
    }
}
