//! A bundle file someone hands over (USB stick, messenger): read or refused with its reason,
//! never a panic and never more memory than the file; what reads writes back to the same
//! bytes.
#![no_main]

use allmende_core::bundle::Bundle;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = Bundle::decode(data) {
        let total: usize = bundle.docs.iter().map(|(_, d)| d.len()).sum();
        assert!(total <= data.len());
        let again = bundle.encode().expect("a read bundle writes");
        assert_eq!(Bundle::decode(&again), Ok(bundle));
    }
});
