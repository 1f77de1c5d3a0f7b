//! RPC parameters: the decoded `key=value` pairs of the query string and form body, and typed
//! getters that answer the dialect's own parameter errors (`Missing<Name>`,
//! `InvalidParam.<Name>`). Values stay bytes until read, so a non-UTF-8 value is an error of
//! that parameter, and signatures are checked over exactly what was sent.

use super::error::AliError;
use std::collections::BTreeMap;

/// The longest value any parameter of this family may carry (descriptions are 256 characters).
const MAX_VALUE_BYTES: usize = 1024;

#[derive(Debug, Default, Clone)]
pub struct Params {
    pub pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

pub use crate::wire::parse_urlencoded;

impl Params {
    pub fn extend(&mut self, pairs: Vec<(Vec<u8>, Vec<u8>)>) {
        self.pairs.extend(pairs);
    }

    pub fn raw(&self, name: &str) -> Option<&[u8]> {
        self.pairs.iter().find(|(k, _)| k == name.as_bytes()).map(|(_, v)| v.as_slice())
    }

    /// A parameter's text; `None` when absent. Empty counts as given.
    pub fn str(&self, name: &str) -> Result<Option<&str>, AliError> {
        let Some(v) = self.raw(name) else { return Ok(None) };
        if v.len() > MAX_VALUE_BYTES {
            return Err(AliError::invalid(name, format!("the value is longer than {MAX_VALUE_BYTES} bytes")));
        }
        std::str::from_utf8(v).map(Some).map_err(|_| AliError::invalid(name, "the value is not valid UTF-8"))
    }

    /// A parameter's text, `None` only when absent: an empty value is a value, which the
    /// parameter's own rules then judge (an empty name is too short, an empty number invalid).
    pub fn opt(&self, name: &str) -> Result<Option<String>, AliError> {
        Ok(self.str(name)?.map(str::to_owned))
    }

    /// A required parameter: absent and empty are both missing.
    pub fn required(&self, name: &str) -> Result<String, AliError> {
        self.opt(name)?.filter(|s| !s.is_empty()).ok_or_else(|| AliError::Missing(name.to_owned()))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, AliError> {
        let Some(s) = self.opt(name)? else { return Ok(None) };
        s.trim().parse::<i64>().map(Some).map_err(|_| AliError::invalid(name, "the value is not an integer"))
    }

    pub fn required_int(&self, name: &str) -> Result<i64, AliError> {
        self.required(name)?;
        self.int(name)?.ok_or_else(|| AliError::Missing(name.to_owned()))
    }

    /// Booleans arrive as `true`/`false` from most clients and `True`/`False` from Python's.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, AliError> {
        let Some(s) = self.opt(name)? else { return Ok(None) };
        match s.to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(AliError::invalid(name, "the value must be true or false")),
        }
    }

    /// `Base.N` values ordered by N (1-based, at most `max`).
    pub fn list(&self, base: &str, max: usize) -> Result<Vec<String>, AliError> {
        let prefix = format!("{base}.");
        let mut found: BTreeMap<usize, String> = BTreeMap::new();
        for (k, _) in &self.pairs {
            let Some(rest) = k.strip_prefix(prefix.as_bytes()) else { continue };
            let n = std::str::from_utf8(rest)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| AliError::invalid(base, format!("N in {base}.N must be between 1 and {max}")))?;
            let key = format!("{base}.{n}");
            // Errors name the list, not the member: `InvalidParam.TrafficMirrorSourceIds`.
            let value = self.str(&key).map_err(|e| match e {
                AliError::Invalid(_, why) => AliError::Invalid(base.to_owned(), format!("{key}: {why}")),
                other => other,
            })?;
            found.insert(n, value.unwrap_or_default().to_owned());
        }
        Ok(found.into_values().collect())
    }

    /// `Base.N.Field` objects ordered by N (at most `max`), each as field -> value.
    pub fn objects(&self, base: &str, max: usize) -> Result<Vec<BTreeMap<String, String>>, AliError> {
        let prefix = format!("{base}.");
        let mut found: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix(prefix.as_bytes()) else { continue };
            let bad = || AliError::invalid(base, format!("expected {base}.N.Field with N between 1 and {max}"));
            let rest = std::str::from_utf8(rest).map_err(|_| bad())?;
            let (n, field) = rest.split_once('.').ok_or_else(bad)?;
            let n = n.parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(bad)?;
            if v.len() > MAX_VALUE_BYTES {
                return Err(AliError::invalid(
                    base,
                    format!("{base}.{n}.{field} is longer than {MAX_VALUE_BYTES} bytes"),
                ));
            }
            let value = std::str::from_utf8(v)
                .map_err(|_| AliError::invalid(base, format!("{base}.{n}.{field} is not valid UTF-8")))?;
            found.entry(n).or_default().insert(field.to_owned(), value.to_owned());
        }
        Ok(found.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Params {
        Params { pairs: parse_urlencoded(q.as_bytes()) }
    }

    #[test]
    fn decoding() {
        let x = p("a=s+1&b=%2F%zz&c=&d&e=%FF");
        assert_eq!(x.str("a").unwrap(), Some("s 1"));
        assert_eq!(x.str("b").unwrap(), Some("/%zz"));
        assert_eq!(x.str("c").unwrap(), Some(""));
        assert_eq!(x.str("d").unwrap(), Some(""));
        assert!(x.str("e").is_err());
        assert_eq!(x.str("zz").unwrap(), None);
        assert!(p("a=%4").str("a").unwrap() == Some("%4"));
    }

    #[test]
    fn typed() {
        let x = p("i=42&b=True&c=false&bad=maybe&n=abc");
        assert_eq!(x.int("i").unwrap(), Some(42));
        assert!(x.int("n").is_err());
        assert_eq!(x.bool("b").unwrap(), Some(true));
        assert_eq!(x.bool("c").unwrap(), Some(false));
        assert!(x.bool("bad").is_err());
        assert!(matches!(x.required("missing"), Err(AliError::Missing(_))));
    }

    #[test]
    fn lists_and_objects() {
        let x = p("S.2=b&S.1=a&R.1.Action=accept&R.1.Priority=1&R.2.Action=drop");
        assert_eq!(x.list("S", 10).unwrap(), vec!["a", "b"]);
        let o = x.objects("R", 10).unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0]["Priority"], "1");
        assert!(p("S.0=a").list("S", 10).is_err());
        assert!(p("S.11=a").list("S", 10).is_err());
        assert!(p("R.x=a").objects("R", 10).is_err());
    }
}
