//! A workshop template file someone imports: read and validated, or refused with its
//! reason, never a panic; what reads is a valid template that writes back to itself.
#![no_main]

use allmende_core::templates::TemplateSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = TemplateSpec::from_file(text) {
        let again = TemplateSpec::from_file(&spec.to_file()).expect("a written template reads");
        assert_eq!(again, spec);
    }
});
