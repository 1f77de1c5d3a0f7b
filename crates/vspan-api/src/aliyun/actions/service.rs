//! OpenTrafficMirrorService and GetTrafficMirrorServiceStatus.

use super::{Ctx, Fut, one};
use serde_json::{Map, Value};

pub fn open(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(true)?;
        let dry_run = c.params.bool("DryRun")?.unwrap_or(false);
        c.control.open_service(&caller, dry_run).await?;
        let mut m = Map::new();
        m.insert("Code".into(), Value::from("200"));
        m.insert("Message".into(), Value::from("successful"));
        Ok(m)
    })
}

pub fn status(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(true)?;
        one("Enabled", c.control.service_enabled(&caller).await?)
    })
}
