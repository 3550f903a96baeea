//! System tests: the real `allmende` and `allmende-relay` binaries (built by the harness in
//! `support/`), real sockets, real browsers and windows. One test binary with one module per
//! suite, so the peer crates and iroh are compiled into tests and linked once.
//!
//! `cargo test -p allmende-tests --test tests -- SUITE::` runs one suite; the suites marked
//! `#[ignore]` need more than cargo (node for `interop`, root for `lan`, Chromium for
//! `browser`, the built app for `tauri_app`) and are run by `scripts/test.sh`.

mod browser;
mod bundle;
mod classes;
mod cli;
mod cli_io;
mod cli_regressions;
mod durability;
mod governance;
mod interop;
mod lan;
mod p2p;
mod packages;
mod relay;
mod relay_iroh;
mod serve;
mod tauri_app;
mod town_hall;
mod upgrade;
mod workshops;
