//! Persistence for vspan: the [`Store`] trait that the control plane writes through, and its
//! SQLite implementation. The only crate that touches a database.
//!
//! Every API write runs in one [`Tx`]; a transaction commits before the call answers, so a
//! killed server comes back to exactly what it answered. Writes are serialized (one writer
//! connection), reads run concurrently on their own connections (WAL). The trait speaks in
//! model types only, so a PostgreSQL implementation can follow without touching its callers.

mod query;
mod sqlite;

pub use query::{FilterQuery, Page, RuleQuery, SessionQuery, TagQuery, TagRow, TokenRecord};
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use vspan_model::{Eni, Filter, FilterRule, Instance, LoadBalancer, Scope, Session};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which table a pending change lives in, for the reconciler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settleable {
    Session,
    Filter,
    Rule,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// A transaction that may write. Writers are serialized.
    async fn write(&self) -> Result<Box<dyn Tx>>;
    /// A read-only snapshot.
    async fn read(&self) -> Result<Box<dyn Tx>>;
}

/// One transaction. Reads see the transaction's own writes; nothing is visible to others (or
/// durable) before [`Tx::commit`]. Dropping without commit rolls back.
#[async_trait]
pub trait Tx: Send {
    async fn commit(self: Box<Self>) -> Result<()>;

    /// Bumps the global revision and answers the new value.
    async fn bump_revision(&mut self) -> Result<i64>;
    async fn revision(&mut self) -> Result<i64>;

    async fn service_opened(&mut self, account: &str, region: &str) -> Result<bool>;
    async fn open_service(&mut self, account: &str, region: &str, now_ms: i64) -> Result<()>;

    async fn put_eni(&mut self, eni: &Eni) -> Result<()>;
    async fn get_eni(&mut self, scope: &Scope, id: &str) -> Result<Option<Eni>>;
    async fn put_instance(&mut self, instance: &Instance) -> Result<()>;
    async fn get_instance(&mut self, scope: &Scope, id: &str) -> Result<Option<Instance>>;
    async fn put_load_balancer(&mut self, lb: &LoadBalancer) -> Result<()>;
    async fn get_load_balancer(&mut self, scope: &Scope, id: &str) -> Result<Option<LoadBalancer>>;

    async fn get_filter(&mut self, scope: &Scope, id: &str) -> Result<Option<Filter>>;
    async fn put_filter(&mut self, scope: &Scope, filter: &Filter) -> Result<()>;
    async fn delete_filter(&mut self, id: &str) -> Result<()>;
    async fn list_filters(&mut self, scope: &Scope, q: &FilterQuery) -> Result<Page<Filter>>;

    async fn rules_of(&mut self, filter_id: &str) -> Result<Vec<FilterRule>>;
    async fn list_rules(&mut self, scope: &Scope, q: &RuleQuery) -> Result<Page<FilterRule>>;
    async fn get_rule(&mut self, scope: &Scope, id: &str) -> Result<Option<FilterRule>>;
    async fn put_rule(&mut self, scope: &Scope, rule: &FilterRule) -> Result<()>;
    async fn delete_rule(&mut self, id: &str) -> Result<()>;

    async fn get_session(&mut self, scope: &Scope, id: &str) -> Result<Option<Session>>;
    async fn put_session(&mut self, scope: &Scope, session: &Session) -> Result<()>;
    async fn delete_session(&mut self, id: &str) -> Result<()>;
    async fn list_sessions(&mut self, scope: &Scope, q: &SessionQuery) -> Result<Page<Session>>;
    /// Sessions holding `eni` as a source.
    async fn sessions_with_source(&mut self, scope: &Scope, eni: &str) -> Result<Vec<Session>>;
    /// Sessions mirroring to `target`.
    async fn sessions_with_target(&mut self, scope: &Scope, target: &str) -> Result<Vec<Session>>;
    /// Sessions with `priority` (one, unless some are being deleted).
    async fn sessions_with_priority(&mut self, scope: &Scope, priority: u32) -> Result<Vec<Session>>;
    /// Sessions that use `filter`.
    async fn sessions_using_filter(&mut self, scope: &Scope, filter: &str) -> Result<Vec<Session>>;

    async fn list_tags(&mut self, scope: &Scope, q: &TagQuery) -> Result<Page<TagRow>>;

    async fn get_token(&mut self, account: &str, token: &str) -> Result<Option<TokenRecord>>;
    async fn put_token(&mut self, account: &str, token: &str, rec: &TokenRecord, now_ms: i64) -> Result<()>;

    /// Resources whose pending change is due at `now_ms`, oldest first, at most `limit`.
    async fn due(&mut self, now_ms: i64, limit: i64) -> Result<Vec<(Settleable, Scope, String)>>;
    /// The earliest settle time of any pending change.
    async fn next_due(&mut self) -> Result<Option<i64>>;
}
