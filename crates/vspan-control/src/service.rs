//! The traffic mirror service itself: opened per account (OpenTrafficMirrorService is an
//! order-style call) and its status.

use crate::{Caller, Control, Result, now_ms};
use vspan_model::ModelError;

/// The region an account-wide opening is stored under.
const ALL_REGIONS: &str = "*";

impl Control {
    /// Opens the service for the caller's account in every region. Refused when the order
    /// system would refuse it, and when it is already open (`ORDER.OPEND` for Terraform).
    pub async fn open_service(&self, caller: &Caller, dry_run: bool) -> Result<()> {
        let mut tx = self.store.write().await?;
        caller.account.check_order()?;
        if tx.service_opened(&caller.scope.account, &caller.scope.region).await? {
            return Err(ModelError::ServiceAlreadyOpened.into());
        }
        if dry_run {
            return Err(ModelError::DryRun.into());
        }
        tx.open_service(&caller.scope.account, ALL_REGIONS, now_ms()).await?;
        tx.bump_revision().await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn service_enabled(&self, caller: &Caller) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.service_opened(&caller.scope.account, &caller.scope.region).await?)
    }
}
