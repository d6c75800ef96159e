//! Which members of a vault record (`input.vault.<member>`) the enabled rules can read.
//!
//! Converting a record to Rego values and dropping them again is about half of a scan's work
//! with few rules, and most of a record is its per-object lists. When every use of the record in
//! the modules the enabled rules can reach names a member (`input.vault.secrets`,
//! `input.vault.resource.id`), the engine converts only those members. Any other use (the record
//! passed whole, `input.vault[x]`, `with input as …`, a dynamic `data[x]`) means "all of it":
//! the analysis may keep too much, never too little.

use super::Module;
use std::collections::BTreeSet;

/// Members of `input.vault` the modules reachable from `root` read, or `None` when they may
/// read the record in ways that cannot be listed (then the whole record is given).
pub fn record_members(root: &str, modules: &[Module]) -> Option<BTreeSet<String>> {
    let root = Refs::of(root);
    let all: Vec<Refs> = modules.iter().map(|m| Refs::of(&m.text)).collect();
    let mut reached = vec![false; modules.len()];
    let mut pending = vec![root];
    let mut members = BTreeSet::new();
    while let Some(refs) = pending.pop() {
        if refs.opaque_input {
            return None;
        }
        members.extend(refs.members.iter().cloned());
        for (index, module) in modules.iter().enumerate() {
            if !reached[index] && refs.may_reach(&module.package) {
                reached[index] = true;
                pending.push(all[index].clone());
                // A package may span files: reaching one of its modules reaches them all.
                for (other, sibling) in modules.iter().enumerate() {
                    if !reached[other] && sibling.package == module.package {
                        reached[other] = true;
                        pending.push(all[other].clone());
                    }
                }
            }
        }
    }
    Some(members)
}

/// What one module's text refers to.
#[derive(Debug, Clone, Default, PartialEq)]
struct Refs {
    /// `input.vault.<member>` members.
    members: BTreeSet<String>,
    /// `input` or `input.vault` used other than through a named member.
    opaque_input: bool,
    /// Dotted paths after `data.` (`kvscan.lib.access`).
    data_paths: BTreeSet<String>,
    /// `data` used other than through a dotted path: may reach any package.
    opaque_data: bool,
}

impl Refs {
    fn of(text: &str) -> Refs {
        let mut refs = Refs::default();
        let (code, imports) = without_data_imports(&code_only(text));
        let bytes = code.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if !is_ident_start(bytes[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && is_ident(bytes[at]) {
                at += 1;
            }
            // `x.input` is a field of something else, not the input document.
            if start > 0 && bytes[start - 1] == b'.' {
                continue;
            }
            let word = &code[start..at];
            let path = dotted_path(bytes, at);
            at += path.len();
            match word {
                "input" => refs.note_input(&path),
                "data" if path.is_empty() => refs.opaque_data = true,
                "data" => {
                    refs.data_paths.insert(path[1..].to_string());
                }
                // An imported package: `lib.child_id` is `data.kvscan.lib.child_id`.
                _ => {
                    if let Some(package) =
                        imports.iter().find_map(|(alias, package)| (alias == word).then_some(package))
                    {
                        refs.data_paths.insert(format!("{package}{path}"));
                    }
                }
            }
        }
        refs
    }

    /// `path` is what follows `input` (`.vault.secrets`).
    fn note_input(&mut self, path: &str) {
        let mut parts = path.split('.').skip(1);
        match (parts.next(), parts.next()) {
            (Some("vault"), Some(member)) => {
                self.members.insert(member.to_string());
            }
            // Another root member (`input.inventory`): not the vault record.
            (Some(other), _) if other != "vault" => {}
            // `input`, `input.vault`, `input[…]`, `input.vault[…]`: the record as a whole.
            _ => self.opaque_input = true,
        }
    }

    /// Whether these references may read rules of `package`.
    fn may_reach(&self, package: &str) -> bool {
        self.opaque_data
            || self
                .data_paths
                .iter()
                .any(|path| path == package || is_dotted_prefix(package, path) || is_dotted_prefix(path, package))
    }
}

/// The code with its `import data.…` lines blanked, and what they import: (alias, package path).
/// Left in place, `import data.kvscan.lib` would count as a use of every package under it.
fn without_data_imports(code: &str) -> (String, Vec<(String, String)>) {
    let mut imports = Vec::new();
    let mut out = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let mut words = line.split_whitespace();
        if let (Some("import"), Some(target)) = (words.next(), words.next()) {
            if let Some(path) = target.strip_prefix("data.") {
                let alias = match (words.next(), words.next()) {
                    (Some("as"), Some(alias)) => alias,
                    _ => path.rsplit('.').next().unwrap_or(path),
                };
                imports.push((alias.to_string(), path.to_string()));
                out.extend(line.chars().map(|c| if c == '\n' { c } else { ' ' }));
                continue;
            }
        }
        out.push_str(line);
    }
    (out, imports)
}

/// `prefix` is `whole` or a leading run of its dotted components.
fn is_dotted_prefix(prefix: &str, whole: &str) -> bool {
    whole.len() > prefix.len() && whole.starts_with(prefix) && whole.as_bytes()[prefix.len()] == b'.'
}

/// `.a.b.c` starting at `at`, as long as each `.` is followed by an identifier.
fn dotted_path(bytes: &[u8], mut at: usize) -> String {
    let start = at;
    while at + 1 < bytes.len() && bytes[at] == b'.' && is_ident_start(bytes[at + 1]) {
        at += 1;
        while at < bytes.len() && is_ident(bytes[at]) {
            at += 1;
        }
    }
    String::from_utf8_lossy(&bytes[start..at]).into_owned()
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The text with comments and string literals blanked out, so `"input"` or `# input.vault`
/// are not taken for references.
pub(super) fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                out.push(' ');
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push(' ');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push(' ');
            }
            '`' => {
                out.push(' ');
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(package: &str, text: &str) -> Module {
        Module { name: format!("{package}.rego"), text: format!("package {package}\n{text}"), package: package.into() }
    }

    fn members(list: &[&str]) -> Option<BTreeSet<String>> {
        Some(list.iter().map(|m| m.to_string()).collect())
    }

    const ROOT: &str = "package root\nhits contains f if { some f in data.r.a.deny }";

    #[test]
    fn named_members_are_collected() {
        let rule = module("r.a", "deny contains x if { x := input.vault.resource.id; some s in input.vault.secrets }");
        assert_eq!(record_members(ROOT, &[rule]), members(&["resource", "secrets"]));
    }

    #[test]
    fn the_record_used_whole_means_all_of_it() {
        for body in [
            "deny contains x if { x := f(input.vault) }",
            "deny contains x if { some x in input.vault }",
            "deny contains x if { x := input.vault[k] }",
            "deny contains x if { x := input }",
            "deny contains x if { x := input[\"vault\"] }",
            "deny contains x if { x := g with input as {} }",
            "import input.vault\ndeny contains x if { x := vault.keys }",
        ] {
            assert_eq!(record_members(ROOT, &[module("r.a", body)]), None, "{body}");
        }
    }

    #[test]
    fn other_input_roots_do_not_count() {
        let rule = module("r.a", "deny contains x if { some x in input.inventory.vaults; input.vault.keys }");
        assert_eq!(record_members(ROOT, &[rule]), members(&["keys"]));
    }

    #[test]
    fn comments_strings_and_fields_named_input_do_not_count() {
        let rule = module(
            "r.a",
            "# passes input.vault whole\ndeny contains x if {\n\tx := \"input.vault\"\n\ty := `input`\n\tz := o.input\n\tinput.vault.source\n}",
        );
        assert_eq!(record_members(ROOT, &[rule]), members(&["source"]));
    }

    #[test]
    fn only_modules_the_root_reaches_count() {
        let used =
            module("r.a", "import data.lib.helpers\ndeny contains x if { x := helpers.f(input.vault.resource) }");
        let helpers = module("lib.helpers", "f(r) := r.id if input.vault.source.kind == \"live\"");
        let same_package = module("lib.helpers", "g(r) := r if { input.vault.diagnosticSettings }");
        let unused = module("r.b", "deny contains x if { x := f(input.vault) }");
        assert_eq!(
            record_members(ROOT, &[used, helpers, same_package, unused]),
            members(&["diagnosticSettings", "resource", "source"])
        );
    }

    #[test]
    fn an_imported_package_reaches_only_what_is_used_of_it() {
        let rule = module("r.a", "import data.lib\nimport data.lib.access as acc\ndeny contains x if { x := lib.f(input.vault.resource); acc.g }");
        let lib = module("lib", "f(r) := r.id");
        let access = module("lib.access", "g if input.vault.roleAssignments");
        let unused = module("lib.unused", "h if input.vault.keys");
        assert_eq!(record_members(ROOT, &[rule, lib, access, unused]), members(&["resource", "roleAssignments"]));
        let whole = module("r.a", "import data.lib\ndeny contains x if { x := lib }");
        let unused = module("lib.unused", "h if input.vault.keys");
        assert_eq!(record_members(ROOT, &[whole, unused]), members(&["keys"]));
    }

    #[test]
    fn a_prefix_of_packages_reaches_them_all() {
        let rule = module("r.a", "deny contains x if { some x in data.r[_].deny }");
        let other = module("r.b", "deny contains x if { x := input.vault.keys }");
        assert_eq!(record_members(ROOT, &[rule.clone(), other.clone()]), members(&["keys"]));
        let dynamic = module("r.a", "deny contains x if { x := data[k] }");
        let whole = module("r.c", "deny contains x if { x := f(input.vault) }");
        assert_eq!(record_members(ROOT, &[dynamic, whole]), None);
    }
}
