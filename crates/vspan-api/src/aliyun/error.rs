//! The Alibaba dialect's errors: every failure a request can meet, mapped to the vendor's code,
//! message and HTTP status, and rendered as the documented JSON envelope. This is the one place
//! that knows Alibaba's codes.

use axum::http::StatusCode;
use vspan_control::ControlError;
use vspan_model::{Field, Kind, ModelError, OrderRefusal, QuotaKind};

#[derive(Debug)]
pub enum AliError {
    Model(ModelError),
    /// A required parameter is absent or empty (the wire name).
    Missing(String),
    /// A parameter's value is malformed (the wire name, why).
    Invalid(String, String),
    IncompleteSignature(String),
    AccessKeyNotFound,
    SignatureMismatch {
        string_to_sign: String,
    },
    TimestampFormat,
    TimestampExpired,
    NonceUsed,
    UnknownAction(String),
    InvalidVersion,
    ForbiddenRam(String),
    Internal(String),
}

impl AliError {
    pub fn invalid(name: &str, why: impl Into<String>) -> Self {
        AliError::Invalid(name.to_owned(), why.into())
    }
}

impl From<ModelError> for AliError {
    fn from(e: ModelError) -> Self {
        AliError::Model(e)
    }
}

impl From<ControlError> for AliError {
    fn from(e: ControlError) -> Self {
        match e {
            ControlError::Model(m) => AliError::Model(m),
            ControlError::Store(s) => AliError::Internal(s.to_string()),
        }
    }
}

/// The Alibaba spelling of a model field.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::RegionId => "RegionId",
        Field::ClientToken => "ClientToken",
        Field::SessionId => "TrafficMirrorSessionId",
        Field::SessionName => "TrafficMirrorSessionName",
        Field::SessionDescription => "TrafficMirrorSessionDescription",
        Field::SourceIds => "TrafficMirrorSourceIds",
        Field::TargetId => "TrafficMirrorTargetId",
        Field::TargetType => "TrafficMirrorTargetType",
        Field::FilterId => "TrafficMirrorFilterId",
        Field::FilterName => "TrafficMirrorFilterName",
        Field::FilterDescription => "TrafficMirrorFilterDescription",
        Field::Priority | Field::RulePriority => "Priority",
        Field::VirtualNetworkId => "VirtualNetworkId",
        Field::PacketLength => "PacketLength",
        Field::Enabled => "Enabled",
        Field::ResourceGroupId => "ResourceGroupId",
        Field::NewResourceGroupId => "NewResourceGroupId",
        Field::RuleId => "TrafficMirrorFilterRuleId",
        Field::RuleIds => "TrafficMirrorFilterRuleIds",
        Field::IngressRules => "IngressRules",
        Field::EgressRules => "EgressRules",
        Field::RuleAction => "RuleAction",
        Field::RuleDescription => "Description",
        Field::Protocol => "Protocol",
        Field::IpVersion => "IpVersion",
        Field::SourceCidrBlock => "SourceCidrBlock",
        Field::DestinationCidrBlock => "DestinationCidrBlock",
        Field::SourcePortRange => "SourcePortRange",
        Field::DestinationPortRange => "DestinationPortRange",
        Field::Direction => "TrafficDirection",
        Field::TagKey => "Tag.Key",
        Field::TagValue => "Tag.Value",
        Field::Tags => "Tag",
        Field::ResourceType => "ResourceType",
        Field::ResourceIds => "ResourceId",
        Field::MaxResults => "MaxResults",
        Field::NextToken => "NextToken",
        Field::SessionIds => "TrafficMirrorSessionIds",
        Field::FilterIds => "TrafficMirrorFilterIds",
        Field::Type => "Type",
    }
}

fn resource(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Session => ("TrafficMirrorSession", "traffic mirror session"),
        Kind::Filter => ("TrafficMirrorFilter", "traffic mirror filter"),
        Kind::Rule => ("TrafficMirrorRule", "traffic mirror filter rule"),
        Kind::NetworkInterface => ("NetworkInterface", "network interface"),
        Kind::EcsInstance => ("EcsInstance", "ECS instance"),
        Kind::LoadBalancer => ("LoadBalancer", "load balancer"),
    }
}

/// (HTTP status, code, message) for a failure.
pub fn describe(e: &AliError) -> (StatusCode, String, String) {
    let bad = StatusCode::BAD_REQUEST;
    let s = |c: &str, m: &str| (bad, c.to_owned(), m.to_owned());
    match e {
        AliError::Missing(name) => (bad, format!("Missing{name}"), format!("{name} is mandatory for this action.")),
        AliError::Invalid(name, why) => {
            (bad, format!("InvalidParam.{name}"), format!("The specified parameter \"{name}\" is not valid: {why}."))
        }
        AliError::IncompleteSignature(why) => {
            s("IncompleteSignature", &format!("The request signature does not conform to Aliyun standards: {why}"))
        }
        AliError::AccessKeyNotFound => {
            (StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound".into(), "Specified access key is not found.".into())
        }
        AliError::SignatureMismatch { string_to_sign } => (
            bad,
            "SignatureDoesNotMatch".into(),
            // The legacy SDK splits this message on ':' and compares the second part.
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        ),
        AliError::TimestampFormat => {
            s("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        }
        AliError::TimestampExpired => s("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
        AliError::NonceUsed => s("SignatureNonceUsed", "Specified signature nonce was used already."),
        AliError::UnknownAction(a) => (
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound".into(),
            format!("Specified api is not found, please check your url and method: {a}"),
        ),
        AliError::InvalidVersion => s("InvalidVersion", "Specified parameter Version is not valid."),
        AliError::ForbiddenRam(a) => {
            s("Forbidden.RAM", &format!("User not authorized to operate on the specified resource: vpc:{a}"))
        }
        AliError::Internal(why) => {
            tracing::error!(error = %why, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError".into(),
                "The request processing has failed due to some unknown error.".into(),
            )
        }
        AliError::Model(m) => model(m),
    }
}

fn model(e: &ModelError) -> (StatusCode, String, String) {
    let bad = StatusCode::BAD_REQUEST;
    let s = |c: &str, m: &str| (bad, c.to_owned(), m.to_owned());
    match e {
        ModelError::Missing(f) => describe(&AliError::Missing(field_name(*f).to_owned())),
        ModelError::Invalid { field, reason } => {
            describe(&AliError::Invalid(field_name(*field).to_owned(), reason.clone()))
        }
        ModelError::DryRun => s("DryRunOperation", "Request validation has been passed with DryRun flag set."),
        ModelError::IdempotentParameterMismatch => s(
            "IdempotentParameterMismatch",
            "The request uses the same client token as a previous, but non-identical request.",
        ),
        ModelError::OptInRequired => {
            s("OptInRequired.TrafficMirror", "You need to subscribe to the traffic mirror service first.")
        }
        ModelError::ServiceAlreadyOpened => s("ORDER.OPEND", "The traffic mirror service has been opened."),
        ModelError::IncorrectBusinessStatus => {
            s("IncorrectBusinessStatus.TrafficMirror", "The business status of traffic mirror is incorrect.")
        }
        ModelError::Order(r) => match r {
            OrderRefusal::NoRealNameAuthentication => {
                s("Order.NoRealNameAuthentication", "Real-name verification has not been completed for the account.")
            }
            OrderRefusal::BasicInfoUncompleted => s(
                "OperationFailed.BasicInfoUncompleted",
                "You have not completed your basic personal information, please complete the information and try again.",
            ),
            OrderRefusal::InnerGroupUser => s(
                "OperationFailed.AliGroupUserCanNotBuyInnerCommodity",
                "Vpc_flowlog_public has no group cloud product label, and users within the group are not allowed to purchase.",
            ),
            OrderRefusal::QuotaNotEnough => s(
                "OperationFailed.QuotaNotEnough",
                "Your quota is insufficient. Please contact your channel partner to increase your quota",
            ),
            OrderRefusal::ExceedPurchaseLimit => {
                s("OperationFailed.ExceedPurchaseLimit", "You have reached the limit of purchase quantity.")
            }
        },
        ModelError::Forbidden { action } => describe(&AliError::ForbiddenRam(action.clone())),
        ModelError::NotFound { kind, id } => {
            let (code, what) = resource(*kind);
            (bad, format!("ResourceNotFound.{code}"), format!("The specified resource of {what} is not found: {id}"))
        }
        ModelError::IncorrectStatus(kind) => {
            let (code, what) = resource(*kind);
            (bad, format!("IncorrectStatus.{code}"), format!("The status of {what} is incorrect."))
        }
        ModelError::DuplicatedSourceIds => {
            s("DuplicatedParam.SourceInstanceIds", "The parameter of source instance IDs contains duplicate values.")
        }
        ModelError::DuplicatedPriority(p) => {
            (bad, "DuplicatedParam.Priority".into(), format!("The priority {p} is already used."))
        }
        ModelError::AlreadyAssociated(id) => (
            bad,
            "ResourceAlreadyAssociated.TrafficMirrorSource".into(),
            format!("The specified traffic mirror source and session are already associated: {id}"),
        ),
        ModelError::NotAssociated(id) => (
            bad,
            "ResourceNotAssociated.TrafficMirrorSource".into(),
            format!("The specified traffic mirror source and session are not associated: {id}"),
        ),
        ModelError::FreeNetworkInterface(id) => (
            bad,
            "OperationDenied.FreeNetworkInterface".into(),
            format!("The network interface is not attached to any ECS instance: {id}"),
        ),
        ModelError::EcsNotSupportTrafficMirror(_) => {
            s("OperationDenied.EcsNotSupportTrafficMirror", "The ECS instance does not support traffic mirroring.")
        }
        ModelError::DuplicateRole(id) => (
            bad,
            "OperationDenied.DuplicateRole".into(),
            format!(
                "The network interface must not be the source and the target of traffic mirror sessions at the same time: {id}"
            ),
        ),
        ModelError::BondingWithoutSlave(_) => s(
            "OperationUnsupported.BondingNetworkInterface",
            "The specified traffic mirror source is bonding eni without slave.",
        ),
        ModelError::QuotaExceeded(q) => match q {
            QuotaKind::SourcesPerSession => s(
                "QuotaExceeded.SourceNumPerSession",
                "The quota of the number of traffic mirror sources per session is exceeded.",
            ),
            QuotaKind::SessionsPerEni => s(
                "QuotaExceeded.NetworkInterfaceRelatedSession",
                "The quota of the number of traffic mirror sessions related to one network interface is exceeded.",
            ),
            QuotaKind::SourcesPerTarget => s(
                "QuotaExceeded.SourceNumPerTarget",
                "The maximum number of traffic mirror sources for a target is exceeded.",
            ),
            QuotaKind::RulesPerDirection => {
                s("QuotaExceeded.TrafficMirrorRule", "The quota of the number of rules per direction is exceeded.")
            }
            QuotaKind::TagsPerResource => s("QuotaExceeded.TagNum", "The quota of the number of tags is exceeded."),
        },
        ModelError::FilterInUse(id) => (
            bad,
            "DependencyViolation.TrafficMirrorSession".into(),
            format!("The traffic mirror filter is still used by traffic mirror session {id}."),
        ),
    }
}
