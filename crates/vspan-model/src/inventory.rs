//! What the mirror resources point at: accounts, instances, ENIs and load balancers. Declared
//! in the server's configuration (emulation) or registered by agents.

use crate::error::{ModelError, OrderRefusal, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BusinessStatus {
    #[default]
    Normal,
    /// Overdue payment: mirror writes answer `IncorrectBusinessStatus.TrafficMirror`.
    FinancialLocked,
}

impl BusinessStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessStatus::Normal => "Normal",
            BusinessStatus::FinancialLocked => "FinancialLocked",
        }
    }
}

/// The account facts an order-style call (OpenTrafficMirrorService) depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderProfile {
    pub real_name_verified: bool,
    pub basic_info_complete: bool,
    pub inner_group_user: bool,
    pub quota_enough: bool,
    pub purchase_limit_reached: bool,
}

impl Default for OrderProfile {
    fn default() -> Self {
        OrderProfile {
            real_name_verified: true,
            basic_info_complete: true,
            inner_group_user: false,
            quota_enough: true,
            purchase_limit_reached: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub business_status: BusinessStatus,
    pub order: OrderProfile,
}

impl Account {
    /// Whether the account may open the service, in the order the order system checks.
    pub fn check_order(&self) -> Result<()> {
        let o = &self.order;
        let refusal = if !o.real_name_verified {
            Some(OrderRefusal::NoRealNameAuthentication)
        } else if !o.basic_info_complete {
            Some(OrderRefusal::BasicInfoUncompleted)
        } else if o.inner_group_user {
            Some(OrderRefusal::InnerGroupUser)
        } else if !o.quota_enough {
            Some(OrderRefusal::QuotaNotEnough)
        } else if o.purchase_limit_reached {
            Some(OrderRefusal::ExceedPurchaseLimit)
        } else {
            None
        };
        refusal.map_or(Ok(()), |r| Err(ModelError::Order(r)))
    }

    /// Mirror writes need the account in good standing.
    pub fn check_business(&self) -> Result<()> {
        match self.business_status {
            BusinessStatus::Normal => Ok(()),
            BusinessStatus::FinancialLocked => Err(ModelError::IncorrectBusinessStatus),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub account: String,
    pub region: String,
    pub supports_traffic_mirror: bool,
    pub released: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eni {
    pub id: String,
    pub account: String,
    pub region: String,
    pub instance_id: Option<String>,
    pub ip: String,
    pub mac: String,
    /// `Some` for a bonding ENI; an empty list is a bond without slaves.
    pub bond_slaves: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub id: String,
    pub account: String,
    pub region: String,
    pub backends: Vec<String>,
}

/// RAM-style action patterns: `*` matches any run of characters (`vpc:List*`, `vpc:*`).
pub fn action_allowed(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|p| glob(p.as_bytes(), action.as_bytes()))
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some((c, rest)) => s.first().is_some_and(|d| d.eq_ignore_ascii_case(c)) && glob(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let p = vec!["vpc:List*".to_owned(), "vpc:GetTrafficMirrorServiceStatus".to_owned()];
        assert!(action_allowed(&p, "vpc:ListTrafficMirrorSessions"));
        assert!(action_allowed(&p, "vpc:GetTrafficMirrorServiceStatus"));
        assert!(!action_allowed(&p, "vpc:OpenTrafficMirrorService"));
        assert!(action_allowed(&["*".to_owned()], "vpc:Anything"));
    }

    #[test]
    fn order_checks_in_order() {
        let mut a = Account { id: "1".into(), business_status: BusinessStatus::Normal, order: OrderProfile::default() };
        assert!(a.check_order().is_ok());
        a.order.purchase_limit_reached = true;
        assert_eq!(a.check_order(), Err(ModelError::Order(OrderRefusal::ExceedPurchaseLimit)));
        a.order.real_name_verified = false;
        assert_eq!(a.check_order(), Err(ModelError::Order(OrderRefusal::NoRealNameAuthentication)));
    }
}
