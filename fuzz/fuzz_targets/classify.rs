//! Fuzz target: parser + classifier + truncation + VXLAN encapsulation on arbitrary frames.
//! The body is `vspan_dataplane::testing::fuzz_one`, which the stable proptest
//! `fuzz_body_on_arbitrary_bytes` also runs.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vspan_dataplane::Mirror;
use vspan_dataplane::testing::{fuzz_mirror, fuzz_one};

static MIRROR: OnceLock<Mirror> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let mirror = MIRROR.get_or_init(|| match fuzz_mirror() {
        Ok(m) => m,
        Err(e) => panic!("fuzz session set does not compile: {e}"),
    });
    let mut out = [0u8; 2048];
    fuzz_one(mirror, data, &mut out);
});
