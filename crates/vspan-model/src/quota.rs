//! Quotas: configurable per deployment (`[quotas]` in the server config), with defaults taken
//! from the vendors' documents where they give a number and from AWS's where they do not.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Sources one session may hold (`QuotaExceeded.SourceNumPerSession`; Huawei: 10).
    pub sources_per_session: usize,
    /// Sessions one ENI may be a source of (`QuotaExceeded.NetworkInterfaceRelatedSession`;
    /// AWS's value, 3).
    pub sessions_per_eni: usize,
    /// Sources, over all sessions, that may feed one target (`QuotaExceeded.SourceNumPerTarget`).
    pub sources_per_target: usize,
    /// Rules per direction of one filter (Alibaba: 10).
    pub rules_per_direction: usize,
    /// Tags per resource (Alibaba: 20).
    pub tags_per_resource: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            sources_per_session: 10,
            sessions_per_eni: 3,
            sources_per_target: 20,
            rules_per_direction: 10,
            tags_per_resource: 20,
        }
    }
}
