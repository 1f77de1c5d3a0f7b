//! Tags on sessions and filters, with Alibaba's documented key and value rules.

use crate::error::{Field, ModelError, QuotaKind, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Checks one tag: key 1-128 characters, not starting with `aliyun` or `acs:`, without
/// `http://`/`https://`; value at most 128 characters.
pub fn validate(tag: &Tag) -> Result<()> {
    let k = &tag.key;
    if k.is_empty() {
        return Err(ModelError::Missing(Field::TagKey));
    }
    if k.chars().count() > 128 {
        return Err(ModelError::invalid(Field::TagKey, "a tag key has at most 128 characters"));
    }
    let lower = k.to_ascii_lowercase();
    if lower.starts_with("aliyun") || lower.starts_with("acs:") {
        return Err(ModelError::invalid(Field::TagKey, "a tag key must not start with aliyun or acs:"));
    }
    if lower.contains("http://") || lower.contains("https://") {
        return Err(ModelError::invalid(Field::TagKey, "a tag key must not contain http:// or https://"));
    }
    if tag.value.chars().count() > 128 {
        return Err(ModelError::invalid(Field::TagValue, "a tag value has at most 128 characters"));
    }
    Ok(())
}

/// Merges `new` into `existing` (a key already present takes the new value) and checks the
/// per-resource quota on the result.
pub fn merge(existing: &mut Vec<Tag>, new: &[Tag], max: usize) -> Result<()> {
    for t in new {
        validate(t)?;
    }
    let mut merged = existing.clone();
    for t in new {
        match merged.iter_mut().find(|e| e.key == t.key) {
            Some(e) => e.value = t.value.clone(),
            None => merged.push(t.clone()),
        }
    }
    if merged.len() > max {
        return Err(ModelError::QuotaExceeded(QuotaKind::TagsPerResource));
    }
    *existing = merged;
    Ok(())
}

/// Checks a tag list given at creation: valid tags, no key twice, within the quota.
pub fn validate_new(tags: &[Tag], max: usize) -> Result<()> {
    let mut out = Vec::new();
    merge(&mut out, tags, max)?;
    if out.len() != tags.len() {
        return Err(ModelError::invalid(Field::TagKey, "a tag key is given twice"));
    }
    Ok(())
}

/// Whether a resource's tags carry every tag of `wanted` (an empty value matches any value
/// only when the caller gave none, as List* filters do).
pub fn matches(tags: &[Tag], wanted: &[Tag]) -> bool {
    wanted.iter().all(|w| tags.iter().any(|t| t.key == w.key && (w.value.is_empty() || t.value == w.value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str, v: &str) -> Tag {
        Tag { key: k.into(), value: v.into() }
    }

    #[test]
    fn key_rules() {
        assert!(validate(&tag("env", "")).is_ok());
        assert_eq!(validate(&tag("", "x")), Err(ModelError::Missing(Field::TagKey)));
        assert!(validate(&tag("aliyun-x", "")).is_err());
        assert!(validate(&tag("acs:x", "")).is_err());
        assert!(validate(&tag("a http://b", "")).is_err());
        assert!(validate(&tag(&"k".repeat(129), "")).is_err());
        assert!(validate(&tag("k", &"v".repeat(129))).is_err());
    }

    #[test]
    fn merge_replaces_and_counts() {
        let mut tags = vec![tag("a", "1")];
        merge(&mut tags, &[tag("a", "2"), tag("b", "")], 2).unwrap();
        assert_eq!(tags, vec![tag("a", "2"), tag("b", "")]);
        assert_eq!(merge(&mut tags, &[tag("c", "")], 2), Err(ModelError::QuotaExceeded(QuotaKind::TagsPerResource)));
        assert_eq!(tags.len(), 2);
    }
}
