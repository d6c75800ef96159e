//! Rego that regorus 0.14's compiled evaluator (RVM) gets wrong, so the engine keeps it on the
//! interpreter.
//!
//! A multi-value partial object rule (`by_key[k] contains v`) compiles without an error but
//! evaluates to one flat set of all values (microsoft/regorus PR #665, open). The built-in catalog
//! groups with `data.kvscan.lib.access.group_sorted` instead; a user module that uses the rule
//! form makes the engine run every rule on the interpreter, which is slower but right.

use super::reads::code_only;
use super::Module;

/// Where a module declares a multi-value partial object rule: (module name, 1-based line).
pub fn multi_value_object_rule(modules: &[Module]) -> Option<(String, usize)> {
    modules.iter().find_map(|module| {
        let code = code_only(&module.text);
        code.lines().position(declares_multi_value_object_rule).map(|line| (module.name.clone(), line + 1))
    })
}

/// `name[key] contains value` or `a.b[key] contains value` at the start of a line (a rule head:
/// in a body, `contains` is only a function).
fn declares_multi_value_object_rule(line: &str) -> bool {
    let line = line.trim_start();
    let name_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(line.len());
    if name_end == 0 || line.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let rest = line[name_end..].trim_start();
    if !rest.starts_with('[') {
        return false;
    }
    let mut depth = 0usize;
    for (at, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    let after = &rest[at + 1..];
                    let keyword = after.trim_start();
                    return after.len() > keyword.len()
                        && keyword
                            .strip_prefix("contains")
                            .is_some_and(|tail| !tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_multi_value_object_rule_heads() {
        for line in [
            "by_key[k] contains v if {",
            "  grants.by_principal[lower(p)] contains index if {",
            "m[x[0]] contains y if true",
            "m[k]\tcontains v",
        ] {
            assert!(declares_multi_value_object_rule(line), "{line}");
        }
        for line in [
            "deny contains finding if {",
            "m[k] := v if {",
            "ok if contains(x[0], \"a\")",
            "\tcontains(lower(upn), \"#ext#\")",
            "m[k] containsx",
            "x := m[k]",
            "9[k] contains v",
        ] {
            assert!(!declares_multi_value_object_rule(line), "{line}");
        }
    }

    #[test]
    fn names_the_module_and_line_and_ignores_comments_and_strings() {
        let module = |name: &str, text: &str| Module { name: name.into(), package: "p".into(), text: text.into() };
        let clean = module("a.rego", "package p\n# m[k] contains v\nx := \"m[k] contains v\"\n");
        let grouped =
            module("b.rego", "package p\n\nimport rego.v1\n\nm[k] contains v if {\n\tsome k, v in input\n}\n");
        assert_eq!(multi_value_object_rule(std::slice::from_ref(&clean)), None);
        assert_eq!(multi_value_object_rule(&[clean, grouped]), Some(("b.rego".into(), 5)));
    }
}
