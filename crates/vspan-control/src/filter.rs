//! Filters and filter rules. A rule change puts the rule in its transitional status and its
//! filter in `Modifying` until both settle, so concurrent rule changes on one filter are refused
//! (Alibaba documents that concurrent rule creations on one filter fail).

use crate::{Caller, Control, Result, WriteOpts, now_ms};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use vspan_model::filter::check_rule_set;
use vspan_model::status::transitional;
use vspan_model::{
    Direction, Field, Filter, FilterRule, IpVersion, Kind, ModelError, PortRange, Protocol, RuleAction, RuleSpec,
    Status, Tag, ids, tag, validate,
};
use vspan_store::{FilterQuery, Page, RuleQuery, Tx};

#[derive(Debug, Clone, Default)]
pub struct FilterCreate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCreated {
    pub id: String,
    pub resource_group_id: String,
    /// (direction, rule id) in the order the rules were given.
    pub rules: Vec<(Direction, String)>,
}

/// A change of one rule; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    pub action: Option<RuleAction>,
    pub priority: Option<i64>,
    pub protocol: Option<Protocol>,
    pub source_cidr: Option<IpNet>,
    pub destination_cidr: Option<IpNet>,
    /// `Some(None)` sets "every port".
    pub source_ports: Option<Option<PortRange>>,
    pub destination_ports: Option<Option<PortRange>>,
    pub description: Option<String>,
    pub ip_version: Option<IpVersion>,
}

/// A filter with its rules, as List* shows it.
#[derive(Debug, Clone)]
pub struct FilterView {
    pub filter: Filter,
    pub rules: Vec<FilterRule>,
}

pub const DEFAULT_RESOURCE_GROUP: &str = "rg-default";

fn check_texts(caller: &Caller, name: Option<&str>, description: Option<&str>) -> Result<()> {
    if let Some(n) = name {
        validate::name(Field::FilterName, n, &caller.policy)?;
    }
    if let Some(d) = description {
        validate::description(Field::FilterDescription, d, &caller.policy)?;
    }
    Ok(())
}

impl Control {
    async fn settled_filter(&self, tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<Filter> {
        let f = tx.get_filter(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(Kind::Filter, id))?;
        caller.policy.check_change(f.status, Kind::Filter, id)?;
        Ok(f)
    }

    /// Marks a filter and the given rules as changing together, and stores them.
    async fn store_rule_change(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        filter: &mut Filter,
        rules: &mut [FilterRule],
        wanted: Status,
    ) -> Result<()> {
        let now = now_ms();
        let rev = tx.bump_revision().await?;
        let settle_at = self.settle_at(now);
        for r in rules.iter_mut() {
            r.status = transitional(wanted, settle_at.is_none());
            r.settle_at_ms = settle_at;
            r.revision = rev;
            r.updated_ms = now;
            if wanted == Status::Creating {
                r.created_ms = now;
            }
        }
        filter.status = transitional(Status::Modifying, settle_at.is_none());
        filter.settle_at_ms = settle_at;
        filter.revision = rev;
        filter.updated_ms = now;
        tx.put_filter(&caller.scope, filter).await?;
        for r in rules.iter() {
            // Settled at once, a deleted rule is simply gone.
            if wanted == Status::Deleting && settle_at.is_none() {
                tx.delete_rule(&r.id).await?;
            } else {
                tx.put_rule(&caller.scope, r).await?;
            }
        }
        Ok(())
    }

    pub async fn create_filter(&self, caller: &Caller, opts: &WriteOpts, req: FilterCreate) -> Result<FilterCreated> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        check_texts(caller, req.name.as_deref(), req.description.as_deref())?;
        tag::validate_new(&req.tags, self.quotas().tags_per_resource)?;
        let priorities = check_rule_set(&[], &req.rules, &caller.policy, self.quotas().rules_per_direction)?;
        let now = now_ms();
        let rev = tx.bump_revision().await?;
        let settle_at = self.settle_at(now);
        let filter = Filter {
            id: caller.policy.new_id(ids::FILTER),
            name: req.name,
            description: req.description,
            resource_group_id: Some(req.resource_group_id.unwrap_or_else(|| DEFAULT_RESOURCE_GROUP.to_owned())),
            tags: req.tags,
            status: transitional(Status::Creating, settle_at.is_none()),
            created_ms: now,
            updated_ms: now,
            revision: rev,
            settle_at_ms: settle_at,
        };
        tx.put_filter(&caller.scope, &filter).await?;
        let mut out = FilterCreated {
            id: filter.id.clone(),
            resource_group_id: filter.resource_group_id.clone().unwrap_or_default(),
            rules: Vec::new(),
        };
        for (spec, p) in req.rules.into_iter().zip(priorities) {
            let mut rule = spec.into_rule(caller.policy.new_id(ids::RULE), &filter.id, p);
            rule.status = filter.status;
            rule.created_ms = now;
            rule.updated_ms = now;
            rule.revision = rev;
            rule.settle_at_ms = settle_at;
            tx.put_rule(&caller.scope, &rule).await?;
            out.rules.push((rule.direction, rule.id));
        }
        self.finish(tx, caller, opts, out).await
    }

    pub async fn update_filter(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        id: &str,
        name: Option<String>,
        description: Option<String>,
    ) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        check_texts(caller, name.as_deref(), description.as_deref())?;
        let mut f = self.settled_filter(&mut *tx, caller, id).await?;
        if name.is_some() {
            f.name = name;
        }
        if description.is_some() {
            f.description = description;
        }
        let now = now_ms();
        let settle_at = self.settle_at(now);
        f.revision = tx.bump_revision().await?;
        f.status = transitional(Status::Modifying, settle_at.is_none());
        f.settle_at_ms = settle_at;
        f.updated_ms = now;
        tx.put_filter(&caller.scope, &f).await?;
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn delete_filter(&self, caller: &Caller, opts: &WriteOpts, id: &str) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        let mut f = self.settled_filter(&mut *tx, caller, id).await?;
        if let Some(s) = self.live(caller, tx.sessions_using_filter(&caller.scope, id).await?).first() {
            return Err(ModelError::FilterInUse(s.id.clone()).into());
        }
        let now = now_ms();
        tx.bump_revision().await?;
        match self.settle_at(now) {
            None => tx.delete_filter(id).await?,
            Some(at) => {
                f.status = Status::Deleting;
                f.settle_at_ms = Some(at);
                f.updated_ms = now;
                tx.put_filter(&caller.scope, &f).await?;
                // Its rules go with it, and show so meanwhile.
                for mut r in tx.rules_of(id).await? {
                    r.status = Status::Deleting;
                    r.settle_at_ms = Some(at);
                    r.updated_ms = now;
                    tx.put_rule(&caller.scope, &r).await?;
                }
            }
        }
        self.finish(tx, caller, opts, ()).await
    }

    pub async fn list_filters(&self, caller: &Caller, q: &FilterQuery) -> Result<Page<FilterView>> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let hide = !caller.policy.shows(Status::Deleting);
        let page = tx.list_filters(&caller.scope, &FilterQuery { hide_deleting: hide, ..q.clone() }).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for filter in page.items {
            let rules = self.visible_rules(&mut *tx, caller, &filter.id).await?;
            items.push(FilterView { filter, rules });
        }
        Ok(Page { items, total: page.total, more: page.more })
    }

    pub async fn get_filter(&self, caller: &Caller, id: &str) -> Result<FilterView> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let filter = tx.get_filter(&caller.scope, id).await?.filter(|f| caller.policy.shows(f.status));
        let filter = filter.ok_or_else(|| ModelError::not_found(Kind::Filter, id))?;
        let rules = self.visible_rules(&mut *tx, caller, id).await?;
        Ok(FilterView { filter, rules })
    }

    async fn visible_rules(&self, tx: &mut dyn Tx, caller: &Caller, filter_id: &str) -> Result<Vec<FilterRule>> {
        Ok(tx.rules_of(filter_id).await?.into_iter().filter(|r| caller.policy.shows(r.status)).collect())
    }

    async fn changeable_rule(&self, tx: &mut dyn Tx, caller: &Caller, id: &str) -> Result<FilterRule> {
        let rule = tx.get_rule(&caller.scope, id).await?.ok_or_else(|| ModelError::not_found(Kind::Rule, id))?;
        // A rule's pending change keeps its filter busy: Alibaba reports the filter's status.
        match caller.policy.accepts_change(rule.status) {
            Some(true) => Ok(rule),
            Some(false) => Err(ModelError::IncorrectStatus(Kind::Filter).into()),
            None => Err(ModelError::not_found(Kind::Rule, id).into()),
        }
    }

    pub async fn get_rule(&self, caller: &Caller, id: &str) -> Result<FilterRule> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let rule = tx.get_rule(&caller.scope, id).await?.filter(|r| caller.policy.shows(r.status));
        Ok(rule.ok_or_else(|| ModelError::not_found(Kind::Rule, id))?)
    }

    pub async fn list_rules(&self, caller: &Caller, q: &RuleQuery) -> Result<Page<FilterRule>> {
        let mut tx = self.store.read().await?;
        self.gate(&mut *tx, caller, false).await?;
        let q = RuleQuery { hide_deleting: !caller.policy.shows(Status::Deleting), ..q.clone() };
        Ok(tx.list_rules(&caller.scope, &q).await?)
    }

    /// Deletes one rule, found by its id alone (Huawei's `DELETE .../traffic-mirror-filter-rules/{id}`).
    pub async fn delete_rule(&self, caller: &Caller, opts: &WriteOpts, rule_id: &str) -> Result<()> {
        let filter_id = {
            let mut tx = self.store.read().await?;
            let rule = tx.get_rule(&caller.scope, rule_id).await?.filter(|r| caller.policy.shows(r.status));
            rule.ok_or_else(|| ModelError::not_found(Kind::Rule, rule_id))?.filter_id
        };
        self.delete_rules(caller, opts, &filter_id, &[rule_id.to_owned()]).await
    }

    pub async fn create_rules(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        filter_id: &str,
        specs: Vec<RuleSpec>,
    ) -> Result<Vec<(Direction, String)>> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        if specs.is_empty() {
            return Err(ModelError::Missing(Field::IngressRules).into());
        }
        let mut filter = self.settled_filter(&mut *tx, caller, filter_id).await?;
        let existing = tx.rules_of(filter_id).await?;
        let priorities = check_rule_set(&existing, &specs, &caller.policy, self.quotas().rules_per_direction)?;
        let mut rules: Vec<FilterRule> = specs
            .into_iter()
            .zip(priorities)
            .map(|(s, p)| s.into_rule(caller.policy.new_id(ids::RULE), filter_id, p))
            .collect();
        self.store_rule_change(&mut *tx, caller, &mut filter, &mut rules, Status::Creating).await?;
        let out = rules.into_iter().map(|r| (r.direction, r.id)).collect();
        self.finish(tx, caller, opts, out).await
    }

    pub async fn delete_rules(
        &self,
        caller: &Caller,
        opts: &WriteOpts,
        filter_id: &str,
        rule_ids: &[String],
    ) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        if rule_ids.is_empty() {
            return Err(ModelError::Missing(Field::RuleIds).into());
        }
        let mut filter = self.settled_filter(&mut *tx, caller, filter_id).await?;
        let existing = tx.rules_of(filter_id).await?;
        let mut doomed = Vec::with_capacity(rule_ids.len());
        for id in rule_ids {
            let r = existing
                .iter()
                .find(|r| &r.id == id && caller.policy.shows(r.status))
                .ok_or_else(|| ModelError::not_found(Kind::Rule, id))?;
            if !doomed.iter().any(|d: &FilterRule| &d.id == id) {
                doomed.push(r.clone());
            }
        }
        self.store_rule_change(&mut *tx, caller, &mut filter, &mut doomed, Status::Deleting).await?;
        self.finish(tx, caller, opts, ()).await
    }

    /// Changes one rule. The filter is found through the rule (Alibaba does not send it).
    pub async fn update_rule(&self, caller: &Caller, opts: &WriteOpts, rule_id: &str, patch: RulePatch) -> Result<()> {
        let (mut tx, replay) = self.begin(caller, opts).await?;
        if let Some(r) = replay {
            return Ok(r);
        }
        let rule = self.changeable_rule(&mut *tx, caller, rule_id).await?;
        let mut filter = self.settled_filter(&mut *tx, caller, &rule.filter_id).await?;
        let mut spec = rule.spec();
        if let Some(v) = patch.action {
            spec.action = v;
        }
        if let Some(v) = patch.priority {
            spec.priority = v;
        }
        if let Some(v) = patch.protocol {
            spec.protocol = v;
            // A rule that becomes portless drops its ports instead of failing on them.
            if !v.has_ports() && patch.source_ports.is_none() && patch.destination_ports.is_none() {
                spec.source_ports = None;
                spec.destination_ports = None;
            }
        }
        if let Some(v) = patch.ip_version {
            spec.ip_version = v;
        }
        if let Some(v) = patch.source_cidr {
            spec.source_cidr = Some(v);
        }
        if let Some(v) = patch.destination_cidr {
            spec.destination_cidr = Some(v);
        }
        if let Some(v) = patch.source_ports {
            spec.source_ports = v;
        }
        if let Some(v) = patch.destination_ports {
            spec.destination_ports = v;
        }
        if let Some(v) = patch.description {
            spec.description = Some(v);
        }
        let others: Vec<FilterRule> =
            tx.rules_of(&rule.filter_id).await?.into_iter().filter(|r| r.id != rule_id).collect();
        let p =
            check_rule_set(&others, std::slice::from_ref(&spec), &caller.policy, self.quotas().rules_per_direction)?;
        let mut updated = spec.into_rule(rule.id.clone(), &rule.filter_id, p[0]);
        updated.created_ms = rule.created_ms;
        self.store_rule_change(&mut *tx, caller, &mut filter, std::slice::from_mut(&mut updated), Status::Modifying)
            .await?;
        self.finish(tx, caller, opts, ()).await
    }
}
