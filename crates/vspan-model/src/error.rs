//! The one transport-neutral error enum. Each variant stands for one situation a vendor
//! documents; the dialects map variants 1:1 to their codes and statuses.

use std::fmt;

/// A request field, named neutrally. Each dialect renders it with its own spelling
/// (`Priority` / `priority`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RegionId,
    ClientToken,
    SessionId,
    SessionName,
    SessionDescription,
    SourceIds,
    TargetId,
    TargetType,
    FilterId,
    FilterName,
    FilterDescription,
    Priority,
    VirtualNetworkId,
    PacketLength,
    Enabled,
    ResourceGroupId,
    NewResourceGroupId,
    RuleId,
    RuleIds,
    IngressRules,
    EgressRules,
    RuleAction,
    RulePriority,
    RuleDescription,
    Protocol,
    IpVersion,
    SourceCidrBlock,
    DestinationCidrBlock,
    SourcePortRange,
    DestinationPortRange,
    Direction,
    TagKey,
    TagValue,
    Tags,
    ResourceType,
    ResourceIds,
    MaxResults,
    NextToken,
    SessionIds,
    FilterIds,
    Type,
}

/// The kinds of resource an error can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Session,
    Filter,
    Rule,
    NetworkInterface,
    EcsInstance,
    LoadBalancer,
}

/// Quotas whose excess a vendor reports with its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaKind {
    SourcesPerSession,
    SessionsPerEni,
    SourcesPerTarget,
    RulesPerDirection,
    TagsPerResource,
}

/// Why opening the service (an order-style call) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderRefusal {
    NoRealNameAuthentication,
    BasicInfoUncompleted,
    InnerGroupUser,
    QuotaNotEnough,
    ExceedPurchaseLimit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("{0:?} is mandatory for this action")]
    Missing(Field),
    #[error("the value of {field:?} is invalid: {reason}")]
    Invalid { field: Field, reason: String },
    #[error("request validation has been passed with the DryRun flag set")]
    DryRun,
    #[error("the client token was used by an earlier request with other parameters")]
    IdempotentParameterMismatch,
    #[error("the traffic mirror service is not opened for this account")]
    OptInRequired,
    #[error("the traffic mirror service is already opened")]
    ServiceAlreadyOpened,
    #[error("the business status of traffic mirror is incorrect")]
    IncorrectBusinessStatus,
    #[error("opening the service was refused: {0:?}")]
    Order(OrderRefusal),
    #[error("the caller is not authorized to perform {action}")]
    Forbidden { action: String },
    #[error("the specified {kind:?} {id} is not found")]
    NotFound { kind: Kind, id: String },
    #[error("the status of the {0:?} is incorrect")]
    IncorrectStatus(Kind),
    #[error("the source ids contain duplicate values")]
    DuplicatedSourceIds,
    #[error("the priority {0} is already in use")]
    DuplicatedPriority(u32),
    #[error("source {0} is already associated with the session")]
    AlreadyAssociated(String),
    #[error("source {0} is not associated with the session")]
    NotAssociated(String),
    #[error("network interface {0} is not attached to any instance")]
    FreeNetworkInterface(String),
    #[error("the instance of network interface {0} does not support traffic mirroring")]
    EcsNotSupportTrafficMirror(String),
    #[error("network interface {0} cannot be a source and a target at the same time")]
    DuplicateRole(String),
    #[error("network interface {0} is a bonding interface without slaves")]
    BondingWithoutSlave(String),
    #[error("quota exceeded: {0:?}")]
    QuotaExceeded(QuotaKind),
    #[error("the filter is still used by session {0}")]
    FilterInUse(String),
}

pub type Result<T> = std::result::Result<T, ModelError>;

impl ModelError {
    pub fn invalid(field: Field, reason: impl fmt::Display) -> Self {
        ModelError::Invalid { field, reason: reason.to_string() }
    }

    pub fn not_found(kind: Kind, id: impl Into<String>) -> Self {
        ModelError::NotFound { kind, id: id.into() }
    }
}
