//! Walking a deployment template: every resource that would be deployed, with its evaluated body
//! and its place in the file.
//!
//! Handles what real templates use: `condition` (a resource whose condition is false is not
//! deployed), `copy` loops, child resources nested in `resources`, `languageVersion: 2.0`
//! templates whose `resources` is an object of symbolic names (`existing` ones are references,
//! not deployments), nested inline deployments in inner and outer expression scope, and linked
//! templates by `templateLink.relativePath`.

use super::eval::{evaluate_string, DeploymentInfo, EvalContext, EvalValue};
use super::relaxed_json;
use super::resolve::{evaluate_template_value, Resolved};
use crate::span::escape_token;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Nested and linked deployments deeper than this are not followed (a template that links to
/// itself would otherwise never end).
const MAX_DEPLOYMENT_DEPTH: usize = 8;
/// ARM's own limit on a copy loop.
const MAX_COPY: i64 = 800;

/// One resource that the template deploys.
#[derive(Debug, Clone)]
pub struct Walked {
    /// The file that declares it (a linked template is another file).
    pub file: String,
    /// JSON pointer of the resource object in `file`.
    pub pointer: String,
    /// Full type, e.g. `Microsoft.KeyVault/vaults/secrets`.
    pub kind: String,
    /// Full name, e.g. `myvault/mysecret`; the template text when it cannot be known.
    pub name: String,
    pub name_known: bool,
    /// The full name of the resource it is nested in, for child resources declared inside
    /// their parent's `resources`.
    pub parent: Option<String>,
    /// The evaluated resource without its `resources`, `copy`, `condition` and `dependsOn`.
    pub body: Resolved,
}

impl Walked {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// The last segment of the name (a child's own name); an unknown name as a whole, since its
    /// expression may contain slashes of its own.
    pub fn short_name(&self) -> &str {
        if !self.name_known {
            return &self.name;
        }
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    /// The first segment of the name (a child's top-level parent).
    pub fn parent_name(&self) -> &str {
        self.name.split('/').next().unwrap_or(&self.name)
    }

    pub fn string_at(&self, pointer: &str) -> Option<String> {
        self.body.pointer(pointer).and_then(|r| r.known().and_then(Value::as_str).map(str::to_string))
    }
}

/// A template that could not be read: not JSON, or a linked template missing.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses ARM's relaxed JSON (comments, raw line breaks, single quotes) with the error's place.
pub fn parse(file: &str, text: &str) -> Result<Value, TemplateError> {
    serde_json::from_str(&relaxed_json::to_strict(text)).map_err(|e| TemplateError {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: format!("not a valid ARM template (JSON with comments): {e}"),
    })
}

/// Everything a template deploys, given the parameter values supplied (a parameter file's
/// `parameters.<name>.value`s).
///
/// The template is taken by value: each resource is dropped once it is evaluated, so a large
/// template's value tree and its evaluated resources are not held in full at the same time.
pub fn walk(
    file: &str,
    mut template: Value,
    supplied: &Map<String, Value>,
    deployment: &DeploymentInfo,
) -> (Vec<Walked>, Vec<TemplateError>) {
    let resources = take_resources(&mut template);
    let ctx = EvalContext::for_template(&template, supplied, deployment.clone());
    drop(template);
    let mut walker = Walker { deployment: deployment.clone(), out: Vec::new(), errors: Vec::new() };
    let dir = Path::new(file).parent().map(Path::to_path_buf).unwrap_or_default();
    if let Some(resources) = resources {
        walker.resources(file, &dir, resources, "/resources", None, &ctx, 0);
    }
    (walker.out, walker.errors)
}

/// Removes and returns a template's `resources`.
fn take_resources(template: &mut Value) -> Option<Value> {
    template.as_object_mut().and_then(|members| members.remove("resources"))
}

struct Parent {
    kind: String,
    name: String,
}

struct Walker {
    deployment: DeploymentInfo,
    out: Vec<Walked>,
    errors: Vec<TemplateError>,
}

impl Walker {
    #[allow(clippy::too_many_arguments)]
    fn resources(
        &mut self,
        file: &str,
        dir: &Path,
        resources: Value,
        base: &str,
        parent: Option<&Parent>,
        ctx: &EvalContext,
        depth: usize,
    ) {
        let entries: Vec<(String, Value)> = match resources {
            Value::Array(items) => items.into_iter().enumerate().map(|(i, r)| (i.to_string(), r)).collect(),
            // languageVersion 2.0: symbolic name → resource.
            Value::Object(members) => members.into_iter().collect(),
            _ => return,
        };
        for (token, resource) in entries {
            let pointer = format!("{base}/{}", escape_token(&token));
            if resource.get("existing").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            match resource.get("copy").filter(|c| c.is_object()) {
                Some(copy) => {
                    let loop_name = copy.get("name").and_then(Value::as_str).unwrap_or("copy").to_string();
                    let count = copy.get("count").map(|c| evaluate_template_value(c, ctx));
                    let count = match count.as_ref().and_then(Resolved::known) {
                        Some(Value::Number(n)) => n.as_i64(),
                        Some(Value::String(s)) => s.parse().ok(),
                        _ => None,
                    };
                    // An unknown count: the loop body once, so its settings are still checked.
                    let count = count.unwrap_or(1).clamp(0, MAX_COPY);
                    for index in 0..count {
                        // Each iteration evaluates its own copy of the declaration.
                        ctx.in_copy_loop(&loop_name, index, || {
                            self.resource(file, dir, resource.clone(), &pointer, parent, ctx, depth)
                        });
                    }
                }
                None => self.resource(file, dir, resource, &pointer, parent, ctx, depth),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn resource(
        &mut self,
        file: &str,
        dir: &Path,
        resource: Value,
        pointer: &str,
        parent: Option<&Parent>,
        ctx: &EvalContext,
        depth: usize,
    ) {
        let Value::Object(members) = resource else { return };
        if let Some(condition) = members.get("condition") {
            let deployed = match evaluate_template_value(condition, ctx).known() {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => !s.eq_ignore_ascii_case("false"),
                // Unknown until deployment: scanned as if deployed.
                _ => true,
            };
            if !deployed {
                return;
            }
        }
        let (mut body, mut rest): (Map<String, Value>, Map<String, Value>) = members.into_iter().partition(|(k, _)| {
            !matches!(k.to_ascii_lowercase().as_str(), "resources" | "copy" | "condition" | "dependson" | "comments")
        });
        let children = rest.remove("resources");
        drop(rest);
        let own_type = text_of(body.get("type"), ctx).unwrap_or_default();
        let is_deployment = own_type.eq_ignore_ascii_case("Microsoft.Resources/deployments");
        let nested_template = if is_deployment {
            body.get_mut("properties").and_then(Value::as_object_mut).and_then(|p| p.remove("template"))
        } else {
            None
        };
        let body = Value::Object(body);
        let evaluated = evaluate_template_value(&body, ctx);
        let (kind, name, name_known) = full_type_and_name(&body, &evaluated, parent);
        let walked = Walked {
            file: file.to_string(),
            pointer: pointer.to_string(),
            kind,
            name,
            name_known,
            parent: parent.map(|p| p.name.clone()),
            body: evaluated,
        };

        if let Some(children) = children {
            let parent = Parent { kind: walked.kind.clone(), name: walked.name.clone() };
            self.resources(file, dir, children, &format!("{pointer}/resources"), Some(&parent), ctx, depth);
        }
        if is_deployment && depth < MAX_DEPLOYMENT_DEPTH {
            self.deployment(file, dir, body.get("properties"), &walked, nested_template, pointer, ctx, depth);
        }
        self.out.push(walked);
    }

    #[allow(clippy::too_many_arguments)]
    fn deployment(
        &mut self,
        file: &str,
        dir: &Path,
        properties: Option<&Value>,
        walked: &Walked,
        nested_template: Option<Value>,
        pointer: &str,
        ctx: &EvalContext,
        depth: usize,
    ) {
        if let Some(mut template) = nested_template {
            let inner = properties
                .and_then(|p| p.pointer("/expressionEvaluationOptions/scope"))
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
            let base = format!("{pointer}/properties/template/resources");
            let Some(resources) = take_resources(&mut template) else { return };
            if inner {
                let inner_ctx = self.inner_context(&template, walked);
                self.resources(file, dir, resources, &base, None, &inner_ctx, depth + 1);
            } else {
                // Outer scope: the nested template's expressions see the parent's parameters.
                self.resources(file, dir, resources, &base, None, ctx, depth + 1);
            }
            return;
        }
        let relative = walked.string_at("/properties/templateLink/relativePath");
        let Some(relative) = relative else { return };
        let linked = dir.join(&relative);
        let shown = crate::source::display_path(&linked);
        let text = match std::fs::read_to_string(&linked) {
            Ok(text) => text,
            Err(e) => {
                self.errors.push(TemplateError {
                    file: file.to_string(),
                    line: 1,
                    column: 1,
                    message: format!("linked template {relative} ({shown}) cannot be read: {e}"),
                });
                return;
            }
        };
        let mut template = match parse(&shown, &text) {
            Ok(template) => template,
            Err(error) => {
                self.errors.push(error);
                return;
            }
        };
        let inner_ctx = self.inner_context(&template, walked);
        let linked_dir: PathBuf = linked.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(resources) = take_resources(&mut template) {
            self.resources(&shown, &linked_dir, resources, "/resources", None, &inner_ctx, depth + 1);
        }
    }

    /// The context of an inner-scope or linked template: its own parameters and variables, with
    /// the values the deployment passes (evaluated in the parent).
    fn inner_context(&self, template: &Value, walked: &Walked) -> EvalContext {
        let mut supplied = Map::new();
        let mut unknown = Vec::new();
        match walked.body.pointer("/properties/parameters") {
            Some(Resolved::Known(Value::Object(parameters))) => {
                for (name, parameter) in parameters {
                    if let Some(value) = parameter.get("value") {
                        supplied.insert(name.clone(), value.clone());
                    }
                }
            }
            Some(Resolved::Object(parameters)) => {
                for (name, parameter) in parameters {
                    match parameter.pointer("/value") {
                        Some(Resolved::Known(value)) => {
                            supplied.insert(name.clone(), value);
                        }
                        Some(other) => unknown.push((name.clone(), reason_of(&other))),
                        None => {}
                    }
                }
            }
            _ => {}
        }
        let mut ctx = EvalContext::for_template(template, &supplied, self.deployment.clone());
        // A value the parent cannot know stays unknown inside, even where the inner template has
        // a default for it.
        for (name, reason) in unknown {
            ctx.set_parameter(&name, EvalValue::unknown(reason));
        }
        ctx
    }
}

/// Why a value is not known, in words fit for a finding.
pub fn reason_of(value: &Resolved) -> String {
    match value.clone().into_eval() {
        Ok(EvalValue::Unknown { reason }) => reason,
        Ok(EvalValue::Known(_)) => "known".into(),
        Err(error) => format!("the expression fails: {error}"),
    }
}

fn text_of(value: Option<&Value>, ctx: &EvalContext) -> Option<String> {
    match value? {
        Value::String(text) => match evaluate_string(text, ctx) {
            Ok(EvalValue::Known(Value::String(s))) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// A child's type and name are relative to its parent's (`secrets` under a vault is
/// `Microsoft.KeyVault/vaults/secrets` named `vault/secret`) unless already spelled out.
fn full_type_and_name(body: &Value, evaluated: &Resolved, parent: Option<&Parent>) -> (String, String, bool) {
    let raw_name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = evaluated.pointer("/type").and_then(|r| r.known().and_then(Value::as_str).map(str::to_string));
    let name = evaluated.pointer("/name").and_then(|r| r.known().and_then(Value::as_str).map(str::to_string));
    let name_known = name.is_some();
    let mut kind = kind.unwrap_or_default();
    let mut name = name.unwrap_or(raw_name);
    if let Some(parent) = parent {
        if !kind.contains('.') {
            kind = format!("{}/{}", parent.kind, kind);
        }
        let parent_prefix = format!("{}/", parent.name);
        if !name.to_ascii_lowercase().starts_with(&parent_prefix.to_ascii_lowercase()) {
            name = format!("{}{}", parent_prefix, name);
        }
    }
    (kind, name, name_known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(template: Value, supplied: Value) -> Vec<(String, String)> {
        let supplied = supplied.as_object().cloned().unwrap_or_default();
        let (walked, errors) = walk("t.json", template, &supplied, &DeploymentInfo::default());
        assert!(errors.is_empty(), "{errors:?}");
        let mut names: Vec<(String, String)> = walked.into_iter().map(|w| (w.kind, w.name)).collect();
        names.sort();
        names
    }

    #[test]
    fn children_conditions_and_copies() {
        let template = json!({
            "parameters": {"n": {"type": "int", "defaultValue": 2}, "withKey": {"type": "bool"}},
            "resources": [
                {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv",
                 "resources": [{"type": "secrets", "name": "s1", "properties": {}}]},
                {"type": "Microsoft.KeyVault/vaults/secrets", "name": "[format('kv/c{0}', copyIndex())]",
                 "copy": {"name": "loop", "count": "[parameters('n')]"}, "properties": {}},
                {"condition": false, "type": "Microsoft.KeyVault/vaults/keys", "name": "kv/never", "properties": {}},
                {"condition": "[parameters('withKey')]", "type": "Microsoft.KeyVault/vaults/keys", "name": "kv/maybe", "properties": {}}
            ]
        });
        assert_eq!(
            names(template, json!({})),
            vec![
                ("Microsoft.KeyVault/vaults".to_string(), "kv".to_string()),
                ("Microsoft.KeyVault/vaults/keys".into(), "kv/maybe".into()),
                ("Microsoft.KeyVault/vaults/secrets".into(), "kv/c0".into()),
                ("Microsoft.KeyVault/vaults/secrets".into(), "kv/c1".into()),
                ("Microsoft.KeyVault/vaults/secrets".into(), "kv/s1".into()),
            ]
        );
    }

    #[test]
    fn symbolic_names_and_existing_references() {
        let template = json!({
            "languageVersion": "2.0",
            "resources": {
                "vault": {"type": "Microsoft.KeyVault/vaults", "name": "kv2", "properties": {}},
                "other": {"existing": true, "type": "Microsoft.KeyVault/vaults", "name": "elsewhere"}
            }
        });
        assert_eq!(names(template, json!({})), vec![("Microsoft.KeyVault/vaults".to_string(), "kv2".to_string())]);
    }

    #[test]
    fn nested_deployments_in_inner_and_outer_scope() {
        let template = json!({
            "parameters": {"outerName": {"type": "string", "defaultValue": "kv-outer"}},
            "resources": [
                {"type": "Microsoft.Resources/deployments", "name": "inner", "properties": {
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"vaultName": {"value": "[concat(parameters('outerName'), '-inner')]"}},
                    "template": {"parameters": {"vaultName": {"type": "string"}},
                        "resources": [{"type": "Microsoft.KeyVault/vaults", "name": "[parameters('vaultName')]", "properties": {}}]}}},
                {"type": "Microsoft.Resources/deployments", "name": "outer", "properties": {
                    "template": {"resources": [{"type": "Microsoft.KeyVault/vaults", "name": "[parameters('outerName')]", "properties": {}}]}}}
            ]
        });
        let found = names(template, json!({}));
        assert!(found.contains(&("Microsoft.KeyVault/vaults".into(), "kv-outer-inner".into())), "{found:?}");
        assert!(found.contains(&("Microsoft.KeyVault/vaults".into(), "kv-outer".into())), "{found:?}");
    }

    #[test]
    fn parse_errors_name_line_and_column() {
        let error = parse("bad.json", "{\n  \"resources\": [\n    {,}\n  ]\n}").expect_err("invalid");
        assert_eq!((error.line, error.file.as_str()), (3, "bad.json"));
        assert!(error.to_string().starts_with("bad.json:3:"), "{error}");
        assert!(parse("ok.json", "{ /* c */ \"a\": 1 // x\n}").is_ok());
    }
}
