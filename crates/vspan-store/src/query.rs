//! Query and page types for List* operations. Pages are keyed by resource id (an index walk,
//! whatever the table size); the cursor is the last id of the previous page. A filter field
//! holding several values matches any of them (Huawei's repeated query keys); an empty one
//! matches everything.

use vspan_model::{Direction, PortRange, Protocol, RuleAction, Tag, TargetType};

#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
    pub source_id: Option<String>,
    pub target_ids: Vec<String>,
    pub target_types: Vec<TargetType>,
    pub filter_ids: Vec<String>,
    pub vnis: Vec<u32>,
    pub packet_lengths: Vec<u32>,
    pub priorities: Vec<u32>,
    pub enabled: Option<bool>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    /// Leave out resources being deleted (a synchronous dialect sees them gone).
    pub hide_deleting: bool,
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct FilterQuery {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    pub hide_deleting: bool,
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct RuleQuery {
    pub ids: Vec<String>,
    pub filter_ids: Vec<String>,
    pub descriptions: Vec<String>,
    pub directions: Vec<Direction>,
    pub protocols: Vec<Protocol>,
    pub actions: Vec<RuleAction>,
    pub priorities: Vec<u32>,
    pub source_cidrs: Vec<String>,
    pub destination_cidrs: Vec<String>,
    pub source_ports: Vec<PortRange>,
    pub destination_ports: Vec<PortRange>,
    pub hide_deleting: bool,
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    /// `session` or `filter`.
    pub resource_type: String,
    pub ids: Vec<String>,
    pub tags: Vec<Tag>,
    /// Cursor: (resource id, key) of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    pub resource_id: String,
    pub resource_type: String,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Matches over all pages.
    pub total: i64,
    /// Whether more matches follow the last item.
    pub more: bool,
}

/// What an idempotent write answered the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub action: String,
    pub request_hash: String,
    pub response: String,
}
