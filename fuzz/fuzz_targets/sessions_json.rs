//! Fuzz target: the sessions file parser and compiler never panic, whatever the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vspan_dataplane::{Mirror, MirrorConfig, SessionSet};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(set) = SessionSet::from_json(text)
    {
        let _ = Mirror::new(&set, MirrorConfig::default());
    }
});
