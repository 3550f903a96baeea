//! A ticket (how a device reaches a relay or a peer over iroh) as text someone pasted: it
//! parses or is refused, and what parses prints back to the same ticket.
#![no_main]

use allmende_core::ticket::Ticket;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ticket) = Ticket::parse(text) {
        let again = Ticket::parse(&ticket.text()).expect("a printed ticket parses");
        assert_eq!(again.text(), ticket.text());
    }
});
