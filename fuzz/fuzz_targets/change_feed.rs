//! A relay's change-feed answer as a device reads it (a hostile relay writes whatever it
//! likes): it parses or is refused, and what parses renders back to the same feed.
#![no_main]

use allmende_core::wire::ChangeFeed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(feed) = ChangeFeed::parse(text) {
        let again = ChangeFeed::parse(&feed.render()).expect("a rendered feed parses");
        assert_eq!(again, feed);
    }
});
