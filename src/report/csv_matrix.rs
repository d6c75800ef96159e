//! The access matrix as CSV: one row per (vault, principal, grant), every cell guarded against
//! spreadsheet formula injection (display names are chosen by whoever creates the principal).

use super::model::AccessReview;
use super::text::{csv_cell, date_part};

const HEADER: [&str; 26] = [
    "vault",
    "vault_id",
    "subscription",
    "permission_model",
    "principal",
    "principal_id",
    "principal_type",
    "principal_status",
    "user_principal_name",
    "grant",
    "role",
    "key_permissions",
    "secret_permissions",
    "certificate_permissions",
    "storage_permissions",
    "plane",
    "effective",
    "scope",
    "inherited",
    "inherited_from",
    "object",
    "condition",
    "created_on",
    "created_by",
    "note",
    "risky_rules",
];

pub fn render(review: &AccessReview) -> Result<String, String> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    writer.write_record(HEADER).map_err(|e| e.to_string())?;
    let vaults: std::collections::HashMap<&str, &super::model::VaultInfo> =
        review.vaults.iter().map(|v| (v.id.as_str(), v)).collect();
    for grant in &review.grants {
        let vault = vaults.get(grant.vault.id.as_str());
        let permissions = grant.permissions.clone().unwrap_or_default();
        let created_by = match (&grant.created_by_name, &grant.created_by) {
            (Some(name), Some(id)) => format!("{name} ({id})"),
            (None, Some(id)) => id.clone(),
            _ => String::new(),
        };
        let row: [String; 26] = [
            grant.vault.name.clone(),
            grant.vault.id.clone(),
            vault.and_then(|v| v.subscription_name.clone().or_else(|| v.subscription_id.clone())).unwrap_or_default(),
            vault.map(|v| v.permission_model.label().to_string()).unwrap_or_default(),
            grant.principal.display_name.clone().unwrap_or_default(),
            grant.principal.id.clone(),
            grant.principal.kind.label().to_string(),
            format!("{:?}", grant.principal.status).to_ascii_lowercase(),
            grant.principal.user_principal_name.clone().unwrap_or_default(),
            grant.kind.label().to_string(),
            grant.role.as_ref().map(|r| r.name.clone()).unwrap_or_default(),
            permissions.keys.join(" "),
            permissions.secrets.join(" "),
            permissions.certificates.join(" "),
            permissions.storage.join(" "),
            grant.plane.label().to_string(),
            if grant.effective { "yes" } else { "no" }.to_string(),
            grant.scope.clone(),
            if grant.inherited { "yes" } else { "no" }.to_string(),
            grant.inherited_from.clone().unwrap_or_default(),
            grant.object.as_ref().map(|o| format!("{} {}", o.kind, o.name)).unwrap_or_default(),
            grant.condition.clone().unwrap_or_default(),
            grant.created_on.as_deref().map(date_part).unwrap_or_default().to_string(),
            created_by,
            grant.note.clone().unwrap_or_default(),
            grant.risks.join(" "),
        ];
        writer.write_record(row.iter().map(|cell| csv_cell(cell))).map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
