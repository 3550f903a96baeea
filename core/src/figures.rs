//! The community's figures: the town hall's answering record per department, the dashboard
//! of activity over time (with CSV), and the weekly "Mach mit" digest. Pure functions over
//! documents and index rows; the runtime gathers the inputs.

mod dashboard;
mod digest;
mod town_hall;

pub use dashboard::{dashboard, dashboard_csv, Dashboard, Dated};
pub use digest::{digest, Digest, DigestFormat};
pub use town_hall::{department_figures, DepartmentFigures};
