//! A bundle file someone hands over (USB stick, messenger): read or refused with its reason,
//! never a panic and never more memory than the file; what reads writes back to the same
//! bytes. The input is tried as it is and with a correct checksum appended, so the fuzzer
//! reaches the header and the lengths behind the checksum.
#![no_main]

use allmende_core::bundle::Bundle;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fn check(data: &[u8]) {
    if let Ok(bundle) = Bundle::decode(data) {
        let total: usize = bundle.docs.iter().map(|(_, d)| d.len()).sum();
        assert!(total <= data.len());
        let again = bundle.encode().expect("a read bundle writes");
        assert_eq!(Bundle::decode(&again), Ok(bundle));
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut summed = data.to_vec();
    summed.extend_from_slice(&Sha256::digest(data));
    check(&summed);
});
