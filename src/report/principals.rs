//! Who a principal id is: the inventory's `principals` (Microsoft Graph), with the role
//! assignment's own `principalType` as the fallback. Mirrors policies/lib/access.rego: ids are
//! compared lower-cased, and an id missing from a non-empty list is an orphan.

use super::model::{PrincipalKind, PrincipalRef, PrincipalStatus};
use crate::inventory::Principal;
use std::collections::HashMap;

pub struct Directory<'a> {
    by_id: HashMap<String, &'a Principal>,
    /// Principal resolution ran: only then does a missing id mean a deleted principal.
    resolved: bool,
}

impl<'a> Directory<'a> {
    pub fn new(principals: &'a [Principal]) -> Self {
        let mut by_id = HashMap::new();
        for principal in principals {
            // The first entry wins, as in access.rego (which sorts duplicates and takes one).
            by_id.entry(principal.id.to_ascii_lowercase()).or_insert(principal);
        }
        Directory { by_id, resolved: !principals.is_empty() }
    }

    pub fn get(&self, id: &str) -> Option<&'a Principal> {
        self.by_id.get(&id.to_ascii_lowercase()).copied()
    }

    pub fn display_name(&self, id: &str) -> Option<String> {
        self.get(id).and_then(|p| p.display_name.clone()).filter(|n| !n.trim().is_empty())
    }

    /// The principal behind `id`; `arm_type` is the assignment's `principalType`, if any.
    pub fn resolve(&self, id: &str, arm_type: Option<&str>) -> PrincipalRef {
        match self.get(id) {
            Some(principal) => PrincipalRef {
                id: principal.id.clone(),
                display_name: principal.display_name.clone(),
                kind: principal
                    .principal_type
                    .as_deref()
                    .map(kind_of)
                    .filter(|k| *k != PrincipalKind::Unknown)
                    .or_else(|| arm_type.map(kind_of))
                    .unwrap_or(PrincipalKind::Unknown),
                user_principal_name: principal.user_principal_name.clone(),
                status: PrincipalStatus::Known,
            },
            None => PrincipalRef {
                id: id.to_string(),
                display_name: None,
                kind: arm_type.map(kind_of).unwrap_or(PrincipalKind::Unknown),
                user_principal_name: None,
                status: if self.resolved { PrincipalStatus::Orphaned } else { PrincipalStatus::Unresolved },
            },
        }
    }
}

/// Graph's `type` or ARM's `principalType`, case-insensitively.
fn kind_of(text: &str) -> PrincipalKind {
    match text.to_ascii_lowercase().as_str() {
        "user" => PrincipalKind::User,
        "group" => PrincipalKind::Group,
        "serviceprincipal" => PrincipalKind::ServicePrincipal,
        "managedidentity" => PrincipalKind::ManagedIdentity,
        "foreigngroup" => PrincipalKind::ForeignGroup,
        "device" => PrincipalKind::Device,
        _ => PrincipalKind::Unknown,
    }
}

/// A B2B guest: `#EXT#` in the user principal name (as KV054 decides).
pub fn is_guest(principal: &PrincipalRef) -> bool {
    principal.user_principal_name.as_deref().is_some_and(|upn| upn.to_ascii_lowercase().contains("#ext#"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(id: &str, kind: &str) -> Principal {
        Principal {
            id: id.into(),
            display_name: Some(format!("name of {id}")),
            principal_type: Some(kind.into()),
            user_principal_name: None,
        }
    }

    #[test]
    fn directory_type_wins_over_the_assignment_type() {
        let list = [principal("AAA", "ManagedIdentity")];
        let directory = Directory::new(&list);
        let found = directory.resolve("aaa", Some("ServicePrincipal"));
        assert_eq!((found.kind, found.status), (PrincipalKind::ManagedIdentity, PrincipalStatus::Known));
        assert_eq!(found.display_name.as_deref(), Some("name of AAA"));
    }

    #[test]
    fn missing_ids_are_orphans_only_when_resolution_ran() {
        let list = [principal("aaa", "User")];
        let orphan = Directory::new(&list).resolve("bbb", Some("ServicePrincipal"));
        assert_eq!((orphan.kind, orphan.status), (PrincipalKind::ServicePrincipal, PrincipalStatus::Orphaned));
        let unknown = Directory::new(&[]).resolve("bbb", None);
        assert_eq!((unknown.kind, unknown.status), (PrincipalKind::Unknown, PrincipalStatus::Unresolved));
    }
}
