//! Query and page types for List* operations. Pages are keyed by resource id (an index walk,
//! whatever the table size); the cursor is the last id of the previous page.

use vspan_model::Tag;

#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    pub ids: Vec<String>,
    pub name: Option<String>,
    pub source_id: Option<String>,
    pub target_id: Option<String>,
    pub filter_id: Option<String>,
    pub vni: Option<u32>,
    pub priority: Option<u32>,
    pub enabled: Option<bool>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct FilterQuery {
    pub ids: Vec<String>,
    pub name: Option<String>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
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
