//! Field checks shared by both dialects: names, descriptions, numeric ranges, client tokens.

use crate::error::{Field, ModelError, Result};
use crate::policy::{NameCharset, Policy};

/// A resource name: length and charset from the dialect's policy.
pub fn name(field: Field, value: &str, policy: &Policy) -> Result<()> {
    text(field, value, policy.name_len, policy.name_charset, "name")
}

/// A resource description: length and charset from the dialect's policy.
pub fn description(field: Field, value: &str, policy: &Policy) -> Result<()> {
    match policy.description_charset {
        // Huawei restricts only angle brackets in descriptions, not the name charset.
        NameCharset::WordsDashDot => {
            len(field, value, policy.description_len, "description")?;
            if value.contains(['<', '>']) {
                return Err(ModelError::invalid(field, "a description must not contain < or >"));
            }
            Ok(())
        }
        cs => text(field, value, policy.description_len, cs, "description"),
    }
}

fn len(field: Field, value: &str, (min, max): (usize, usize), what: &str) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(ModelError::invalid(field, format!("a {what} has {min} to {max} characters")));
    }
    Ok(())
}

fn text(field: Field, value: &str, bounds: (usize, usize), cs: NameCharset, what: &str) -> Result<()> {
    len(field, value, bounds, what)?;
    match cs {
        NameCharset::NoUrlPrefix => {
            let l = value.to_ascii_lowercase();
            if l.starts_with("http://") || l.starts_with("https://") {
                return Err(ModelError::invalid(field, format!("a {what} must not start with http:// or https://")));
            }
            if value.chars().any(char::is_control) {
                return Err(ModelError::invalid(field, format!("a {what} must not contain control characters")));
            }
        }
        NameCharset::WordsDashDot => {
            if !value.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
                return Err(ModelError::invalid(
                    field,
                    format!("a {what} may hold only letters, digits, underscores, hyphens and periods"),
                ));
            }
        }
    }
    Ok(())
}

/// An integer within an inclusive range.
pub fn range(field: Field, value: i64, (min, max): (u32, u32)) -> Result<u32> {
    if value < i64::from(min) || value > i64::from(max) {
        return Err(ModelError::invalid(field, format!("the value must be between {min} and {max}")));
    }
    Ok(value as u32)
}

/// A client token: at most 64 ASCII characters (seed documents).
pub fn client_token(value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 64 || !value.is_ascii() {
        return Err(ModelError::invalid(Field::ClientToken, "a client token has 1 to 64 ASCII characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alibaba_names() {
        let p = Policy::ALIBABA;
        assert!(name(Field::SessionName, "s 1", &p).is_ok());
        assert!(name(Field::SessionName, "", &p).is_err());
        assert!(name(Field::SessionName, &"x".repeat(128), &p).is_ok());
        assert!(name(Field::SessionName, &"x".repeat(129), &p).is_err());
        assert!(name(Field::SessionName, "https://x", &p).is_err());
        assert!(description(Field::SessionDescription, &"d".repeat(256), &p).is_ok());
        assert!(description(Field::SessionDescription, &"d".repeat(257), &p).is_err());
    }

    #[test]
    fn huawei_names() {
        let p = Policy::HUAWEI;
        assert!(name(Field::SessionName, "a-b_c.d", &p).is_ok());
        assert!(name(Field::SessionName, "镜像会话", &p).is_ok());
        assert!(name(Field::SessionName, "a b", &p).is_err());
        assert!(name(Field::SessionName, &"x".repeat(65), &p).is_err());
        assert!(description(Field::SessionDescription, "", &p).is_ok());
        assert!(description(Field::SessionDescription, "a <b>", &p).is_err());
    }

    #[test]
    fn ranges_and_tokens() {
        assert_eq!(range(Field::VirtualNetworkId, 16_777_215, (0, 16_777_215)), Ok(16_777_215));
        assert!(range(Field::VirtualNetworkId, 16_777_216, (0, 16_777_215)).is_err());
        assert!(range(Field::VirtualNetworkId, -1, (0, 16_777_215)).is_err());
        assert!(client_token(&"a".repeat(64)).is_ok());
        assert!(client_token(&"a".repeat(65)).is_err());
        assert!(client_token("é").is_err());
        assert!(client_token("").is_err());
    }
}
