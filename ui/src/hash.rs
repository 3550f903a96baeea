//! The screen and the community in the address (`#/COMMUNITY/SCREEN[/ID]`), so a reload, a
//! bookmark or a link shared in a village chat opens the same place.

use crate::state::Route;

/// The address fragment for a screen in a community.
#[must_use]
pub fn to_hash(community: Option<&str>, route: &Route) -> String {
    let screen = match route {
        Route::Home => "home".to_string(),
        Route::Ideas => "ideas".to_string(),
        Route::Idea(id) => format!("idea/{id}"),
        Route::Projects => "projects".to_string(),
        Route::Project(id) => format!("project/{id}"),
        Route::Directory => "directory".to_string(),
        Route::Volunteer => "volunteer".to_string(),
        Route::Calendar => "calendar".to_string(),
        Route::News => "news".to_string(),
        Route::TownHall => "townhall".to_string(),
        Route::Members => "members".to_string(),
        Route::Moderation => "moderation".to_string(),
        Route::Dashboard => "dashboard".to_string(),
        Route::Profile => "profile".to_string(),
        Route::Sync => "sync".to_string(),
        Route::Communities => "communities".to_string(),
        Route::Item(id) => format!("item/{id}"),
        Route::About => "about".to_string(),
    };
    format!("#/{}/{screen}", community.unwrap_or("-"))
}

fn is_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The community and screen an address names (what it does not name, or names badly, is
/// `None`: the app then opens as usual).
#[must_use]
pub fn from_hash(hash: &str) -> (Option<String>, Option<Route>) {
    let mut parts = hash
        .trim_start_matches('#')
        .trim_start_matches('/')
        .split('/');
    let community = parts.next().filter(|c| is_id(c)).map(str::to_string);
    let screen = parts.next().unwrap_or_default();
    let id = parts.next().filter(|i| is_id(i)).map(str::to_string);
    let route = match (screen, id) {
        ("home", _) => Some(Route::Home),
        ("ideas", _) => Some(Route::Ideas),
        ("idea", Some(id)) => Some(Route::Idea(id)),
        ("projects", _) => Some(Route::Projects),
        ("project", Some(id)) => Some(Route::Project(id)),
        ("directory", _) => Some(Route::Directory),
        ("volunteer", _) => Some(Route::Volunteer),
        ("calendar", _) => Some(Route::Calendar),
        ("news", _) => Some(Route::News),
        ("townhall", _) => Some(Route::TownHall),
        ("members", _) => Some(Route::Members),
        ("moderation", _) => Some(Route::Moderation),
        ("dashboard", _) => Some(Route::Dashboard),
        ("profile", _) => Some(Route::Profile),
        ("sync", _) => Some(Route::Sync),
        ("communities", _) => Some(Route::Communities),
        ("item", Some(id)) => Some(Route::Item(id)),
        ("about", _) => Some(Route::About),
        _ => None,
    };
    (community, route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_reads_back_as_written() {
        for route in [
            Route::Home,
            Route::Idea("abc123".into()),
            Route::TownHall,
            Route::Item("X9".into()),
            Route::Communities,
        ] {
            let hash = to_hash(Some("C1"), &route);
            assert_eq!(from_hash(&hash), (Some("C1".into()), Some(route)));
        }
        assert_eq!(from_hash("#/-/sync"), (None, Some(Route::Sync)));
        assert_eq!(from_hash(""), (None, None));
        assert_eq!(from_hash("#/C1/idea/<script>"), (Some("C1".into()), None));
    }
}
