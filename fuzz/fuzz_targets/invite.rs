//! An invite token someone pasted: read or refused with its reason, never a panic; what
//! reads carries a valid community id and key, and prints back to the same invite.
#![no_main]

use allmende_core::invite::Invite;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(invite) = Invite::parse(text) {
        assert!(invite.secret().is_ok());
        assert_eq!(Invite::parse(&invite.token()), Ok(invite));
    }
});
