//! `vspan up`: the whole system in one process with no configuration at all: the server on
//! 127.0.0.1:8080, SQLite under ./vspan-data, one dev account (its keys made on first start,
//! kept in the data directory and printed), and a few declared demo ENIs to mirror.

use crate::config::{AccountConfig, BusinessStatusConfig, Config, EniConfig};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Where the database and the dev account's keys live.
    #[arg(long, default_value = "./vspan-data")]
    pub data_dir: PathBuf,
    /// Settle delay of asynchronous states, in ms.
    #[arg(long, default_value_t = 1000)]
    pub settle_delay_ms: u64,
}

pub const DEV_ACCOUNT: &str = "1000000000000001";
pub const DEV_REGION: &str = "cn-hangzhou";

/// The dev account's keys, made once per data directory.
#[derive(Debug, Serialize, Deserialize)]
pub struct DevKeys {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub huawei_project_id: String,
}

fn random_alnum(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut x = uuid::Uuid::new_v4().as_u128();
        for _ in 0..20 {
            if out.len() == n {
                break;
            }
            out.push(A[(x % A.len() as u128) as usize] as char);
            x /= A.len() as u128;
        }
    }
    out
}

fn dev_keys(data_dir: &Path) -> anyhow::Result<DevKeys> {
    let path = data_dir.join("dev-account.json");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()));
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let keys = DevKeys {
        access_key_id: format!("LTAI{}", random_alnum(20)),
        access_key_secret: random_alnum(30),
        huawei_project_id: uuid::Uuid::new_v4().simple().to_string(),
    };
    std::fs::write(&path, serde_json::to_string_pretty(&keys)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(keys)
}

fn demo_eni(n: u32, instance: bool) -> EniConfig {
    EniConfig {
        id: format!("eni-demo{n:016}"),
        account: DEV_ACCOUNT.into(),
        region: DEV_REGION.into(),
        instance_id: instance.then(|| format!("i-demo{n:014}")),
        ip: format!("10.0.0.{}", 10 + n),
        mac: format!("02:00:00:00:00:{:02x}", 0x10 + n),
        bond_slaves: None,
    }
}

pub fn config(args: &UpArgs) -> anyhow::Result<(Config, DevKeys)> {
    let keys = dev_keys(&args.data_dir)?;
    let cfg = Config {
        listen: args.listen.clone(),
        data_dir: args.data_dir.clone(),
        settle_delay_ms: args.settle_delay_ms,
        admin_token: None,
        quotas: Default::default(),
        accounts: vec![AccountConfig {
            id: DEV_ACCOUNT.into(),
            access_key_id: keys.access_key_id.clone(),
            access_key_secret: keys.access_key_secret.clone(),
            // The Huawei project names the same region, so both SDKs share the demo ENIs and sessions.
            huawei_projects: BTreeMap::from([(DEV_REGION.to_owned(), keys.huawei_project_id.clone())]),
            traffic_mirror_opened: true,
            business_status: BusinessStatusConfig::Normal,
            real_name_verified: true,
            basic_info_complete: true,
            inner_group_user: false,
            quota_enough: true,
            purchase_limit_reached: false,
            ram_users: vec![],
        }],
        instances: vec![],
        load_balancers: vec![],
        enis: vec![demo_eni(1, true), demo_eni(2, true), demo_eni(3, true), demo_eni(4, true)],
    };
    cfg.check()?;
    Ok((cfg, keys))
}

pub fn banner(addr: &std::net::SocketAddr, cfg: &Config, keys: &DevKeys) -> String {
    let (ak, sk, project) = (&keys.access_key_id, &keys.access_key_secret, &keys.huawei_project_id);
    let enis: Vec<&str> = cfg.enis.iter().map(|e| e.id.as_str()).collect();
    format!(
        "vspan is up.\n\
         \n  endpoint          http://{addr}  (Alibaba Cloud VPC RPC 2016-04-28, Huawei Cloud VPC v3)\
         \n  region            {DEV_REGION}\
         \n  account           {DEV_ACCOUNT}  (traffic mirror service opened)\
         \n  access_key_id     {ak}\
         \n  access_key_secret {sk}\
         \n  huawei project_id {project}  (region {DEV_REGION})\
         \n  data              {}\
         \n  demo ENIs         {}\
         \n\nPython (pip install alibabacloud-vpc20160428):\
         \n  from alibabacloud_tea_openapi.models import Config\
         \n  from alibabacloud_vpc20160428.client import Client\
         \n  vpc = Client(Config(access_key_id='{ak}', access_key_secret='{sk}',\
         \n                      region_id='{DEV_REGION}', endpoint='{addr}', protocol='http'))\
         \n\nPython (pip install huaweicloudsdkvpc):\
         \n  from huaweicloudsdkcore.auth.credentials import BasicCredentials\
         \n  from huaweicloudsdkvpc.v3 import VpcClient\
         \n  vpc = VpcClient.new_builder().with_credentials(BasicCredentials('{ak}', '{sk}', '{project}'))\
         \n                 .with_endpoint('http://{addr}').build()\n",
        cfg.data_dir.display(),
        enis.join(" "),
    )
}
