//! A saved inventory (`kvscan collect` output, or any document in the inventory format).

use super::{Anchor, Loaded};
use crate::finding::FileLocation;
use crate::inventory::{self, InventoryError};

/// Parses an inventory document. Findings point at the vault record in this file, unless the
/// record names its own source (an inventory built from templates keeps the template's place).
pub fn load(file: &str, text: &str) -> Result<Loaded, InventoryError> {
    let inventory = inventory::parse(file, text)?;
    let anchors = inventory
        .vaults
        .iter()
        .enumerate()
        .map(|(index, vault)| match &vault.source.file {
            Some(source_file) => Anchor::Fixed(FileLocation {
                file: source_file.clone(),
                line: vault.source.line.unwrap_or(1),
                column: vault.source.column.unwrap_or(1),
            }),
            None => Anchor::Json {
                file: file.to_string(),
                mappings: vec![
                    (String::new(), format!("/vaults/{index}")),
                    ("/resource".to_string(), format!("/vaults/{index}/resource")),
                ],
            },
        })
        .collect();
    Ok(Loaded { inventory, anchors })
}
