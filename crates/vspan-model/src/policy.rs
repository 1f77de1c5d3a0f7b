//! Per-dialect policy: the documented limits where the two vendors differ. The checks are written
//! once (in [`crate::validate`], [`crate::session`], [`crate::filter`]) and read their bounds here.

/// Which characters a name may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCharset {
    /// Any text that does not start with `http://` or `https://` (Alibaba).
    NoUrlPrefix,
    /// Letters (any script, so Chinese characters too), digits, `_`, `-`, `.` (Huawei).
    WordsDashDot,
}

/// How a dialect's new resource ids look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStyle {
    /// `tms-` + 20 lower-case alphanumerics (Alibaba).
    Prefixed,
    /// A UUID (Huawei).
    Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub id_style: IdStyle,
    /// The service must be opened (OpenTrafficMirrorService) before mirror calls, and writes
    /// need the account in good business standing (Alibaba).
    pub requires_opt_in: bool,
    /// A change is refused while an earlier one on the same resource has not settled
    /// (Alibaba's `IncorrectStatus.*`). Huawei documents synchronous calls: there the later
    /// change simply supersedes, and a resource being deleted is already gone.
    pub serializes_changes: bool,
    pub name_len: (usize, usize),
    pub name_charset: NameCharset,
    pub description_len: (usize, usize),
    /// Huawei forbids `<` and `>` in descriptions; Alibaba forbids the URL prefixes.
    pub description_charset: NameCharset,
    pub packet_length: (u32, u32),
    pub packet_length_default: u32,
    /// `None`: the server picks a random VNI when the caller gives none.
    pub vni_default: Option<u32>,
    pub session_priority: (u32, u32),
    pub rule_priority: (u32, u32),
    /// Whether TCP and UDP rules must name their port ranges (Alibaba: yes; Huawei: absent
    /// means every port).
    pub rule_ports_required: bool,
}

impl Policy {
    /// A new id of the kind `prefix` names (`ids::SESSION`, ...), in this dialect's style.
    pub fn new_id(&self, prefix: &str) -> String {
        match self.id_style {
            IdStyle::Prefixed => crate::ids::new_id(prefix),
            IdStyle::Uuid => uuid::Uuid::new_v4().to_string(),
        }
    }

    /// Whether a resource in `status` accepts a change under this policy; `None` means the
    /// resource counts as gone (being deleted, for a synchronous dialect).
    pub fn accepts_change(&self, status: crate::Status) -> Option<bool> {
        match (self.serializes_changes, status) {
            (_, crate::Status::Created) => Some(true),
            (true, _) => Some(false),
            (false, crate::Status::Deleting) => None,
            (false, _) => Some(true),
        }
    }

    /// Refuses a change of a resource of `kind` in `status`: `IncorrectStatus` while an earlier
    /// change is pending (where changes are serialized), `NotFound` when it is being deleted
    /// (where calls are synchronous).
    pub fn check_change(&self, status: crate::Status, kind: crate::Kind, id: &str) -> crate::error::Result<()> {
        match self.accepts_change(status) {
            Some(true) => Ok(()),
            Some(false) => Err(crate::ModelError::IncorrectStatus(kind)),
            None => Err(crate::ModelError::not_found(kind, id)),
        }
    }

    /// Whether a resource in `status` is visible at all under this policy.
    pub fn shows(&self, status: crate::Status) -> bool {
        self.serializes_changes || status != crate::Status::Deleting
    }
}

pub const VNI_MAX: u32 = 16_777_215;

impl Policy {
    /// Alibaba Cloud VPC 2016-04-28 (reference/api-alibaba.md §3, §5).
    pub const ALIBABA: Policy = Policy {
        id_style: IdStyle::Prefixed,
        requires_opt_in: true,
        serializes_changes: true,
        name_len: (1, 128),
        name_charset: NameCharset::NoUrlPrefix,
        description_len: (1, 256),
        description_charset: NameCharset::NoUrlPrefix,
        packet_length: (64, 8500),
        packet_length_default: 1500,
        vni_default: None,
        session_priority: (1, 32766),
        rule_priority: (1, 10),
        rule_ports_required: true,
    };

    /// Huawei Cloud VPC v3 (reference/api-huawei.md).
    pub const HUAWEI: Policy = Policy {
        id_style: IdStyle::Uuid,
        requires_opt_in: false,
        serializes_changes: false,
        name_len: (1, 64),
        name_charset: NameCharset::WordsDashDot,
        description_len: (0, 255),
        description_charset: NameCharset::WordsDashDot,
        packet_length: (1, 1460),
        packet_length_default: 96,
        vni_default: Some(1),
        session_priority: (1, 32766),
        rule_priority: (1, 65535),
        rule_ports_required: false,
    };
}
