//! Traffic mirror sessions: create, change, add and remove sources, delete, list. The checks
//! are `vspan_model::session`'s; this module gathers the facts they need inside the write
//! transaction, so what is checked is what is written.

use crate::{Caller, Control, Result, WriteOpts, now_ms};
use serde::{Deserialize, Serialize};
use vspan_model::session::{
    SessionPatch, SourceFacts, TargetFacts, check_add, check_not_own_target, check_priority_free, check_remove,
    check_source, check_source_list, check_target,
};
use vspan_model::status::transitional;
use vspan_model::{Field, Kind, ModelError, Session, SessionSpec, Status, TargetType, ids};
use vspan_store::{Page, SessionQuery, Tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCreated {
    pub id: String,
    pub resource_group_id: String,
}

impl Control {
    /// The sessions that still exist for the caller: for a synchronous dialect a session being
    /// deleted is gone, and holds no priority, source or filter any more.
    pub(crate) fn live(&self, caller: &Caller, sessions: Vec<Session>) -> Vec<Session> {
        sessions.into_iter().filter(|s| caller.policy.shows(s.status)).collect()
    }

    async fn settled_session(&self, tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<Session> {
        let s = tx.get_session(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(Kind::Session, id))?;
        caller.policy.check_change(s.status, Kind::Session, id)?;
        Ok(s)
    }

    async fn settled_filter_for_session(&self, tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<()> {
        let f = tx.get_filter(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(Kind::Filter, id))?;
        caller.policy.check_change(f.status, Kind::Filter, id)?;
        Ok(())
    }

    /// Facts about `eni` as a source of `session_id` (or of a new session).
    async fn source_facts(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        eni_id: &str,
        session_id: Option<&str>,
    ) -> Result<SourceFacts> {
        let eni = tx.get_eni(&caller.scope, eni_id).await?;
        let instance = match eni.as_ref().and_then(|e| e.instance_id.clone()) {
            Some(i) => tx.get_instance(&caller.scope, &i).await?,
            None => None,
        };
        let holding = self.live(caller, tx.sessions_with_source(&caller.scope, eni_id).await?);
        let other_sessions = holding.iter().filter(|s| Some(s.id.as_str()) != session_id).count();
        let is_target = self
            .live(caller, tx.sessions_with_target(&caller.scope, eni_id).await?)
            .iter()
            .any(|s| s.target_type == TargetType::NetworkInterface);
        Ok(SourceFacts { eni, instance, other_sessions, is_target })
    }

    async fn check_sources(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        ids: &[String],
        session_id: Option<&str>,
    ) -> Result<()> {
        for id in ids {
            let facts = self.source_facts(tx, caller, id, session_id).await?;
            check_source(id, &facts, self.quotas())?;
        }
        Ok(())
    }

    async fn check_target(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        id: &str,
        kind: TargetType,
        own_sources: usize,
        session_id: Option<&str>,
    ) -> Result<()> {
        let mut facts = TargetFacts::default();
        match kind {
            TargetType::NetworkInterface => {
                facts.eni = tx.get_eni(&caller.scope, id).await?;
                facts.is_source = !self.live(caller, tx.sessions_with_source(&caller.scope, id).await?).is_empty();
            }
            TargetType::Slb => facts.load_balancer = tx.get_load_balancer(&caller.scope, id).await?,
        }
        facts.other_sources = self
            .live(caller, tx.sessions_with_target(&caller.scope, id).await?)
            .iter()
            .filter(|s| Some(s.id.as_str()) != session_id)
            .map(|s| s.sources.len())
            .sum();
        check_target(id, kind, &facts, own_sources, self.quotas())?;
        Ok(())
    }

    /// Stores a session with its change marked pending (or settled at once).
    async fn store_session(&self, tx: &mut dyn Tx, caller: &Caller, s: &mut Session, wanted: Status) -> Result<()> {
        let now = now_ms();
        let settle_at = self.settle_at(now);
        s.revision = tx.bump_revision().await?;
        s.status = transitional(wanted, settle_at.is_none());
        s.settle_at_ms = settle_at;
        s.updated_ms = now;
        tx.put_session(&caller.scope, s).await?;
        Ok(())
    }

    pub async fn create_session(&self, caller: &Caller, opts: &WriteOpts, spec: SessionSpec) -> Result<SessionCreated> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        let n = spec.validate(&caller.policy, self.quotas())?;
        let target_type = spec.target_type.ok_or(ModelError::Missing(Field::TargetType))?;
        let priority = n.priority.ok_or(ModelError::Missing(Field::Priority))?;
        check_priority_free(
            &self.live(caller, tx.sessions_with_priority(&caller.scope, priority).await?),
            None,
            priority,
        )?;
        self.settled_filter_for_session(&mut *tx, caller, &spec.filter_id).await?;
        if target_type == TargetType::NetworkInterface && spec.sources.contains(&spec.target_id) {
            return Err(ModelError::DuplicateRole(spec.target_id.clone()).into());
        }
        self.check_target(&mut *tx, caller, &spec.target_id, target_type, spec.sources.len(), None).await?;
        self.check_sources(&mut *tx, caller, &spec.sources, None).await?;
        let vni =
            n.vni.or(caller.policy.vni_default).unwrap_or_else(|| ids::random_below(vspan_model::policy::VNI_MAX + 1));
        let now = now_ms();
        let mut s = Session {
            id: caller.policy.new_id(ids::SESSION),
            name: spec.name,
            description: spec.description,
            filter_id: spec.filter_id,
            sources: spec.sources,
            target_id: spec.target_id,
            target_type,
            vni,
            packet_length: n.packet_length.unwrap_or(caller.policy.packet_length_default),
            priority,
            enabled: spec.enabled.unwrap_or(false),
            resource_group_id: Some(
                spec.resource_group_id.unwrap_or_else(|| crate::filter::DEFAULT_RESOURCE_GROUP.to_owned()),
            ),
            tags: spec.tags,
            status: Status::Creating,
            created_ms: now,
            updated_ms: now,
            revision: 0,
            settle_at_ms: None,
        };
        self.store_session(&mut *tx, caller, &mut s, Status::Creating).await?;
        let out = SessionCreated { id: s.id, resource_group_id: s.resource_group_id.unwrap_or_default() };
        self.finish(tx, caller, opts, out).await
    }

    pub async fn update_session(&self, caller: &Caller, opts: &WriteOpts, id: &str, patch: SessionPatch) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        let n = patch.validate(&caller.policy)?;
        let mut s = self.settled_session(&mut *tx, caller, id).await?;
        if let Some(f) = &patch.filter_id
            && f != &s.filter_id
        {
            self.settled_filter_for_session(&mut *tx, caller, f).await?;
        }
        if let Some(p) = n.priority {
            check_priority_free(&self.live(caller, tx.sessions_with_priority(&caller.scope, p).await?), Some(id), p)?;
        }
        let target_changes = patch.target_id.as_ref().is_some_and(|t| t != &s.target_id)
            || patch.target_type.is_some_and(|t| t != s.target_type);
        patch.apply(&n, &mut s);
        if target_changes {
            if s.target_type == TargetType::NetworkInterface && s.sources.contains(&s.target_id) {
                return Err(ModelError::DuplicateRole(s.target_id.clone()).into());
            }
            self.check_target(&mut *tx, caller, &s.target_id.clone(), s.target_type, s.sources.len(), Some(id)).await?;
        }
        self.store_session(&mut *tx, caller, &mut s, Status::Modifying).await?;
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn add_sources(&self, caller: &Caller, opts: &WriteOpts, id: &str, sources: &[String]) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        if sources.is_empty() {
            return Err(ModelError::Missing(Field::SourceIds).into());
        }
        check_source_list(sources)?;
        let mut s = self.settled_session(&mut *tx, caller, id).await?;
        check_add(&s, sources, self.quotas())?;
        for eni in sources {
            check_not_own_target(&s, eni)?;
        }
        self.check_sources(&mut *tx, caller, sources, Some(id)).await?;
        self.check_target(
            &mut *tx,
            caller,
            &s.target_id.clone(),
            s.target_type,
            s.sources.len() + sources.len(),
            Some(id),
        )
        .await?;
        s.sources.extend(sources.iter().cloned());
        self.store_session(&mut *tx, caller, &mut s, Status::Modifying).await?;
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn remove_sources(&self, caller: &Caller, opts: &WriteOpts, id: &str, sources: &[String]) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        if sources.is_empty() {
            return Err(ModelError::Missing(Field::SourceIds).into());
        }
        check_source_list(sources)?;
        let mut s = self.settled_session(&mut *tx, caller, id).await?;
        for eni in sources {
            if tx.get_eni(&caller.scope, eni).await?.is_none() {
                return Err(ModelError::not_found(Kind::NetworkInterface, eni.clone()).into());
            }
            check_remove(&s, eni)?;
        }
        s.sources.retain(|e| !sources.contains(e));
        self.store_session(&mut *tx, caller, &mut s, Status::Modifying).await?;
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn delete_session(&self, caller: &Caller, opts: &WriteOpts, id: &str) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        let mut s = self.settled_session(&mut *tx, caller, id).await?;
        self.settled_filter_for_session(&mut *tx, caller, &s.filter_id).await?;
        match self.settle_at(now_ms()) {
            None => {
                tx.bump_revision().await?;
                tx.delete_session(id).await?;
            }
            Some(_) => self.store_session(&mut *tx, caller, &mut s, Status::Deleting).await?,
        }
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn list_sessions(&self, caller: &Caller, q: &SessionQuery) -> Result<Page<Session>> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let q = SessionQuery { hide_deleting: !caller.policy.shows(Status::Deleting), ..q.clone() };
        Ok(tx.list_sessions(&caller.scope, &q).await?)
    }

    pub async fn get_session(&self, caller: &Caller, id: &str) -> Result<Session> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let s = tx.get_session(&caller.scope, id).await?.filter(|s| caller.policy.shows(s.status));
        Ok(s.ok_or_else(|| ModelError::not_found(Kind::Session, id))?)
    }
}
