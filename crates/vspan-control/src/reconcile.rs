//! The reconciler: settles pending changes. A change made with a settle delay leaves its
//! resource `Creating`/`Modifying`/`Deleting` with a deadline stored beside it; when the
//! deadline passes, this task moves it to `Created` (or removes it). The deadlines live in the
//! database, so a restarted server settles what a killed one left pending.
//!
//! (With agents, a change will settle when every agent concerned reports an applied revision at
//! or past the change's; the deadline is then the fallback for changes no agent is concerned by.)

use crate::{Control, Result, now_ms};
use std::time::Duration;
use vspan_model::Status;
use vspan_store::{Settleable, Tx};

/// The longest the reconciler sleeps without looking, in case a wake-up was missed.
const MAX_NAP: Duration = Duration::from_secs(1);
/// How many changes one transaction settles.
const BATCH: i64 = 256;

impl Control {
    /// Settles every change due now; answers how many it settled.
    pub async fn settle_due(&self) -> Result<usize> {
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let due = tx.due(now, BATCH).await?;
        for (kind, scope, id) in &due {
            match kind {
                Settleable::Session => {
                    if let Some(mut s) = tx.get_session(scope, id).await? {
                        match s.status.settled() {
                            None => tx.delete_session(id).await?,
                            Some(st) => {
                                s.status = st;
                                s.settle_at_ms = None;
                                tx.put_session(scope, &s).await?;
                            }
                        }
                    }
                }
                Settleable::Filter => {
                    if let Some(mut f) = tx.get_filter(scope, id).await? {
                        match f.status.settled() {
                            None => tx.delete_filter(id).await?,
                            Some(st) => {
                                f.status = st;
                                f.settle_at_ms = None;
                                tx.put_filter(scope, &f).await?;
                            }
                        }
                    }
                }
                Settleable::Rule => settle_rule(&mut *tx, scope, id).await?,
            }
        }
        tx.commit().await?;
        Ok(due.len())
    }

    /// Runs forever: settles what is due, then sleeps until the next deadline or a new write.
    pub async fn run_reconciler(self) {
        loop {
            match self.settle_due().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "settling pending changes failed; retrying"),
            }
            let nap = match self.next_due().await {
                Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(0, MAX_NAP.as_millis() as i64) as u64),
                _ => MAX_NAP,
            };
            if nap.is_zero() {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    async fn next_due(&self) -> Result<Option<i64>> {
        let mut tx = self.store.read().await?;
        Ok(tx.next_due().await?)
    }
}

async fn settle_rule(tx: &mut dyn Tx, scope: &vspan_model::Scope, id: &str) -> Result<()> {
    if let Some(mut r) = tx.get_rule(scope, id).await? {
        if r.status == Status::Deleting {
            tx.delete_rule(id).await?;
        } else {
            r.status = Status::Created;
            r.settle_at_ms = None;
            tx.put_rule(scope, &r).await?;
        }
    }
    Ok(())
}
