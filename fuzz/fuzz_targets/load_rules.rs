//! The rule loader on arbitrary TOML: parse, compile with the built-ins, run the examples
//! check and one scan. Bad rules must be errors, never panics or runaway compiles.
#![no_main]

use shroud::detect::{Detector, builtin_specs, parse_rule_file};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = parse_rule_file("fuzz.toml", text) else {
        return;
    };
    let mut files = builtin_specs().unwrap();
    files.push(("fuzz.toml".to_string(), spec));
    if let Ok(detector) = Detector::from_files(files) {
        let _ = detector.check_examples();
        let _ = detector.scan_text("email", "jane.doe@example.com, 4111 1111 1111 1111");
    }
});
