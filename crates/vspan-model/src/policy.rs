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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
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

pub const VNI_MAX: u32 = 16_777_215;

impl Policy {
    /// Alibaba Cloud VPC 2016-04-28 (reference/api-alibaba.md §3, §5).
    pub const ALIBABA: Policy = Policy {
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
