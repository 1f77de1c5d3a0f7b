//! Interface discovery through sysfs: which network interfaces exist now, with their index
//! and MTU, and which of them the configured sources name.
//!
//! The agent rescans `/sys/class/net` periodically (every 500 ms by default) instead of
//! subscribing to netlink: a scan is a few small file reads, it needs no unsafe code and no
//! netlink crate, and it also catches an interface deleted and recreated under the same name
//! (its ifindex changes). A VM's tap coming up is picked up on the next scan; one that
//! vanishes is released on the next scan (its capture socket reports ENETDOWN before that,
//! which the worker tolerates).

use std::io;
use std::path::Path;

/// One network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub name: String,
    pub ifindex: u32,
    pub mtu: u32,
}

/// Interfaces present in `sysfs_net` (normally `/sys/class/net`). Entries that vanish while
/// being read are skipped.
pub fn scan(sysfs_net: &Path) -> io::Result<Vec<Link>> {
    let mut links = Vec::new();
    for entry in std::fs::read_dir(sysfs_net)? {
        let Ok(entry) = entry else { continue };
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let read = |f: &str| -> Option<u32> { std::fs::read_to_string(entry.path().join(f)).ok()?.trim().parse().ok() };
        let (Some(ifindex), Some(mtu)) = (read("ifindex"), read("mtu")) else {
            continue;
        };
        links.push(Link { name, ifindex, mtu });
    }
    links.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(links)
}

/// A configured source: an interface name or a pattern with `*` (e.g. `tap*`), and the ENI id
/// its sessions are found under (`TrafficMirrorSourceIds`); without one, the interface name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub pattern: String,
    pub eni: Option<String>,
}

impl Source {
    /// Parses `IFNAME`, `IFNAME=ENI_ID`, `PATTERN` or `PATTERN=ENI_ID`.
    pub fn parse(s: &str) -> Result<Source, String> {
        let (p, e) = match s.split_once('=') {
            Some((p, e)) => (p.trim(), Some(e.trim().to_string())),
            None => (s.trim(), None),
        };
        if p.is_empty() || p.len() > 64 || p.contains('/') {
            return Err(format!("{s:?}: not an interface name or pattern"));
        }
        if e.as_deref() == Some("") {
            return Err(format!("{s:?}: empty ENI id after '='"));
        }
        Ok(Source { pattern: p.to_string(), eni: e })
    }

    /// Whether interface `name` is this source.
    pub fn matches(&self, name: &str) -> bool {
        glob(self.pattern.as_bytes(), name.as_bytes())
    }

    /// ENI id of interface `name` under this source.
    pub fn eni_of(&self, name: &str) -> String {
        self.eni.clone().unwrap_or_else(|| name.to_string())
    }
}

/// `*`-only glob match.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_globs() -> Result<(), String> {
        let s = Source::parse("tap*=eni-1")?;
        assert!(s.matches("tap0") && s.matches("tap") && !s.matches("eth0"));
        assert_eq!(s.eni_of("tap3"), "eni-1");
        let s = Source::parse("a0")?;
        assert!(s.matches("a0") && !s.matches("a01"));
        assert_eq!(s.eni_of("a0"), "a0");
        assert!(Source::parse("").is_err() && Source::parse("x=").is_err());
        Ok(())
    }

    #[test]
    fn scans_sysfs() -> io::Result<()> {
        let links = scan(Path::new("/sys/class/net"))?;
        assert!(links.iter().any(|l| l.name == "lo" && l.ifindex >= 1));
        Ok(())
    }
}
