//! `allmende peer connect TICKET`: one sync with the device of a ticket, over iroh, with the
//! share policy on both sides.

/// Syncs once with the device of a ticket (both directions, until both are in step), from a
/// temporary endpoint of this device, telling `progress` after every window of documents.
/// Refuses devices that are in none of this device's communities: there would be nothing to
/// sync and nothing to share.
///
/// # Errors
/// A stranger, no connection, storage errors.
pub async fn connect(
    svc: &mut allmende_service::Service,
    ticket: &super::node::Ticket,
    opts: &super::node::NodeOptions,
    timeout: std::time::Duration,
    progress: &mut dyn FnMut(crate::sync::Progress),
) -> allmende_store::error::Result<crate::sync::SyncReport> {
    let rules = super::policy::Rules::learn(svc)?;
    if !rules.knows(&ticket.device) {
        return Err(allmende_store::error::PeerError::BadInput(
            "this device is a member of none of your communities".into(),
        ));
    }
    let addrs: Vec<String> = ticket.addrs.iter().map(ToString::to_string).collect();
    svc.record_peer(&ticket.device, "ticket", &addrs)?;
    let endpoint = super::node::start(svc.device(), opts).await?;
    let report = crate::sync::sync_via(
        svc,
        crate::sync::Connector::Peer {
            endpoint: endpoint.clone(),
            addr: super::node::endpoint_addr(ticket)?,
            policy: super::policy::PeerPolicy::new(rules),
        },
        timeout,
        progress,
    )
    .await;
    endpoint.close().await;
    report
}
