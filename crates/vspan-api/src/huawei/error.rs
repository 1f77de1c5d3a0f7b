//! The Huawei dialect's errors: `{error_code, error_msg, request_id}` with the HTTP status, and
//! the request id again in `X-Request-Id` (where the SDK reads it). The codes are documented
//! in docs/huawei.md; this is the one place that knows them.

use axum::http::StatusCode;
use vspan_control::ControlError;
use vspan_model::{Field, Kind, ModelError, QuotaKind};

#[derive(Debug)]
pub enum HwError {
    Model(ModelError),
    /// The body is not JSON, or lacks its wrapper object.
    Body(String),
    Missing(String),
    Invalid(String, String),
    Auth(String),
    Project(String),
    NoRoute,
    Internal(String),
}

impl HwError {
    pub fn invalid(name: &str, why: impl Into<String>) -> Self {
        HwError::Invalid(name.to_owned(), why.into())
    }
}

impl From<ModelError> for HwError {
    fn from(e: ModelError) -> Self {
        HwError::Model(e)
    }
}

impl From<ControlError> for HwError {
    fn from(e: ControlError) -> Self {
        match e {
            ControlError::Model(m) => HwError::Model(m),
            ControlError::Store(s) => HwError::Internal(s.to_string()),
        }
    }
}

/// The Huawei spelling of a model field.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::SessionName | Field::FilterName => "name",
        Field::SessionDescription | Field::FilterDescription | Field::RuleDescription => "description",
        Field::SourceIds => "traffic_mirror_sources",
        Field::TargetId => "traffic_mirror_target_id",
        Field::TargetType => "traffic_mirror_target_type",
        Field::FilterId => "traffic_mirror_filter_id",
        Field::Priority | Field::RulePriority => "priority",
        Field::VirtualNetworkId => "virtual_network_id",
        Field::PacketLength => "packet_length",
        Field::Enabled => "enabled",
        Field::RuleAction => "action",
        Field::Protocol => "protocol",
        Field::IpVersion => "ethertype",
        Field::SourceCidrBlock => "source_cidr_block",
        Field::DestinationCidrBlock => "destination_cidr_block",
        Field::SourcePortRange => "source_port_range",
        Field::DestinationPortRange => "destination_port_range",
        Field::Direction => "direction",
        Field::MaxResults => "limit",
        Field::NextToken => "marker",
        Field::Type => "type",
        Field::SessionId => "traffic_mirror_session_id",
        Field::RuleId | Field::RuleIds => "traffic_mirror_filter_rule_id",
        Field::IngressRules | Field::EgressRules => "traffic_mirror_filter_rule",
        Field::TagKey | Field::TagValue | Field::Tags => "tags",
        Field::RegionId => "project_id",
        Field::ClientToken => "client_token",
        Field::ResourceGroupId | Field::NewResourceGroupId => "enterprise_project_id",
        Field::ResourceType => "resource_type",
        Field::ResourceIds | Field::SessionIds | Field::FilterIds => "id",
    }
}

/// (HTTP status, error_code, error_msg).
pub fn describe(e: &HwError) -> (StatusCode, &'static str, String) {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        HwError::Body(why) => (bad, "VPC.TM0100", format!("Invalid request body: {why}")),
        HwError::Missing(name) => (bad, "VPC.TM0101", format!("Missing required parameter: {name}")),
        HwError::Invalid(name, why) => (bad, "VPC.TM0102", format!("Invalid parameter {name}: {why}")),
        HwError::Auth(why) => {
            (StatusCode::UNAUTHORIZED, "APIGW.0301", format!("Incorrect IAM authentication information: {why}"))
        }
        HwError::Project(why) => (bad, "VPC.0007", format!("urlTenantId is not equal tokenTenantId: {why}")),
        HwError::NoRoute => (
            StatusCode::NOT_FOUND,
            "APIGW.0101",
            "The API does not exist or has not been published in the environment".into(),
        ),
        HwError::Internal(why) => {
            tracing::error!(error = %why, "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, "VPC.TM0500", "Internal server error".into())
        }
        HwError::Model(m) => model(m),
    }
}

fn model(e: &ModelError) -> (StatusCode, &'static str, String) {
    let bad = StatusCode::BAD_REQUEST;
    let conflict = StatusCode::CONFLICT;
    let nf = StatusCode::NOT_FOUND;
    match e {
        ModelError::Missing(f) => describe(&HwError::Missing(field_name(*f).to_owned())),
        ModelError::Invalid { field, reason } => {
            describe(&HwError::Invalid(field_name(*field).to_owned(), reason.clone()))
        }
        ModelError::DuplicatedSourceIds => {
            (bad, "VPC.TM0103", "traffic_mirror_sources contains duplicate values".into())
        }
        ModelError::NotAssociated(id) => (bad, "VPC.TM0104", format!("Mirror source {id} is not in the session")),
        ModelError::FreeNetworkInterface(id) => {
            (bad, "VPC.TM0105", format!("Port {id} is not attached to any instance"))
        }
        ModelError::EcsNotSupportTrafficMirror(id) => {
            (bad, "VPC.TM0106", format!("The instance of port {id} does not support traffic mirroring"))
        }
        ModelError::DuplicateRole(id) => {
            (bad, "VPC.TM0107", format!("Port {id} cannot be a mirror source and a mirror target at the same time"))
        }
        ModelError::BondingWithoutSlave(id) => (bad, "VPC.TM0108", format!("Port {id} is a bond without slaves")),
        ModelError::NotFound { kind, id } => {
            let (code, what) = match kind {
                Kind::Session => ("VPC.TM0201", "Traffic mirror session"),
                Kind::Filter => ("VPC.TM0202", "Traffic mirror filter"),
                Kind::Rule => ("VPC.TM0203", "Traffic mirror filter rule"),
                Kind::NetworkInterface => ("VPC.TM0204", "Port"),
                Kind::EcsInstance => ("VPC.TM0205", "Instance"),
                Kind::LoadBalancer => ("VPC.TM0206", "Load balancer"),
            };
            (nf, code, format!("{what} {id} could not be found"))
        }
        ModelError::DuplicatedPriority(p) => (conflict, "VPC.TM0301", format!("Priority {p} is already in use")),
        ModelError::IncorrectStatus(_) => (conflict, "VPC.TM0302", "The resource is busy; retry later".into()),
        ModelError::AlreadyAssociated(id) => {
            (conflict, "VPC.TM0303", format!("Mirror source {id} is already in the session"))
        }
        ModelError::FilterInUse(id) => {
            (conflict, "VPC.TM0304", format!("The traffic mirror filter is used by session {id}"))
        }
        ModelError::QuotaExceeded(q) => match q {
            QuotaKind::SourcesPerSession => (bad, "VPC.TM0401", "Too many mirror sources in one session".into()),
            QuotaKind::SessionsPerEni => (bad, "VPC.TM0402", "Too many sessions on one mirror source".into()),
            QuotaKind::SourcesPerTarget => (bad, "VPC.TM0403", "Too many mirror sources for one target".into()),
            QuotaKind::RulesPerDirection => (bad, "VPC.TM0404", "Too many rules in one direction of the filter".into()),
            QuotaKind::TagsPerResource => (bad, "VPC.TM0405", "Too many tags".into()),
        },
        // Alibaba-only situations; the Huawei policy never produces them.
        ModelError::DryRun
        | ModelError::IdempotentParameterMismatch
        | ModelError::OptInRequired
        | ModelError::ServiceAlreadyOpened
        | ModelError::IncorrectBusinessStatus
        | ModelError::Order(_)
        | ModelError::Forbidden { .. } => (StatusCode::FORBIDDEN, "VPC.TM0900", e.to_string()),
    }
}
