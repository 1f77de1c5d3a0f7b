//! vspan's application services: one module per resource, each a set of methods on
//! [`Control`] that runs one store transaction, asks `vspan-model` whether the change is
//! allowed, writes it and commits before answering. The [`reconcile`] task settles the
//! asynchronous states afterwards. No HTTP types: the dialects in `vspan-api` call these.

pub mod filter;
pub mod inventory;
pub mod reconcile;
pub mod service;
pub mod session;
pub mod tag;

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;
use vspan_model::{Account, ModelError, Policy, Quotas, Scope};
use vspan_store::{Store, StoreError, TokenRecord, Tx};

// The query and page types of List* calls, so the dialects need not depend on the store.
pub use vspan_store::{FilterQuery, Page, RuleQuery, SessionQuery, TagQuery, TagRow};

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, ControlError>;

/// Settings of the control plane that the server's configuration provides.
#[derive(Debug, Clone)]
pub struct ControlConfig {
    /// How long a change with no agent concerned stays transitional; 0 settles it at once.
    pub settle_delay_ms: u64,
    pub quotas: Quotas,
}

/// Who is calling, where: resolved by a dialect from the request's credentials.
#[derive(Debug, Clone)]
pub struct Caller {
    pub scope: Scope,
    pub account: Account,
    pub policy: Policy,
}

/// The write options every mutating call carries.
#[derive(Debug, Clone, Default)]
pub struct WriteOpts {
    /// Idempotency token; `None` means every call is new.
    pub client_token: Option<String>,
    /// Validate fully, write nothing, answer [`ModelError::DryRun`].
    pub dry_run: bool,
    /// The operation, so that a token reused for another operation is a mismatch.
    pub action: String,
    /// A digest of the request's business parameters, computed by the dialect.
    pub request_hash: String,
}

#[derive(Clone)]
pub struct Control {
    store: Arc<dyn Store>,
    config: ControlConfig,
    accounts: Arc<HashMap<String, Account>>,
    wake: Arc<Notify>,
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

impl Control {
    pub fn new(store: Arc<dyn Store>, config: ControlConfig, accounts: Vec<Account>) -> Self {
        let accounts = accounts.into_iter().map(|a| (a.id.clone(), a)).collect();
        Control { store, config, accounts: Arc::new(accounts), wake: Arc::new(Notify::new()) }
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.get(id)
    }

    /// The global revision: bumped by every write.
    pub async fn revision(&self) -> Result<i64> {
        let mut tx = self.store.read().await?;
        Ok(tx.revision().await?)
    }

    pub fn config(&self) -> &ControlConfig {
        &self.config
    }

    pub fn quotas(&self) -> &Quotas {
        &self.config.quotas
    }

    /// When a change made now settles, or `None` when it settles before the answer.
    fn settle_at(&self, now: i64) -> Option<i64> {
        (self.config.settle_delay_ms > 0).then(|| now + self.config.settle_delay_ms as i64)
    }

    /// Mirror operations need the service opened; writes also need the account in good standing.
    async fn gate(&self, tx: &mut dyn Tx, caller: &Caller, write: bool) -> Result<()> {
        if !caller.policy.requires_opt_in {
            return Ok(());
        }
        if !tx.service_opened(&caller.scope.account, &caller.scope.region).await? {
            return Err(ModelError::OptInRequired.into());
        }
        if write {
            caller.account.check_business()?;
        }
        Ok(())
    }

    /// Starts a write: the gate, then the answer of an earlier call with the same client token.
    async fn begin<T: DeserializeOwned>(&self, caller: &Caller, opts: &WriteOpts) -> Result<(Box<dyn Tx>, Option<T>)> {
        let mut tx = self.store.write().await?;
        self.gate(&mut *tx, caller, true).await?;
        let replay = self.replay(&mut *tx, caller, opts).await?;
        Ok((tx, replay))
    }

    async fn replay<T: DeserializeOwned>(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        opts: &WriteOpts,
    ) -> Result<Option<T>> {
        let Some(token) = &opts.client_token else { return Ok(None) };
        vspan_model::validate::client_token(token)?;
        match tx.get_token(&caller.scope.account, token).await? {
            None => Ok(None),
            Some(rec) if rec.action == opts.action && rec.request_hash == opts.request_hash => {
                Ok(Some(serde_json::from_str(&rec.response).map_err(StoreError::from)?))
            }
            Some(_) => Err(ModelError::IdempotentParameterMismatch.into()),
        }
    }

    /// Ends a write: a dry run rolls back and answers `DryRun`; otherwise the token is recorded
    /// with the answer, everything commits, and the reconciler is woken for the new deadline.
    async fn finish<T: Serialize>(&self, mut tx: Box<dyn Tx>, caller: &Caller, opts: &WriteOpts, out: T) -> Result<T> {
        if opts.dry_run {
            return Err(ModelError::DryRun.into());
        }
        if let Some(token) = &opts.client_token {
            let rec = TokenRecord {
                action: opts.action.clone(),
                request_hash: opts.request_hash.clone(),
                response: serde_json::to_string(&out).map_err(StoreError::from)?,
            };
            tx.put_token(&caller.scope.account, token, &rec, now_ms()).await?;
        }
        tx.commit().await?;
        // Only a change that waits to settle gives the reconciler anything to do.
        if self.config.settle_delay_ms > 0 {
            self.wake.notify_one();
        }
        Ok(out)
    }
}
