//! JSON bodies and query strings of the Huawei dialect, read leniently where Huawei's own
//! schemas disagree (numbers and booleans may arrive as strings) and strictly everywhere else,
//! each failure naming the field.

use super::error::HwError;
use serde_json::{Map, Value};

/// The object inside a body's wrapper (`{"traffic_mirror_session": {...}}`).
pub fn wrapped(body: &[u8], wrapper: &str) -> Result<Map<String, Value>, HwError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| HwError::Body(format!("not JSON: {e}")))?;
    match v {
        Value::Object(mut m) => match m.remove(wrapper) {
            Some(Value::Object(inner)) => Ok(inner),
            Some(_) => Err(HwError::Body(format!("{wrapper} must be an object"))),
            None => Err(HwError::Body(format!("the body must be {{\"{wrapper}\": {{...}}}}"))),
        },
        _ => Err(HwError::Body("the body must be a JSON object".into())),
    }
}

/// Typed reads of one object's fields; `null` counts as absent.
pub struct Fields<'a>(pub &'a Map<String, Value>);

impl Fields<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> Result<Option<String>, HwError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(HwError::invalid(name, "must be a string")),
        }
    }

    pub fn required_str(&self, name: &str) -> Result<String, HwError> {
        self.str(name)?.ok_or_else(|| HwError::Missing(name.to_owned()))
    }

    /// An integer, as a JSON number or a string of digits.
    pub fn int(&self, name: &str) -> Result<Option<i64>, HwError> {
        let bad = || HwError::invalid(name, "must be an integer");
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }

    pub fn required_int(&self, name: &str) -> Result<i64, HwError> {
        self.int(name)?.ok_or_else(|| HwError::Missing(name.to_owned()))
    }

    /// A boolean, as JSON `true`/`false` or the strings `"true"`/`"false"`.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, HwError> {
        let bad = || HwError::invalid(name, "must be true or false");
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }

    pub fn str_list(&self, name: &str) -> Result<Option<Vec<String>>, HwError> {
        let bad = || HwError::invalid(name, "must be an array of strings");
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(bad()),
        }
    }
}

/// A list call's query: repeated keys collect into lists.
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Result<Query, HwError> {
        let mut out = Vec::new();
        for (k, v) in crate::wire::parse_urlencoded(raw.as_bytes()) {
            let k = String::from_utf8(k).map_err(|_| HwError::invalid("query", "a key is not UTF-8"))?;
            let v = String::from_utf8(v).map_err(|_| HwError::invalid(&k, "the value is not UTF-8"))?;
            out.push((k, v));
        }
        Ok(Query(out))
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub fn one(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    pub fn ints(&self, name: &str, lo: i64, hi: i64) -> Result<Vec<u32>, HwError> {
        self.all(name)
            .iter()
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (lo..=hi).contains(n))
                    .map(|n| n as u32)
                    .ok_or_else(|| HwError::invalid(name, format!("must be an integer between {lo} and {hi}")))
            })
            .collect()
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, HwError> {
        match self.one(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(HwError::invalid(name, "must be true or false")),
        }
    }

    /// `limit` (0-2000; 0 or absent means 2000) and `marker`.
    pub fn paging(&self) -> Result<(i64, Option<String>), HwError> {
        let limit = match self.one("limit") {
            None => 2000,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=2000).contains(n))
                .ok_or_else(|| HwError::invalid("limit", "must be an integer between 0 and 2000"))?,
        };
        Ok((if limit == 0 { 2000 } else { limit }, self.one("marker").filter(|m| !m.is_empty())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_numbers_and_booleans() {
        let v = json!({"a": 7, "b": "7", "c": "x", "t": true, "s": "true", "n": null, "l": ["x", "y"], "bl": [1]});
        let m = v.as_object().unwrap();
        let f = Fields(m);
        assert_eq!(f.int("a").unwrap(), Some(7));
        assert_eq!(f.int("b").unwrap(), Some(7));
        assert!(f.int("c").is_err());
        assert_eq!(f.bool("t").unwrap(), Some(true));
        assert_eq!(f.bool("s").unwrap(), Some(true));
        assert_eq!(f.int("n").unwrap(), None);
        assert_eq!(f.str_list("l").unwrap(), Some(vec!["x".into(), "y".into()]));
        assert!(f.str_list("bl").is_err());
    }

    #[test]
    fn wrappers_and_queries() {
        assert!(wrapped(b"{\"x\": {}}", "x").is_ok());
        assert!(matches!(wrapped(b"{}", "x"), Err(HwError::Body(_))));
        assert!(matches!(wrapped(b"nope", "x"), Err(HwError::Body(_))));
        let q = Query::parse("id=a&id=b&limit=0&enabled=true").unwrap();
        assert_eq!(q.all("id"), vec!["a", "b"]);
        assert_eq!(q.paging().unwrap(), (2000, None));
        assert_eq!(q.bool("enabled").unwrap(), Some(true));
        assert!(Query::parse("limit=2001").unwrap().paging().is_err());
    }
}
