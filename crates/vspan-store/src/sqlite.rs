//! The SQLite implementation of [`Store`]: one file under the data directory, WAL, one writer
//! connection (writes are serialized, so business checks inside a transaction see a stable
//! world) and a small pool of readers.

use crate::query::{FilterQuery, Page, RuleQuery, SessionQuery, TagQuery, TagRow, TokenRecord};
use crate::{Result, Settleable, Store, StoreError, Tx};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use vspan_model::{Eni, Filter, FilterRule, Instance, LoadBalancer, Scope, Session, Tag};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) `vspan.db` under `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.display().to_string(), source })?;
        let opts = SqliteConnectOptions::from_str("sqlite://")?
            .filename(data_dir.join("vspan.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a commit survives a killed process (the WAL is written before the
            // answer); only an OS crash can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(false);
        let writer = SqlitePoolOptions::new().max_connections(1).min_connections(1).connect_with(opts.clone()).await?;
        MIGRATOR.run(&writer).await?;
        let readers = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        Ok(SqliteStore { writer, readers })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn write(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(SqliteTx { tx: self.writer.begin().await? }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(SqliteTx { tx: self.readers.begin().await? }))
    }
}

struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}

fn bodies<T: DeserializeOwned>(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<T>> {
    rows.iter().map(|r| from_json(r.try_get::<&str, _>("body")?)).collect()
}

/// Pushes `AND EXISTS(tag)` clauses for each wanted tag.
fn push_tags(qb: &mut QueryBuilder<Sqlite>, table: &str, tags: &[Tag]) {
    for t in tags {
        qb.push(format!(" AND EXISTS (SELECT 1 FROM tags g WHERE g.resource_id = {table}.id AND g.key = "));
        qb.push_bind(t.key.clone());
        if !t.value.is_empty() {
            qb.push(" AND g.value = ");
            qb.push_bind(t.value.clone());
        }
        qb.push(")");
    }
}

fn push_ids(qb: &mut QueryBuilder<Sqlite>, column: &str, ids: &[String]) {
    push_any(qb, column, ids.iter().cloned());
}

/// `AND column IN (values)`, nothing when there are no values. `column` is an SQL expression
/// of this module, never caller input.
fn push_any<T>(qb: &mut QueryBuilder<Sqlite>, column: &str, values: impl ExactSizeIterator<Item = T>)
where
    T: for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send + 'static,
{
    if values.len() == 0 {
        return;
    }
    qb.push(format!(" AND {column} IN ("));
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    qb.push(")");
}

/// The name serde gives an enum value, as stored in the JSON body.
fn stored<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn push_ports(qb: &mut QueryBuilder<Sqlite>, field: &str, ranges: &[vspan_model::PortRange]) {
    if ranges.is_empty() {
        return;
    }
    qb.push(" AND (");
    for (i, r) in ranges.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format!("(json_extract(body, '$.{field}.from') = "));
        qb.push_bind(i64::from(r.from));
        qb.push(format!(" AND json_extract(body, '$.{field}.to') = "));
        qb.push_bind(i64::from(r.to));
        qb.push(")");
    }
    qb.push(")");
}

fn session_where(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, q: &SessionQuery) {
    qb.push(" WHERE sessions.account = ");
    qb.push_bind(scope.account.clone());
    qb.push(" AND sessions.region = ");
    qb.push_bind(scope.region.clone());
    push_ids(qb, "sessions.id", &q.ids);
    push_ids(qb, "sessions.name", &q.names);
    push_ids(qb, "json_extract(sessions.body, '$.description')", &q.descriptions);
    if let Some(v) = &q.source_id {
        qb.push(" AND EXISTS (SELECT 1 FROM session_sources ss WHERE ss.session_id = sessions.id AND ss.eni_id = ");
        qb.push_bind(v.clone());
        qb.push(")");
    }
    push_ids(qb, "sessions.target_id", &q.target_ids);
    push_any(qb, "json_extract(sessions.body, '$.target_type')", q.target_types.iter().map(stored));
    push_ids(qb, "sessions.filter_id", &q.filter_ids);
    push_any(qb, "sessions.vni", q.vnis.iter().map(|v| i64::from(*v)));
    push_any(qb, "json_extract(sessions.body, '$.packet_length')", q.packet_lengths.iter().map(|v| i64::from(*v)));
    push_any(qb, "sessions.priority", q.priorities.iter().map(|v| i64::from(*v)));
    if let Some(v) = q.enabled {
        qb.push(" AND sessions.enabled = ");
        qb.push_bind(i64::from(v));
    }
    if let Some(v) = &q.resource_group_id {
        qb.push(" AND sessions.resource_group_id = ");
        qb.push_bind(v.clone());
    }
    if q.hide_deleting {
        qb.push(" AND json_extract(sessions.body, '$.status') <> 'Deleting'");
    }
    push_tags(qb, "sessions", &q.tags);
}

fn filter_where(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, q: &FilterQuery) {
    qb.push(" WHERE filters.account = ");
    qb.push_bind(scope.account.clone());
    qb.push(" AND filters.region = ");
    qb.push_bind(scope.region.clone());
    push_ids(qb, "filters.id", &q.ids);
    push_ids(qb, "filters.name", &q.names);
    push_ids(qb, "json_extract(filters.body, '$.description')", &q.descriptions);
    if let Some(v) = &q.resource_group_id {
        qb.push(" AND filters.resource_group_id = ");
        qb.push_bind(v.clone());
    }
    if q.hide_deleting {
        qb.push(" AND json_extract(filters.body, '$.status') <> 'Deleting'");
    }
    push_tags(qb, "filters", &q.tags);
}

fn rule_where(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, q: &RuleQuery) {
    qb.push(" WHERE rules.account = ");
    qb.push_bind(scope.account.clone());
    qb.push(" AND rules.region = ");
    qb.push_bind(scope.region.clone());
    push_ids(qb, "rules.id", &q.ids);
    push_ids(qb, "rules.filter_id", &q.filter_ids);
    push_ids(qb, "json_extract(rules.body, '$.description')", &q.descriptions);
    push_any(qb, "json_extract(rules.body, '$.direction')", q.directions.iter().map(stored));
    push_any(qb, "json_extract(rules.body, '$.protocol')", q.protocols.iter().map(stored));
    push_any(qb, "json_extract(rules.body, '$.action')", q.actions.iter().map(stored));
    push_any(qb, "json_extract(rules.body, '$.priority')", q.priorities.iter().map(|v| i64::from(*v)));
    push_ids(qb, "json_extract(rules.body, '$.source_cidr')", &q.source_cidrs);
    push_ids(qb, "json_extract(rules.body, '$.destination_cidr')", &q.destination_cidrs);
    push_ports(qb, "source_ports", &q.source_ports);
    push_ports(qb, "destination_ports", &q.destination_ports);
    if q.hide_deleting {
        qb.push(" AND json_extract(rules.body, '$.status') <> 'Deleting'");
    }
}

impl SqliteTx {
    async fn put_tags(&mut self, scope: &Scope, kind: &str, id: &str, tags: &[Tag]) -> Result<()> {
        sqlx::query("DELETE FROM tags WHERE resource_id = $1").bind(id).execute(&mut *self.tx).await?;
        for t in tags {
            sqlx::query(
                "INSERT INTO tags (resource_id, resource_type, account, region, key, value) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(kind)
            .bind(&scope.account)
            .bind(&scope.region)
            .bind(&t.key)
            .bind(&t.value)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn get_inventory<T: DeserializeOwned>(&mut self, kind: &str, scope: &Scope, id: &str) -> Result<Option<T>> {
        let row =
            sqlx::query("SELECT body FROM inventory WHERE kind = $1 AND id = $2 AND account = $3 AND region = $4")
                .bind(kind)
                .bind(id)
                .bind(&scope.account)
                .bind(&scope.region)
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(|r| from_json(r.try_get::<&str, _>("body")?)).transpose()
    }

    async fn put_inventory<T: Serialize>(
        &mut self,
        kind: &str,
        id: &str,
        account: &str,
        region: &str,
        v: &T,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO inventory (kind, id, account, region, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (kind, id) DO UPDATE SET account = excluded.account, region = excluded.region, body = excluded.body",
        )
        .bind(kind)
        .bind(id)
        .bind(account)
        .bind(region)
        .bind(to_json(v)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn page<T: DeserializeOwned>(
        &mut self,
        table: &str,
        build_where: impl Fn(&mut QueryBuilder<Sqlite>),
        after: Option<&str>,
        limit: i64,
    ) -> Result<Page<T>> {
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) AS n FROM {table}"));
        build_where(&mut count);
        let total: i64 = count.build().fetch_one(&mut *self.tx).await?.try_get("n")?;
        let mut qb = QueryBuilder::new(format!("SELECT {table}.body FROM {table}"));
        build_where(&mut qb);
        if let Some(a) = after {
            qb.push(format!(" AND {table}.id > "));
            qb.push_bind(a.to_owned());
        }
        qb.push(format!(" ORDER BY {table}.id LIMIT "));
        qb.push_bind(limit + 1);
        let rows = qb.build().fetch_all(&mut *self.tx).await?;
        let mut items: Vec<T> = bodies(&rows)?;
        let more = items.len() as i64 > limit;
        items.truncate(limit.max(0) as usize);
        Ok(Page { items, total, more })
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    async fn bump_revision(&mut self) -> Result<i64> {
        let row = sqlx::query("UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value")
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get("value")?)
    }

    async fn revision(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT value FROM revision WHERE id = 1").fetch_one(&mut *self.tx).await?;
        Ok(row.try_get("value")?)
    }

    async fn service_opened(&mut self, account: &str, region: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM services WHERE account = $1 AND region IN ($2, '*') LIMIT 1")
            .bind(account)
            .bind(region)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.is_some())
    }

    async fn open_service(&mut self, account: &str, region: &str, now_ms: i64) -> Result<()> {
        sqlx::query("INSERT INTO services (account, region, opened_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(account)
            .bind(region)
            .bind(now_ms)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn put_eni(&mut self, eni: &Eni) -> Result<()> {
        self.put_inventory("eni", &eni.id, &eni.account, &eni.region, eni).await
    }

    async fn get_eni(&mut self, scope: &Scope, id: &str) -> Result<Option<Eni>> {
        self.get_inventory("eni", scope, id).await
    }

    async fn put_instance(&mut self, i: &Instance) -> Result<()> {
        self.put_inventory("instance", &i.id, &i.account, &i.region, i).await
    }

    async fn get_instance(&mut self, scope: &Scope, id: &str) -> Result<Option<Instance>> {
        self.get_inventory("instance", scope, id).await
    }

    async fn put_load_balancer(&mut self, lb: &LoadBalancer) -> Result<()> {
        self.put_inventory("lb", &lb.id, &lb.account, &lb.region, lb).await
    }

    async fn get_load_balancer(&mut self, scope: &Scope, id: &str) -> Result<Option<LoadBalancer>> {
        self.get_inventory("lb", scope, id).await
    }

    async fn get_filter(&mut self, scope: &Scope, id: &str) -> Result<Option<Filter>> {
        let row = sqlx::query("SELECT body FROM filters WHERE id = $1 AND account = $2 AND region = $3")
            .bind(id)
            .bind(&scope.account)
            .bind(&scope.region)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| from_json(r.try_get::<&str, _>("body")?)).transpose()
    }

    async fn put_filter(&mut self, scope: &Scope, f: &Filter) -> Result<()> {
        sqlx::query(
            "INSERT INTO filters (id, account, region, name, resource_group_id, settle_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, resource_group_id = excluded.resource_group_id,
                 settle_at = excluded.settle_at, body = excluded.body",
        )
        .bind(&f.id)
        .bind(&scope.account)
        .bind(&scope.region)
        .bind(&f.name)
        .bind(&f.resource_group_id)
        .bind(f.settle_at_ms)
        .bind(to_json(f)?)
        .execute(&mut *self.tx)
        .await?;
        self.put_tags(scope, "filter", &f.id, &f.tags).await
    }

    async fn delete_filter(&mut self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM rules WHERE filter_id = $1").bind(id).execute(&mut *self.tx).await?;
        sqlx::query("DELETE FROM tags WHERE resource_id = $1").bind(id).execute(&mut *self.tx).await?;
        sqlx::query("DELETE FROM filters WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn list_filters(&mut self, scope: &Scope, q: &FilterQuery) -> Result<Page<Filter>> {
        self.page("filters", |qb| filter_where(qb, scope, q), q.after.as_deref(), q.limit).await
    }

    async fn rules_of(&mut self, filter_id: &str) -> Result<Vec<FilterRule>> {
        let rows = sqlx::query("SELECT body FROM rules WHERE filter_id = $1 ORDER BY id")
            .bind(filter_id)
            .fetch_all(&mut *self.tx)
            .await?;
        bodies(&rows)
    }

    async fn list_rules(&mut self, scope: &Scope, q: &RuleQuery) -> Result<Page<FilterRule>> {
        self.page("rules", |qb| rule_where(qb, scope, q), q.after.as_deref(), q.limit).await
    }

    async fn get_rule(&mut self, scope: &Scope, id: &str) -> Result<Option<FilterRule>> {
        let row = sqlx::query("SELECT body FROM rules WHERE id = $1 AND account = $2 AND region = $3")
            .bind(id)
            .bind(&scope.account)
            .bind(&scope.region)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| from_json(r.try_get::<&str, _>("body")?)).transpose()
    }

    async fn put_rule(&mut self, scope: &Scope, r: &FilterRule) -> Result<()> {
        sqlx::query(
            "INSERT INTO rules (id, filter_id, account, region, settle_at, body) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET settle_at = excluded.settle_at, body = excluded.body",
        )
        .bind(&r.id)
        .bind(&r.filter_id)
        .bind(&scope.account)
        .bind(&scope.region)
        .bind(r.settle_at_ms)
        .bind(to_json(r)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn delete_rule(&mut self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM rules WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn get_session(&mut self, scope: &Scope, id: &str) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT body FROM sessions WHERE id = $1 AND account = $2 AND region = $3")
            .bind(id)
            .bind(&scope.account)
            .bind(&scope.region)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| from_json(r.try_get::<&str, _>("body")?)).transpose()
    }

    async fn put_session(&mut self, scope: &Scope, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, account, region, name, filter_id, target_id, priority, vni, enabled,
                 resource_group_id, settle_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, filter_id = excluded.filter_id,
                 target_id = excluded.target_id, priority = excluded.priority, vni = excluded.vni,
                 enabled = excluded.enabled, resource_group_id = excluded.resource_group_id,
                 settle_at = excluded.settle_at, body = excluded.body",
        )
        .bind(&s.id)
        .bind(&scope.account)
        .bind(&scope.region)
        .bind(&s.name)
        .bind(&s.filter_id)
        .bind(&s.target_id)
        .bind(i64::from(s.priority))
        .bind(i64::from(s.vni))
        .bind(i64::from(s.enabled))
        .bind(&s.resource_group_id)
        .bind(s.settle_at_ms)
        .bind(to_json(s)?)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM session_sources WHERE session_id = $1").bind(&s.id).execute(&mut *self.tx).await?;
        for eni in &s.sources {
            sqlx::query("INSERT INTO session_sources (session_id, eni_id) VALUES ($1, $2)")
                .bind(&s.id)
                .bind(eni)
                .execute(&mut *self.tx)
                .await?;
        }
        self.put_tags(scope, "session", &s.id, &s.tags).await
    }

    async fn delete_session(&mut self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM session_sources WHERE session_id = $1").bind(id).execute(&mut *self.tx).await?;
        sqlx::query("DELETE FROM tags WHERE resource_id = $1").bind(id).execute(&mut *self.tx).await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn list_sessions(&mut self, scope: &Scope, q: &SessionQuery) -> Result<Page<Session>> {
        self.page("sessions", |qb| session_where(qb, scope, q), q.after.as_deref(), q.limit).await
    }

    async fn sessions_with_source(&mut self, scope: &Scope, eni: &str) -> Result<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT s.body FROM session_sources ss JOIN sessions s ON s.id = ss.session_id
             WHERE ss.eni_id = $1 AND s.account = $2 AND s.region = $3",
        )
        .bind(eni)
        .bind(&scope.account)
        .bind(&scope.region)
        .fetch_all(&mut *self.tx)
        .await?;
        bodies(&rows)
    }

    async fn sessions_with_target(&mut self, scope: &Scope, target: &str) -> Result<Vec<Session>> {
        let rows = sqlx::query("SELECT body FROM sessions WHERE target_id = $1 AND account = $2 AND region = $3")
            .bind(target)
            .bind(&scope.account)
            .bind(&scope.region)
            .fetch_all(&mut *self.tx)
            .await?;
        bodies(&rows)
    }

    async fn sessions_with_priority(&mut self, scope: &Scope, priority: u32) -> Result<Vec<Session>> {
        let rows = sqlx::query("SELECT body FROM sessions WHERE account = $1 AND region = $2 AND priority = $3")
            .bind(&scope.account)
            .bind(&scope.region)
            .bind(i64::from(priority))
            .fetch_all(&mut *self.tx)
            .await?;
        bodies(&rows)
    }

    async fn sessions_using_filter(&mut self, scope: &Scope, filter: &str) -> Result<Vec<Session>> {
        let rows = sqlx::query("SELECT body FROM sessions WHERE filter_id = $1 AND account = $2 AND region = $3")
            .bind(filter)
            .bind(&scope.account)
            .bind(&scope.region)
            .fetch_all(&mut *self.tx)
            .await?;
        bodies(&rows)
    }

    async fn list_tags(&mut self, scope: &Scope, q: &TagQuery) -> Result<Page<TagRow>> {
        let build = |qb: &mut QueryBuilder<Sqlite>| {
            qb.push(" WHERE tags.account = ");
            qb.push_bind(scope.account.clone());
            qb.push(" AND tags.region = ");
            qb.push_bind(scope.region.clone());
            qb.push(" AND tags.resource_type = ");
            qb.push_bind(q.resource_type.clone());
            push_ids(qb, "tags.resource_id", &q.ids);
            for t in &q.tags {
                qb.push(" AND EXISTS (SELECT 1 FROM tags g WHERE g.resource_id = tags.resource_id AND g.key = ");
                qb.push_bind(t.key.clone());
                if !t.value.is_empty() {
                    qb.push(" AND g.value = ");
                    qb.push_bind(t.value.clone());
                }
                qb.push(")");
            }
        };
        let mut count = QueryBuilder::new("SELECT COUNT(*) AS n FROM tags");
        build(&mut count);
        let total: i64 = count.build().fetch_one(&mut *self.tx).await?.try_get("n")?;
        let mut qb = QueryBuilder::new("SELECT resource_id, resource_type, key, value FROM tags");
        build(&mut qb);
        if let Some((id, key)) = &q.after {
            qb.push(" AND (tags.resource_id > ");
            qb.push_bind(id.clone());
            qb.push(" OR (tags.resource_id = ");
            qb.push_bind(id.clone());
            qb.push(" AND tags.key > ");
            qb.push_bind(key.clone());
            qb.push("))");
        }
        qb.push(" ORDER BY resource_id, key LIMIT ");
        qb.push_bind(q.limit + 1);
        let rows = qb.build().fetch_all(&mut *self.tx).await?;
        let mut items = rows
            .iter()
            .map(|r| {
                Ok(TagRow {
                    resource_id: r.try_get("resource_id")?,
                    resource_type: r.try_get("resource_type")?,
                    key: r.try_get("key")?,
                    value: r.try_get("value")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Page { items, total, more })
    }

    async fn get_token(&mut self, account: &str, token: &str) -> Result<Option<TokenRecord>> {
        let row =
            sqlx::query("SELECT action, request_hash, response FROM client_tokens WHERE account = $1 AND token = $2")
                .bind(account)
                .bind(token)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row
            .map(|r| -> std::result::Result<TokenRecord, sqlx::Error> {
                Ok(TokenRecord {
                    action: r.try_get("action")?,
                    request_hash: r.try_get("request_hash")?,
                    response: r.try_get("response")?,
                })
            })
            .transpose()?)
    }

    async fn put_token(&mut self, account: &str, token: &str, rec: &TokenRecord, now_ms: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO client_tokens (account, token, action, request_hash, response, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account)
        .bind(token)
        .bind(&rec.action)
        .bind(&rec.request_hash)
        .bind(&rec.response)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn due(&mut self, now_ms: i64, limit: i64) -> Result<Vec<(Settleable, Scope, String)>> {
        let rows = sqlx::query(
            "SELECT kind, account, region, id FROM (
                 SELECT 'rule' AS kind, account, region, id, settle_at FROM rules WHERE settle_at <= $1
                 UNION ALL SELECT 'filter', account, region, id, settle_at FROM filters WHERE settle_at <= $1
                 UNION ALL SELECT 'session', account, region, id, settle_at FROM sessions WHERE settle_at <= $1)
             ORDER BY settle_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| {
                let kind = match r.try_get::<&str, _>("kind")? {
                    "rule" => Settleable::Rule,
                    "filter" => Settleable::Filter,
                    _ => Settleable::Session,
                };
                Ok((
                    kind,
                    Scope::new(r.try_get::<String, _>("account")?, r.try_get::<String, _>("region")?),
                    r.try_get("id")?,
                ))
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn next_due(&mut self) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MIN(t) AS t FROM (
                 SELECT MIN(settle_at) AS t FROM rules WHERE settle_at IS NOT NULL
                 UNION ALL SELECT MIN(settle_at) FROM filters WHERE settle_at IS NOT NULL
                 UNION ALL SELECT MIN(settle_at) FROM sessions WHERE settle_at IS NOT NULL)",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get::<Option<i64>, _>("t")?)
    }
}
