//! The demo community, created once per device through ordinary commands.

use allmende_core::demo::{create_command, populate, DemoRunner};
use allmende_core::Command;

use super::Service;
use allmende_store::error::{PeerError, Result};

struct Runner<'a> {
    svc: &'a mut Service,
}

impl DemoRunner for Runner<'_> {
    type Error = PeerError;
    fn run(&mut self, actor: &str, at: i64, command: Command) -> Result<String> {
        Ok(self.svc.execute_as(actor, at, command)?.id)
    }
}

/// The demo community's id, creating and filling it on first use.
///
/// # Errors
/// Storage and document errors.
pub fn ensure_demo(svc: &mut Service) -> Result<String> {
    if let Some(id) = svc.store.setting("demo_community")? {
        if svc.resolve(&id).is_ok() {
            return Ok(id);
        }
    }
    let now = svc.now();
    let created =
        svc.execute_as_device(now - 120 * allmende_core::time::DAY_MS, create_command())?;
    let admin = svc
        .store
        .identity(&created.id)?
        .ok_or_else(|| PeerError::BadInput("the demo community has no admin".into()))?;
    populate(&mut Runner { svc }, &created.id, &admin, now)?;
    svc.store.set_setting("demo_community", &created.id)?;
    Ok(created.id)
}
