//! Access keys: which account (and, for a RAM user, which allowed actions) a key belongs to.
//! Also the replay guard for signature nonces.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Credential {
    pub access_key_id: String,
    pub secret: String,
    pub account: String,
    /// The RAM user's name; `None` for the account's own key.
    pub user: Option<String>,
    /// `None` for the account's own key; for a RAM user the action patterns it may call.
    pub allow: Option<Vec<String>>,
}

/// How long a timestamp may be off, and a nonce is remembered (Alibaba: 15 minutes).
pub const SKEW: Duration = Duration::from_secs(15 * 60);

/// Where a Huawei project lives: its account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub account: String,
    pub region: String,
}

#[derive(Debug, Default)]
pub struct Credentials {
    by_key: HashMap<String, Credential>,
    projects: HashMap<String, Project>,
    nonces: Mutex<NonceCache>,
}

#[derive(Debug, Default)]
struct NonceCache {
    seen: HashMap<String, Instant>,
    last_prune: Option<Instant>,
}

impl Credentials {
    /// `projects` maps Huawei project ids to (account, region).
    pub fn new(creds: Vec<Credential>, projects: HashMap<String, Project>) -> Self {
        Credentials {
            by_key: creds.into_iter().map(|c| (c.access_key_id.clone(), c)).collect(),
            projects,
            nonces: Mutex::default(),
        }
    }

    pub fn project(&self, id: &str) -> Option<&Project> {
        self.projects.get(id)
    }

    pub fn get(&self, access_key_id: &str) -> Option<&Credential> {
        self.by_key.get(access_key_id)
    }

    /// Records a nonce; answers false when it was already used within the window.
    pub fn use_nonce(&self, access_key_id: &str, nonce: &str) -> bool {
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-insert; the map is still sound.
        let mut cache = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        if cache.last_prune.is_none_or(|t| now.duration_since(t) > Duration::from_secs(10)) {
            cache.seen.retain(|_, t| now.duration_since(*t) < SKEW);
            cache.last_prune = Some(now);
        }
        let key = format!("{access_key_id}\n{nonce}");
        match cache.seen.get(&key) {
            Some(t) if now.duration_since(*t) < SKEW => false,
            _ => {
                cache.seen.insert(key, now);
                true
            }
        }
    }
}
