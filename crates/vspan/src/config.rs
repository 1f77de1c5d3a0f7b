//! The server's configuration file (`vspan server --config vspan.toml`). The key names are a
//! contract that outside tools rely on: `listen`, `data_dir`, `settle_delay_ms`, `admin_token`,
//! `[[accounts]]` (`id`, `access_key_id`, `access_key_secret`, `huawei_projects`) and
//! `[[enis]]` (`id`, `account`, `region`, `instance_id`, `ip`, `mac`). Everything else here is
//! added on top and optional.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use vspan_model::{Account, BusinessStatus, Eni, Instance, LoadBalancer, OrderProfile, Quotas};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: String,
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default = "default_settle")]
    pub settle_delay_ms: u64,
    /// Token for the operator API and CLI; without it those are off.
    #[serde(default)]
    pub admin_token: Option<String>,
    #[serde(default)]
    pub quotas: Quotas,
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    #[serde(default)]
    pub instances: Vec<InstanceConfig>,
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancerConfig>,
    #[serde(default)]
    pub enis: Vec<EniConfig>,
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("./vspan-data")
}
fn default_settle() -> u64 {
    1000
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub id: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    /// Huawei region -> project id.
    #[serde(default)]
    pub huawei_projects: BTreeMap<String, String>,
    /// Start with the traffic mirror service already opened.
    #[serde(default)]
    pub traffic_mirror_opened: bool,
    #[serde(default)]
    pub business_status: BusinessStatusConfig,
    #[serde(default = "yes")]
    pub real_name_verified: bool,
    #[serde(default = "yes")]
    pub basic_info_complete: bool,
    #[serde(default)]
    pub inner_group_user: bool,
    #[serde(default = "yes")]
    pub quota_enough: bool,
    #[serde(default)]
    pub purchase_limit_reached: bool,
    #[serde(default)]
    pub ram_users: Vec<RamUserConfig>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub enum BusinessStatusConfig {
    #[default]
    Normal,
    FinancialLocked,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RamUserConfig {
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    /// RAM action patterns the user may call, such as `vpc:List*`.
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    pub id: String,
    pub account: String,
    pub region: String,
    #[serde(default = "yes")]
    pub supports_traffic_mirror: bool,
    #[serde(default)]
    pub released: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerConfig {
    pub id: String,
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub backends: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EniConfig {
    pub id: String,
    pub account: String,
    pub region: String,
    /// Omitted: a free ENI, attached to no instance.
    #[serde(default)]
    pub instance_id: Option<String>,
    pub ip: String,
    pub mac: String,
    /// Present: a bonding ENI with these slaves (empty: a bond without slaves).
    #[serde(default)]
    pub bond_slaves: Option<Vec<String>>,
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let cfg: Config = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Cross-field checks serde cannot express.
    pub fn check(&self) -> anyhow::Result<()> {
        let mut keys = HashSet::new();
        let accounts: HashSet<&str> = self.accounts.iter().map(|a| a.id.as_str()).collect();
        if accounts.len() != self.accounts.len() {
            bail!("an account id appears twice in [[accounts]]");
        }
        for a in &self.accounts {
            for k in std::iter::once(&a.access_key_id).chain(a.ram_users.iter().map(|u| &u.access_key_id)) {
                if k.is_empty() || !keys.insert(k.clone()) {
                    bail!("access key id {k:?} is empty or appears twice");
                }
            }
        }
        let mut ids = HashSet::new();
        let owned = self
            .enis
            .iter()
            .map(|e| (&e.id, &e.account))
            .chain(self.instances.iter().map(|i| (&i.id, &i.account)))
            .chain(self.load_balancers.iter().map(|l| (&l.id, &l.account)));
        for (id, account) in owned {
            if !accounts.contains(account.as_str()) {
                bail!("{id} belongs to account {account}, which [[accounts]] does not declare");
            }
            if !ids.insert(id.clone()) {
                bail!("{id} is declared twice");
            }
        }
        let mut projects: HashSet<String> = HashSet::new();
        for a in &self.accounts {
            for (region, project) in &a.huawei_projects {
                if project.len() != 32 || !project.bytes().all(|b| b.is_ascii_hexdigit()) {
                    bail!("account {}: huawei_projects.{region} must be a 32-hex-digit project id", a.id);
                }
                if !projects.insert(project.clone()) {
                    bail!("Huawei project id {project} appears twice");
                }
            }
        }
        for e in &self.enis {
            if e.ip.parse::<std::net::IpAddr>().is_err() {
                bail!("ENI {}: ip {:?} is not an IP address", e.id, e.ip);
            }
        }
        Ok(())
    }

    pub fn model_accounts(&self) -> Vec<Account> {
        self.accounts
            .iter()
            .map(|a| Account {
                id: a.id.clone(),
                business_status: match a.business_status {
                    BusinessStatusConfig::Normal => BusinessStatus::Normal,
                    BusinessStatusConfig::FinancialLocked => BusinessStatus::FinancialLocked,
                },
                order: OrderProfile {
                    real_name_verified: a.real_name_verified,
                    basic_info_complete: a.basic_info_complete,
                    inner_group_user: a.inner_group_user,
                    quota_enough: a.quota_enough,
                    purchase_limit_reached: a.purchase_limit_reached,
                },
            })
            .collect()
    }

    pub fn credentials(&self) -> Vec<vspan_api::Credential> {
        let mut out = Vec::new();
        for a in &self.accounts {
            out.push(vspan_api::Credential {
                access_key_id: a.access_key_id.clone(),
                secret: a.access_key_secret.clone(),
                account: a.id.clone(),
                user: None,
                allow: None,
            });
            for u in &a.ram_users {
                out.push(vspan_api::Credential {
                    access_key_id: u.access_key_id.clone(),
                    secret: u.access_key_secret.clone(),
                    account: a.id.clone(),
                    user: Some(u.name.clone()),
                    allow: Some(u.allow.clone()),
                });
            }
        }
        out
    }

    /// Huawei project id -> (account, region).
    pub fn projects(&self) -> std::collections::HashMap<String, vspan_api::Project> {
        let mut out = std::collections::HashMap::new();
        for a in &self.accounts {
            for (region, project) in &a.huawei_projects {
                out.insert(project.clone(), vspan_api::Project { account: a.id.clone(), region: region.clone() });
            }
        }
        out
    }

    pub fn declared(&self) -> vspan_control::inventory::Declared {
        vspan_control::inventory::Declared {
            enis: self
                .enis
                .iter()
                .map(|e| Eni {
                    id: e.id.clone(),
                    account: e.account.clone(),
                    region: e.region.clone(),
                    instance_id: e.instance_id.clone(),
                    ip: e.ip.clone(),
                    mac: e.mac.clone(),
                    bond_slaves: e.bond_slaves.clone(),
                })
                .collect(),
            instances: self
                .instances
                .iter()
                .map(|i| Instance {
                    id: i.id.clone(),
                    account: i.account.clone(),
                    region: i.region.clone(),
                    supports_traffic_mirror: i.supports_traffic_mirror,
                    released: i.released,
                })
                .collect(),
            load_balancers: self
                .load_balancers
                .iter()
                .map(|l| LoadBalancer {
                    id: l.id.clone(),
                    account: l.account.clone(),
                    region: l.region.clone(),
                    backends: l.backends.clone(),
                })
                .collect(),
            opened: self.accounts.iter().filter(|a| a.traffic_mirror_opened).map(|a| a.id.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_keys_parse() {
        let cfg: Config = toml::from_str(
            r#"
listen = "127.0.0.1:8080"
data_dir = "./vspan-data"
settle_delay_ms = 1000
admin_token = "x"

[[accounts]]
id = "1234567890123456"
access_key_id = "AK"
access_key_secret = "SK"
huawei_projects = { "cn-north-4" = "0123456789abcdef0123456789abcdef" }

[[enis]]
id = "eni-1"
account = "1234567890123456"
region = "cn-hangzhou"
instance_id = "i-1"
ip = "10.0.0.11"
mac = "02:00:00:00:00:11"
"#,
        )
        .unwrap();
        cfg.check().unwrap();
        assert_eq!(cfg.settle_delay_ms, 1000);
        assert_eq!(cfg.accounts[0].huawei_projects["cn-north-4"], "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn unknown_keys_and_owners_are_refused() {
        assert!(toml::from_str::<Config>("lisen = \"x\"").is_err());
        let cfg: Config = toml::from_str(
            "[[enis]]\nid = \"eni-1\"\naccount = \"9\"\nregion = \"r\"\nip = \"10.0.0.1\"\nmac = \"02:00:00:00:00:01\"\n",
        )
        .unwrap();
        assert!(cfg.check().is_err());
    }
}
