//! A saved inventory (`kvscan collect` output, or any document in the inventory format).

use super::{Anchor, Loaded};
use crate::finding::FileLocation;
use crate::inventory::{self, InventoryError};
use crate::span;
use std::sync::Arc;

/// Parses an inventory document. Findings point at the vault record in this file, unless the
/// record names its own source (an inventory built from templates keeps the template's place).
pub fn load(file: &str, text: &Arc<String>) -> Result<Loaded, InventoryError> {
    let (inventory, offsets) = inventory::parse_with_offsets(file, text)?;
    let starts = span::positions_at(text, &offsets);
    let anchors = inventory
        .vaults
        .iter()
        .zip(starts)
        .map(|(vault, start)| match &vault.source().file {
            Some(source_file) => Anchor::Fixed(FileLocation {
                file: source_file.clone(),
                line: vault.source().line.unwrap_or(1),
                column: vault.source().column.unwrap_or(1),
            }),
            None => Anchor::Record { file: file.to_string(), start },
        })
        .collect();
    Ok(Loaded::single(inventory, anchors, Some(file.to_string())))
}
