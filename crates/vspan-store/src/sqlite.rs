//! The SQLite implementation of [`Store`]: one file under the data directory, WAL, one writer
//! connection (writes are serialized, so business checks inside a transaction see a stable
//! world) and a few reader connections.
//!
//! Statements run in place on the calling task's thread: each is a few microseconds against
//! a cached prepared statement, far less than handing it to a database thread and back
//! (measured: that hand-off, once per statement, dominated a CreateTrafficMirrorSession,
//! see bench/api/RESULTS.md). A transaction holds its connection for its whole life; the
//! writer's lock is what serializes writes.

use crate::query::{FilterQuery, Page, RuleQuery, SessionQuery, TagQuery, TagRow, TokenRecord};
use crate::{Result, Settleable, Store, StoreError, Tx};
use async_trait::async_trait;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};
use vspan_model::{Eni, Filter, FilterRule, Instance, LoadBalancer, Scope, Session, Tag};

/// The schema, one script per version; `PRAGMA user_version` says how many have run.
const MIGRATIONS: &[&str] =
    &[include_str!("../migrations/0001_init.sql"), include_str!("../migrations/0002_counts.sql")];

const READERS: usize = 4;

#[derive(Clone)]
pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Arc<Mutex<Connection>>>>,
    next_reader: Arc<AtomicUsize>,
}

fn open(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // WAL + NORMAL: a commit survives a killed process (the WAL is written before the answer);
    // only an OS crash can lose the last transactions.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Pages are read through a shared mapping: a reader whose cache another connection's
    // commit invalidated re-reads them without a copy through the kernel.
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, script) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(script)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    // Statistics let the planner prefer the selective indexes (an ENI's sessions, a target's
    // sessions) over the (account, region) ones.
    conn.execute_batch("PRAGMA optimize")?;
    Ok(())
}

/// How often the background checkpointer folds the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Starts the thread that checkpoints the WAL (PASSIVE: it never blocks the writer or readers).
fn spawn_checkpointer(path: &Path) -> Result<()> {
    let conn = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    std::thread::Builder::new()
        .name("vspan-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
                }
            }
        })
        .map_err(|source| StoreError::DataDir { path: path.display().to_string(), source })?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) `vspan.db` under `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.display().to_string(), source })?;
        let path = data_dir.join("vspan.db");
        let mut writer = open(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        migrate(&mut writer)?;
        // Checkpoints copy the WAL into the database file and fsync it: milliseconds that an
        // automatic checkpoint would add to whichever request's commit crossed the threshold.
        // A background thread does them instead; commits only append to the WAL.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        spawn_checkpointer(&path)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(Arc::new(Mutex::new(open(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?)));
        }
        Ok(SqliteStore {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(readers),
            next_reader: Arc::new(AtomicUsize::new(0)),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn write(&self) -> Result<Box<dyn Tx>> {
        let conn = self.writer.clone().lock_owned().await;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteTx { conn, open: true }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i].clone().lock_owned().await;
        conn.execute_batch("BEGIN")?;
        Ok(Box::new(SqliteTx { conn, open: true }))
    }
}

struct SqliteTx {
    conn: OwnedMutexGuard<Connection>,
    /// Still inside BEGIN: dropping rolls back.
    open: bool,
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the caller is gone, and a failed rollback leaves the
            // connection to roll back at its next BEGIN anyway.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}

/// The name serde gives an enum value, as stored in the JSON body.
fn stored<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A WHERE clause under construction, with its positional parameters.
#[derive(Default)]
struct Where {
    sql: String,
    args: Vec<Sql>,
}

impl Where {
    fn scope(table: &str, scope: &Scope) -> Where {
        let mut w = Where::default();
        w.sql.push_str(&format!(" WHERE {table}.account = ? AND {table}.region = ?"));
        w.args.push(Sql::Text(scope.account.clone()));
        w.args.push(Sql::Text(scope.region.clone()));
        w
    }

    fn eq(&mut self, column: &str, v: Sql) {
        self.sql.push_str(&format!(" AND {column} = ?"));
        self.args.push(v);
    }

    /// `AND column IN (...)`; nothing for no values. `column` is this module's SQL, never input.
    fn any(&mut self, column: &str, values: impl IntoIterator<Item = Sql>) {
        let values: Vec<Sql> = values.into_iter().collect();
        if values.is_empty() {
            return;
        }
        self.sql.push_str(&format!(" AND {column} IN ({})", vec!["?"; values.len()].join(", ")));
        self.args.extend(values);
    }

    fn texts(&mut self, column: &str, values: &[String]) {
        self.any(column, values.iter().map(|v| Sql::Text(v.clone())));
    }

    fn ints(&mut self, column: &str, values: &[u32]) {
        self.any(column, values.iter().map(|v| Sql::Integer(i64::from(*v))));
    }

    fn tags(&mut self, table: &str, tags: &[Tag]) {
        for t in tags {
            self.sql
                .push_str(&format!(" AND EXISTS (SELECT 1 FROM tags g WHERE g.resource_id = {table}.id AND g.key = ?"));
            self.args.push(Sql::Text(t.key.clone()));
            if !t.value.is_empty() {
                self.sql.push_str(" AND g.value = ?");
                self.args.push(Sql::Text(t.value.clone()));
            }
            self.sql.push(')');
        }
    }

    fn ports(&mut self, field: &str, ranges: &[vspan_model::PortRange]) {
        if ranges.is_empty() {
            return;
        }
        let one = format!("(json_extract(body, '$.{field}.from') = ? AND json_extract(body, '$.{field}.to') = ?)");
        self.sql.push_str(&format!(" AND ({})", vec![one; ranges.len()].join(" OR ")));
        for r in ranges {
            self.args.push(Sql::Integer(i64::from(r.from)));
            self.args.push(Sql::Integer(i64::from(r.to)));
        }
    }

    fn hide_deleting(&mut self, table: &str, hide: bool) {
        if hide {
            self.sql.push_str(&format!(" AND json_extract({table}.body, '$.status') <> 'Deleting'"));
        }
    }
}

fn session_where(scope: &Scope, q: &SessionQuery) -> Where {
    let mut w = Where::scope("sessions", scope);
    w.texts("sessions.id", &q.ids);
    w.texts("sessions.name", &q.names);
    w.texts("json_extract(sessions.body, '$.description')", &q.descriptions);
    if let Some(v) = &q.source_id {
        w.sql.push_str(
            " AND EXISTS (SELECT 1 FROM session_sources ss WHERE ss.session_id = sessions.id AND ss.eni_id = ?)",
        );
        w.args.push(Sql::Text(v.clone()));
    }
    w.texts("sessions.target_id", &q.target_ids);
    w.any("json_extract(sessions.body, '$.target_type')", q.target_types.iter().map(|t| Sql::Text(stored(t))));
    w.texts("sessions.filter_id", &q.filter_ids);
    w.ints("sessions.vni", &q.vnis);
    w.ints("json_extract(sessions.body, '$.packet_length')", &q.packet_lengths);
    w.ints("sessions.priority", &q.priorities);
    if let Some(v) = q.enabled {
        w.eq("sessions.enabled", Sql::Integer(i64::from(v)));
    }
    if let Some(v) = &q.resource_group_id {
        w.eq("sessions.resource_group_id", Sql::Text(v.clone()));
    }
    w.hide_deleting("sessions", q.hide_deleting);
    w.tags("sessions", &q.tags);
    w
}

/// Whether a session query narrows nothing but the scope: its total is then the kept count.
fn session_unfiltered(q: &SessionQuery) -> bool {
    q.ids.is_empty()
        && q.names.is_empty()
        && q.descriptions.is_empty()
        && q.source_id.is_none()
        && q.target_ids.is_empty()
        && q.target_types.is_empty()
        && q.filter_ids.is_empty()
        && q.vnis.is_empty()
        && q.packet_lengths.is_empty()
        && q.priorities.is_empty()
        && q.enabled.is_none()
        && q.resource_group_id.is_none()
        && q.tags.is_empty()
        && !q.hide_deleting
}

fn filter_where(scope: &Scope, q: &FilterQuery) -> Where {
    let mut w = Where::scope("filters", scope);
    w.texts("filters.id", &q.ids);
    w.texts("filters.name", &q.names);
    w.texts("json_extract(filters.body, '$.description')", &q.descriptions);
    if let Some(v) = &q.resource_group_id {
        w.eq("filters.resource_group_id", Sql::Text(v.clone()));
    }
    w.hide_deleting("filters", q.hide_deleting);
    w.tags("filters", &q.tags);
    w
}

fn rule_where(scope: &Scope, q: &RuleQuery) -> Where {
    let mut w = Where::scope("rules", scope);
    w.texts("rules.id", &q.ids);
    w.texts("rules.filter_id", &q.filter_ids);
    w.texts("json_extract(rules.body, '$.description')", &q.descriptions);
    w.any("json_extract(rules.body, '$.direction')", q.directions.iter().map(|v| Sql::Text(stored(v))));
    w.any("json_extract(rules.body, '$.protocol')", q.protocols.iter().map(|v| Sql::Text(stored(v))));
    w.any("json_extract(rules.body, '$.action')", q.actions.iter().map(|v| Sql::Text(stored(v))));
    w.ints("json_extract(rules.body, '$.priority')", &q.priorities);
    w.texts("json_extract(rules.body, '$.source_cidr')", &q.source_cidrs);
    w.texts("json_extract(rules.body, '$.destination_cidr')", &q.destination_cidrs);
    w.ports("source_ports", &q.source_ports);
    w.ports("destination_ports", &q.destination_ports);
    w.hide_deleting("rules", q.hide_deleting);
    w
}

impl SqliteTx {
    fn bodies<T: DeserializeOwned>(&self, sql: &str, args: &[Sql]) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(from_json(&row?)?);
        }
        Ok(out)
    }

    fn body<T: DeserializeOwned>(&self, sql: &str, args: &[Sql]) -> Result<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let row: Option<String> = stmt.query_row(params_from_iter(args.iter()), |r| r.get(0)).optional()?;
        row.map(|s| from_json(&s)).transpose()
    }

    fn count(&self, sql: &str, args: &[Sql]) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.query_row(params_from_iter(args.iter()), |r| r.get(0))?)
    }

    fn exec(&self, sql: &str, args: &[Sql]) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(params_from_iter(args.iter()))?)
    }

    fn put_tags(&self, scope: &Scope, kind: &str, id: &str, tags: &[Tag]) -> Result<()> {
        self.exec("DELETE FROM tags WHERE resource_id = ?", &[Sql::Text(id.to_owned())])?;
        for t in tags {
            self.conn
                .prepare_cached(
                    "INSERT INTO tags (resource_id, resource_type, account, region, key, value) VALUES (?, ?, ?, ?, ?, ?)",
                )?
                .execute(params![id, kind, scope.account, scope.region, t.key, t.value])?;
        }
        Ok(())
    }

    fn get_inventory<T: DeserializeOwned>(&self, kind: &str, scope: &Scope, id: &str) -> Result<Option<T>> {
        self.body(
            "SELECT body FROM inventory WHERE kind = ? AND id = ? AND account = ? AND region = ?",
            &[
                Sql::Text(kind.into()),
                Sql::Text(id.into()),
                Sql::Text(scope.account.clone()),
                Sql::Text(scope.region.clone()),
            ],
        )
    }

    fn put_inventory<T: Serialize>(&self, kind: &str, id: &str, account: &str, region: &str, v: &T) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO inventory (kind, id, account, region, body) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (kind, id) DO UPDATE SET account = excluded.account, region = excluded.region,
                     body = excluded.body",
            )?
            .execute(params![kind, id, account, region, to_json(v)?])?;
        Ok(())
    }

    /// One page of `table` under `w`, ordered by id after the cursor; `total` is computed by
    /// `total` (a COUNT, or the kept count for an unfiltered scope).
    fn page<T: DeserializeOwned>(
        &self,
        table: &str,
        w: &Where,
        after: Option<&str>,
        limit: i64,
        total: i64,
    ) -> Result<Page<T>> {
        let mut sql = format!("SELECT {table}.body FROM {table}{}", w.sql);
        let mut args = w.args.clone();
        if let Some(a) = after {
            sql.push_str(&format!(" AND {table}.id > ?"));
            args.push(Sql::Text(a.to_owned()));
        }
        sql.push_str(&format!(" ORDER BY {table}.id LIMIT ?"));
        args.push(Sql::Integer(limit + 1));
        let mut items: Vec<T> = self.bodies(&sql, &args)?;
        let more = items.len() as i64 > limit;
        items.truncate(limit.max(0) as usize);
        Ok(Page { items, total, more })
    }

    fn counted(&self, table: &str, w: &Where) -> Result<i64> {
        self.count(&format!("SELECT COUNT(*) FROM {table}{}", w.sql), &w.args)
    }

    /// Keeps the per-scope session count that an unfiltered List answers as its total.
    fn add_session_count(&self, scope: &Scope, delta: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO scope_counts (account, region, sessions) VALUES (?, ?, ?)
                 ON CONFLICT (account, region) DO UPDATE SET sessions = sessions + excluded.sessions",
            )?
            .execute(params![scope.account, scope.region, delta])?;
        Ok(())
    }
}

fn txt(s: &str) -> Sql {
    Sql::Text(s.to_owned())
}

fn scope_args(scope: &Scope) -> [Sql; 2] {
    [txt(&scope.account), txt(&scope.region)]
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }

    async fn bump_revision(&mut self) -> Result<i64> {
        Ok(self.count("UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value", &[])?)
    }

    async fn revision(&mut self) -> Result<i64> {
        self.count("SELECT value FROM revision WHERE id = 1", &[])
    }

    async fn service_opened(&mut self, account: &str, region: &str) -> Result<bool> {
        let n = self.count(
            "SELECT COUNT(*) FROM services WHERE account = ? AND region IN (?, '*')",
            &[txt(account), txt(region)],
        )?;
        Ok(n > 0)
    }

    async fn open_service(&mut self, account: &str, region: &str, now_ms: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO services (account, region, opened_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            )?
            .execute(params![account, region, now_ms])?;
        Ok(())
    }

    async fn put_eni(&mut self, eni: &Eni) -> Result<()> {
        self.put_inventory("eni", &eni.id, &eni.account, &eni.region, eni)
    }

    async fn get_eni(&mut self, scope: &Scope, id: &str) -> Result<Option<Eni>> {
        self.get_inventory("eni", scope, id)
    }

    async fn put_instance(&mut self, i: &Instance) -> Result<()> {
        self.put_inventory("instance", &i.id, &i.account, &i.region, i)
    }

    async fn get_instance(&mut self, scope: &Scope, id: &str) -> Result<Option<Instance>> {
        self.get_inventory("instance", scope, id)
    }

    async fn put_load_balancer(&mut self, lb: &LoadBalancer) -> Result<()> {
        self.put_inventory("lb", &lb.id, &lb.account, &lb.region, lb)
    }

    async fn get_load_balancer(&mut self, scope: &Scope, id: &str) -> Result<Option<LoadBalancer>> {
        self.get_inventory("lb", scope, id)
    }

    async fn get_filter(&mut self, scope: &Scope, id: &str) -> Result<Option<Filter>> {
        let [a, r] = scope_args(scope);
        self.body("SELECT body FROM filters WHERE id = ? AND account = ? AND region = ?", &[txt(id), a, r])
    }

    async fn put_filter(&mut self, scope: &Scope, f: &Filter) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO filters (id, account, region, name, resource_group_id, settle_at, body)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, resource_group_id = excluded.resource_group_id,
                     settle_at = excluded.settle_at, body = excluded.body",
            )?
            .execute(params![
                f.id,
                scope.account,
                scope.region,
                f.name,
                f.resource_group_id,
                f.settle_at_ms,
                to_json(f)?
            ])?;
        self.put_tags(scope, "filter", &f.id, &f.tags)
    }

    async fn delete_filter(&mut self, id: &str) -> Result<()> {
        for sql in [
            "DELETE FROM rules WHERE filter_id = ?",
            "DELETE FROM tags WHERE resource_id = ?",
            "DELETE FROM filters WHERE id = ?",
        ] {
            self.exec(sql, &[txt(id)])?;
        }
        Ok(())
    }

    async fn list_filters(&mut self, scope: &Scope, q: &FilterQuery) -> Result<Page<Filter>> {
        let w = filter_where(scope, q);
        let total = self.counted("filters", &w)?;
        self.page("filters", &w, q.after.as_deref(), q.limit, total)
    }

    async fn rules_of(&mut self, filter_id: &str) -> Result<Vec<FilterRule>> {
        self.bodies("SELECT body FROM rules WHERE filter_id = ? ORDER BY id", &[txt(filter_id)])
    }

    async fn list_rules(&mut self, scope: &Scope, q: &RuleQuery) -> Result<Page<FilterRule>> {
        let w = rule_where(scope, q);
        let total = self.counted("rules", &w)?;
        self.page("rules", &w, q.after.as_deref(), q.limit, total)
    }

    async fn get_rule(&mut self, scope: &Scope, id: &str) -> Result<Option<FilterRule>> {
        let [a, r] = scope_args(scope);
        self.body("SELECT body FROM rules WHERE id = ? AND account = ? AND region = ?", &[txt(id), a, r])
    }

    async fn put_rule(&mut self, scope: &Scope, r: &FilterRule) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO rules (id, filter_id, account, region, settle_at, body) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET settle_at = excluded.settle_at, body = excluded.body",
            )?
            .execute(params![r.id, r.filter_id, scope.account, scope.region, r.settle_at_ms, to_json(r)?])?;
        Ok(())
    }

    async fn delete_rule(&mut self, id: &str) -> Result<()> {
        self.exec("DELETE FROM rules WHERE id = ?", &[txt(id)])?;
        Ok(())
    }

    async fn get_session(&mut self, scope: &Scope, id: &str) -> Result<Option<Session>> {
        let [a, r] = scope_args(scope);
        self.body("SELECT body FROM sessions WHERE id = ? AND account = ? AND region = ?", &[txt(id), a, r])
    }

    async fn put_session(&mut self, scope: &Scope, s: &Session) -> Result<()> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO sessions (id, account, region, name, filter_id, target_id, priority, vni, enabled,
                     resource_group_id, settle_at, body)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                s.id,
                scope.account,
                scope.region,
                s.name,
                s.filter_id,
                s.target_id,
                s.priority,
                s.vni,
                s.enabled,
                s.resource_group_id,
                s.settle_at_ms,
                to_json(s)?
            ])?;
        if inserted == 1 {
            self.add_session_count(scope, 1)?;
        } else {
            self.conn
                .prepare_cached(
                    "UPDATE sessions SET name = ?, filter_id = ?, target_id = ?, priority = ?, vni = ?, enabled = ?,
                         resource_group_id = ?, settle_at = ?, body = ? WHERE id = ?",
                )?
                .execute(params![
                    s.name,
                    s.filter_id,
                    s.target_id,
                    s.priority,
                    s.vni,
                    s.enabled,
                    s.resource_group_id,
                    s.settle_at_ms,
                    to_json(s)?,
                    s.id
                ])?;
            self.exec("DELETE FROM session_sources WHERE session_id = ?", &[txt(&s.id)])?;
        }
        for (i, eni) in s.sources.iter().enumerate() {
            self.conn
                .prepare_cached("INSERT INTO session_sources (session_id, eni_id, position) VALUES (?, ?, ?)")?
                .execute(params![s.id, eni, i as i64])?;
        }
        if inserted == 1 && s.tags.is_empty() {
            return Ok(());
        }
        self.put_tags(scope, "session", &s.id, &s.tags)
    }

    async fn delete_session(&mut self, id: &str) -> Result<()> {
        let scope: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT account, region FROM sessions WHERE id = ?")?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        for sql in [
            "DELETE FROM session_sources WHERE session_id = ?",
            "DELETE FROM tags WHERE resource_id = ?",
            "DELETE FROM sessions WHERE id = ?",
        ] {
            self.exec(sql, &[txt(id)])?;
        }
        if let Some((account, region)) = scope {
            self.add_session_count(&Scope::new(account, region), -1)?;
        }
        Ok(())
    }

    async fn list_sessions(&mut self, scope: &Scope, q: &SessionQuery) -> Result<Page<Session>> {
        let w = session_where(scope, q);
        let total = if session_unfiltered(q) {
            self.count(
                "SELECT COALESCE((SELECT sessions FROM scope_counts WHERE account = ? AND region = ?), 0)",
                &scope_args(scope),
            )?
        } else {
            self.counted("sessions", &w)?
        };
        self.page("sessions", &w, q.after.as_deref(), q.limit, total)
    }

    async fn sessions_with_source(&mut self, scope: &Scope, eni: &str) -> Result<Vec<Session>> {
        let [a, r] = scope_args(scope);
        // Driven from the ENI's few rows, never from the scope's many sessions.
        self.bodies(
            "SELECT s.body FROM session_sources ss CROSS JOIN sessions s ON s.id = ss.session_id
             WHERE ss.eni_id = ? AND s.account = ? AND s.region = ?",
            &[txt(eni), a, r],
        )
    }

    async fn sessions_with_target(&mut self, scope: &Scope, target: &str) -> Result<Vec<Session>> {
        let [a, r] = scope_args(scope);
        self.bodies(
            "SELECT body FROM sessions INDEXED BY sessions_target WHERE target_id = ? AND account = ? AND region = ?",
            &[txt(target), a, r],
        )
    }

    async fn sessions_with_priority(&mut self, scope: &Scope, priority: u32) -> Result<Vec<Session>> {
        let [a, r] = scope_args(scope);
        self.bodies(
            "SELECT body FROM sessions WHERE account = ? AND region = ? AND priority = ?",
            &[a, r, Sql::Integer(i64::from(priority))],
        )
    }

    async fn sessions_using_filter(&mut self, scope: &Scope, filter: &str) -> Result<Vec<Session>> {
        let [a, r] = scope_args(scope);
        self.bodies(
            "SELECT body FROM sessions INDEXED BY sessions_filter WHERE filter_id = ? AND account = ? AND region = ?",
            &[txt(filter), a, r],
        )
    }

    async fn list_tags(&mut self, scope: &Scope, q: &TagQuery) -> Result<Page<TagRow>> {
        let mut w = Where::scope("tags", scope);
        w.eq("tags.resource_type", txt(&q.resource_type));
        w.texts("tags.resource_id", &q.ids);
        for t in &q.tags {
            w.sql.push_str(" AND EXISTS (SELECT 1 FROM tags g WHERE g.resource_id = tags.resource_id AND g.key = ?");
            w.args.push(txt(&t.key));
            if !t.value.is_empty() {
                w.sql.push_str(" AND g.value = ?");
                w.args.push(txt(&t.value));
            }
            w.sql.push(')');
        }
        let total = self.counted("tags", &w)?;
        let mut sql = format!("SELECT resource_id, resource_type, key, value FROM tags{}", w.sql);
        let mut args = w.args.clone();
        if let Some((id, key)) = &q.after {
            sql.push_str(" AND (tags.resource_id > ? OR (tags.resource_id = ? AND tags.key > ?))");
            args.extend([txt(id), txt(id), txt(key)]);
        }
        sql.push_str(" ORDER BY resource_id, key LIMIT ?");
        args.push(Sql::Integer(q.limit + 1));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(TagRow { resource_id: r.get(0)?, resource_type: r.get(1)?, key: r.get(2)?, value: r.get(3)? })
        })?;
        let mut items = rows.collect::<std::result::Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Page { items, total, more })
    }

    async fn get_token(&mut self, account: &str, token: &str) -> Result<Option<TokenRecord>> {
        Ok(self
            .conn
            .prepare_cached("SELECT action, request_hash, response FROM client_tokens WHERE account = ? AND token = ?")?
            .query_row(params![account, token], |r| {
                Ok(TokenRecord { action: r.get(0)?, request_hash: r.get(1)?, response: r.get(2)? })
            })
            .optional()?)
    }

    async fn put_token(&mut self, account: &str, token: &str, rec: &TokenRecord, now_ms: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO client_tokens (account, token, action, request_hash, response, created_ms)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![account, token, rec.action, rec.request_hash, rec.response, now_ms])?;
        Ok(())
    }

    async fn due(&mut self, now_ms: i64, limit: i64) -> Result<Vec<(Settleable, Scope, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, account, region, id FROM (
                 SELECT 'rule' AS kind, account, region, id, settle_at FROM rules WHERE settle_at <= ?1
                 UNION ALL SELECT 'filter', account, region, id, settle_at FROM filters WHERE settle_at <= ?1
                 UNION ALL SELECT 'session', account, region, id, settle_at FROM sessions WHERE settle_at <= ?1)
             ORDER BY settle_at LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms, limit], |r| {
            let kind = match r.get::<_, String>(0)?.as_str() {
                "rule" => Settleable::Rule,
                "filter" => Settleable::Filter,
                _ => Settleable::Session,
            };
            Ok((kind, Scope::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?), r.get(3)?))
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    async fn next_due(&mut self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT MIN(t) FROM (
                 SELECT MIN(settle_at) AS t FROM rules WHERE settle_at IS NOT NULL
                 UNION ALL SELECT MIN(settle_at) FROM filters WHERE settle_at IS NOT NULL
                 UNION ALL SELECT MIN(settle_at) FROM sessions WHERE settle_at IS NOT NULL)",
            )?
            .query_row([], |r| r.get(0))?)
    }
}
