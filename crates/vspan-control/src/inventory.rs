//! The inventory mirror resources point at: ENIs, instances and load balancers. At startup the
//! server declares what its configuration lists (emulation); agents will register theirs.

use crate::{Control, Result};
use vspan_model::{Eni, Instance, LoadBalancer};

/// Everything the configuration declares.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub enis: Vec<Eni>,
    pub instances: Vec<Instance>,
    pub load_balancers: Vec<LoadBalancer>,
    /// Accounts whose service starts opened: (account).
    pub opened: Vec<String>,
}

impl Control {
    /// Writes the declared inventory (replacing earlier declarations of the same ids) in one
    /// transaction. An instance an ENI names but the configuration does not declare exists
    /// implicitly, supports mirroring and is running.
    pub async fn declare(&self, d: &Declared) -> Result<()> {
        let mut tx = self.store.write().await?;
        for i in &d.instances {
            tx.put_instance(i).await?;
        }
        for eni in &d.enis {
            if let Some(id) = &eni.instance_id
                && !d.instances.iter().any(|i| &i.id == id)
            {
                tx.put_instance(&Instance {
                    id: id.clone(),
                    account: eni.account.clone(),
                    region: eni.region.clone(),
                    supports_traffic_mirror: true,
                    released: false,
                })
                .await?;
            }
            tx.put_eni(eni).await?;
        }
        for lb in &d.load_balancers {
            tx.put_load_balancer(lb).await?;
        }
        for account in &d.opened {
            tx.open_service(account, "*", crate::now_ms()).await?;
        }
        tx.bump_revision().await?;
        tx.commit().await?;
        Ok(())
    }
}
