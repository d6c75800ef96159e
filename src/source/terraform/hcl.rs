//! Terraform HCL configurations → [`TfResource`]s, without Terraform: a directory of `.tf` files
//! is one module; variables take `terraform.tfvars`/`*.auto.tfvars` values, else their defaults;
//! `locals`, references between resources, `count`/`for_each` with known values and modules
//! from local paths are evaluated. What cannot be (data sources, values known after apply,
//! variables without a value) is unknown, with the reason.

use super::eval::{self, Eval, Scope};
use super::records::{self, Built};
use super::{TerraformError, TfResource};
use crate::finding::FileLocation;
use crate::inventory::{Inventory, ScanError, SourceKind, VaultRecord};
use crate::source::{display_path, Anchor, Loaded};
use crate::span::{self, escape_token};
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};
use hcl::edit::Span;
use hcl::expr::{Expression, TraversalOperator};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Module calls nested deeper than this are not followed (a module that calls itself).
const MAX_MODULE_DEPTH: usize = 8;

/// The `.tf` files of a directory, sorted.
pub fn module_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Reads the module in `dir` (all its `.tf` files) as a root module.
pub fn load_directory(dir: &Path) -> Result<Loaded, TerraformError> {
    let mut sources = Vec::new();
    for path in module_files(dir) {
        let shown = display_path(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| TerraformError::at_start(&shown, e.to_string()))?;
        sources.push((shown, text));
    }
    let tfvars = read_tfvars(dir)?;
    load_sources(&sources, &tfvars, Some(dir))
}

/// Reads a module from `(shown name, text)` pairs; `dir` is where local module sources are
/// looked up (none: module calls are not followed).
pub fn load_sources(
    sources: &[(String, String)],
    tfvars: &Map<String, Value>,
    dir: Option<&Path>,
) -> Result<Loaded, TerraformError> {
    let mut out = Output::default();
    let inputs: HashMap<String, Eval> = tfvars.iter().map(|(k, v)| (k.clone(), Eval::Known(v.clone()))).collect();
    read_module(sources, inputs, dir, "", 0, &mut out)?;
    let root_file = sources.first().map(|(shown, _)| shown.clone()).unwrap_or_default();
    Ok(to_loaded(&root_file, out))
}

/// `terraform.tfvars`, then `*.auto.tfvars` in name order (later files win), as Terraform reads
/// them.
fn read_tfvars(dir: &Path) -> Result<Map<String, Value>, TerraformError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".auto.tfvars")))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let main = dir.join("terraform.tfvars");
    if main.is_file() {
        files.insert(0, main);
    }
    let mut values = Map::new();
    for path in files {
        let shown = display_path(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| TerraformError::at_start(&shown, e.to_string()))?;
        values.extend(parse_tfvars(&shown, &text)?);
    }
    Ok(values)
}

/// The constant values of a `.tfvars` file.
pub fn parse_tfvars(shown: &str, text: &str) -> Result<Map<String, Value>, TerraformError> {
    let body = parse(shown, text)?;
    let empty = ModuleScope::empty();
    let mut values = Map::new();
    for attribute in body.attributes() {
        if let Eval::Known(value) = eval::evaluate(&Expression::from(attribute.value.clone()), &empty, 0) {
            values.insert(attribute.key.to_string(), value);
        }
    }
    Ok(values)
}

fn parse(shown: &str, text: &str) -> Result<Body, TerraformError> {
    hcl::edit::parser::parse_body(text).map_err(|e| {
        let location = e.location();
        TerraformError {
            file: shown.to_string(),
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
            message: format!("not valid HCL: {}", e.message()),
        }
    })
}

#[derive(Default)]
struct Output {
    resources: Vec<TfResource>,
    /// Source pointer → (file, byte offset).
    places: Vec<(String, String, usize)>,
    texts: BTreeMap<String, String>,
    problems: Vec<String>,
}

/// A declared resource: its block and where it is.
struct Declared<'a> {
    file: usize,
    block: &'a Block,
    attributes: HashMap<String, Expression>,
}

struct ModuleScope<'a> {
    variables: HashMap<String, Eval>,
    locals: HashMap<String, Expression>,
    resources: HashMap<(String, String), Declared<'a>>,
    iteration: HashMap<String, Eval>,
    depth: Cell<usize>,
}

impl ModuleScope<'_> {
    fn empty() -> ModuleScope<'static> {
        ModuleScope {
            variables: HashMap::new(),
            locals: HashMap::new(),
            resources: HashMap::new(),
            iteration: HashMap::new(),
            depth: Cell::new(0),
        }
    }

    /// Evaluates with a guard against cycles between locals and resources.
    fn nested(&self, expression: &Expression, iteration: HashMap<String, Eval>) -> Eval {
        if self.depth.get() > 32 {
            return Eval::Unknown("the expression refers to itself".into());
        }
        self.depth.set(self.depth.get() + 1);
        let scope = IterationScope { module: self, iteration };
        let value = eval::evaluate(expression, &scope, 0);
        self.depth.set(self.depth.get() - 1);
        value
    }
}

/// A module scope with `count.index` / `each.*` bound for one resource instance.
struct IterationScope<'m, 'a> {
    module: &'m ModuleScope<'a>,
    iteration: HashMap<String, Eval>,
}

impl Scope for IterationScope<'_, '_> {
    fn variable(&self, name: &str) -> Eval {
        self.module.variable(name)
    }
    fn local(&self, name: &str) -> Eval {
        self.module.local(name)
    }
    fn iteration(&self, name: &str) -> Eval {
        self.iteration
            .get(name)
            .cloned()
            .unwrap_or_else(|| Eval::Unknown(format!("{name} is used outside a resource with count/for_each")))
    }
    fn resource(&self, kind: &str, name: &str, index: Option<&Value>, path: &[String]) -> Option<Eval> {
        self.module.resource(kind, name, index, path)
    }
}

impl Scope for ModuleScope<'_> {
    fn variable(&self, name: &str) -> Eval {
        self.variables.get(name).cloned().unwrap_or_else(|| Eval::Unknown(format!("variable '{name}' is not declared")))
    }
    fn local(&self, name: &str) -> Eval {
        match self.locals.get(name) {
            Some(expression) => self.nested(expression, HashMap::new()),
            None => Eval::Unknown(format!("local '{name}' is not declared")),
        }
    }
    fn iteration(&self, name: &str) -> Eval {
        self.iteration.get(name).cloned().unwrap_or_else(|| Eval::Unknown(format!("{name} is not known here")))
    }
    fn resource(&self, kind: &str, name: &str, index: Option<&Value>, path: &[String]) -> Option<Eval> {
        let declared = self.resources.get(&(kind.to_string(), name.to_string()))?;
        let iteration = self.instance_iteration(declared, index);
        let attribute = |key: &str| match declared.attributes.get(key) {
            Some(expression) => self.nested(expression, iteration.clone()),
            None => Eval::Unknown(format!("{kind}.{name}.{key} is known after apply")),
        };
        let Some(first) = path.first() else {
            return Some(Eval::Unknown(format!("{kind}.{name} as a whole is not evaluated")));
        };
        if first == "id" {
            // The ids kvscan builds the way Azure will: what children use to find their vault.
            let id = match kind {
                "azurerm_key_vault" => match (attribute("resource_group_name"), attribute("name")) {
                    (Eval::Known(group), Eval::Known(vault)) => {
                        Eval::Known(Value::String(records::vault_id(&eval::text(&group), &eval::text(&vault))))
                    }
                    _ => Eval::Unknown(format!("{kind}.{name}.id is known after apply")),
                },
                "azurerm_resource_group" => match attribute("name") {
                    Eval::Known(group) => Eval::Known(Value::String(records::resource_group_id(&eval::text(&group)))),
                    unknown => unknown,
                },
                _ => Eval::Unknown(format!("{kind}.{name}.id is known after apply")),
            };
            return Some(id);
        }
        Some(match attribute(first) {
            Eval::Known(value) => {
                let steps: Vec<Value> = path[1..].iter().map(|s| Value::String(s.clone())).collect();
                eval::index_into(&value, &steps, &format!("{kind}.{name}.{first}"))
            }
            unknown => unknown,
        })
    }
}

impl ModuleScope<'_> {
    fn instance_iteration(&self, declared: &Declared, index: Option<&Value>) -> HashMap<String, Eval> {
        let mut iteration = HashMap::new();
        let Some(index) = index else { return iteration };
        if declared.attributes.contains_key("count") {
            iteration.insert("count.index".to_string(), Eval::Known(index.clone()));
        }
        if let Some(for_each) = declared.attributes.get("for_each") {
            iteration.insert("each.key".to_string(), Eval::Known(index.clone()));
            let value = match self.nested(for_each, HashMap::new()) {
                Eval::Known(Value::Object(map)) => map
                    .get(&eval::text(index))
                    .cloned()
                    .map_or(Eval::Unknown("no such for_each key".into()), Eval::Known),
                Eval::Known(_) => Eval::Known(index.clone()),
                unknown => unknown,
            };
            iteration.insert("each.value".to_string(), value);
        }
        iteration
    }
}

fn label(label: &BlockLabel) -> String {
    match label {
        BlockLabel::Ident(ident) => ident.to_string(),
        BlockLabel::String(string) => string.value().to_string(),
    }
}

fn read_module(
    sources: &[(String, String)],
    inputs: HashMap<String, Eval>,
    dir: Option<&Path>,
    prefix: &str,
    depth: usize,
    out: &mut Output,
) -> Result<(), TerraformError> {
    let bodies: Vec<Body> = sources.iter().map(|(shown, text)| parse(shown, text)).collect::<Result<_, _>>()?;
    for (shown, text) in sources {
        out.texts.insert(shown.clone(), text.clone());
    }
    let mut scope = ModuleScope::empty();
    let mut module_calls: Vec<&Block> = Vec::new();
    let mut declared_resources: Vec<(String, String)> = Vec::new();
    for (file, body) in bodies.iter().enumerate() {
        for block in body.blocks() {
            let labels: Vec<String> = block.labels.iter().map(label).collect();
            match (block.ident.as_str(), labels.as_slice()) {
                ("variable", [name]) => {
                    let value = match inputs.get(name) {
                        Some(given) => given.clone(),
                        None => match block.body.get_attribute("default") {
                            Some(default) => eval::evaluate(&Expression::from(default.value.clone()), &scope, 0),
                            None => Eval::Unknown(format!(
                                "variable '{name}' has no default and no value in terraform.tfvars"
                            )),
                        },
                    };
                    scope.variables.insert(name.clone(), value);
                }
                ("locals", []) => {
                    for attribute in block.body.attributes() {
                        scope.locals.insert(attribute.key.to_string(), Expression::from(attribute.value.clone()));
                    }
                }
                ("resource", [kind, name]) => {
                    let attributes = block
                        .body
                        .attributes()
                        .map(|a| (a.key.to_string(), Expression::from(a.value.clone())))
                        .collect();
                    scope.resources.insert((kind.clone(), name.clone()), Declared { file, block, attributes });
                    declared_resources.push((kind.clone(), name.clone()));
                }
                ("module", [_]) => module_calls.push(block),
                _ => {}
            }
        }
    }
    for key in &declared_resources {
        let Some(declared) = scope.resources.get(key) else { continue };
        let (kind, name) = key;
        for (suffix, iteration) in instances(&scope, declared) {
            let address = format!("{prefix}{kind}.{name}{suffix}");
            let origin = format!("/{}", escape_token(&address));
            let shown = &sources[declared.file].0;
            record_place(out, &origin, shown, declared.block.span());
            let instance_scope = IterationScope { module: &scope, iteration };
            let mut resource = TfResource {
                address: address.clone(),
                kind: kind.clone(),
                values_origin: origin.clone(),
                origin: origin.clone(),
                ..TfResource::default()
            };
            let mut values = Map::new();
            read_body(
                &declared.block.body,
                &instance_scope,
                "",
                &origin,
                shown,
                prefix,
                &mut values,
                &mut resource,
                out,
            );
            resource.values = values;
            out.resources.push(resource);
        }
    }
    for call in module_calls {
        let Some(name) = call.labels.first().map(label) else { continue };
        let source = call.body.get_attribute("source").map(|a| Expression::from(a.value.clone()));
        let source = match source.map(|s| eval::evaluate(&s, &scope, 0)) {
            Some(Eval::Known(Value::String(s))) => s,
            _ => continue,
        };
        let Some(dir) = dir.filter(|_| source.starts_with("./") || source.starts_with("../")) else {
            out.problems
                .push(format!("module.{name}: source {source:?} is not a local path; its resources were not scanned"));
            continue;
        };
        if depth >= MAX_MODULE_DEPTH {
            out.problems.push(format!("module.{name}: modules nest deeper than {MAX_MODULE_DEPTH}; not scanned"));
            continue;
        }
        let child_dir = dir.join(&source);
        let mut child_sources = Vec::new();
        for path in module_files(&child_dir) {
            let shown = display_path(&path);
            let text = std::fs::read_to_string(&path).map_err(|e| TerraformError::at_start(&shown, e.to_string()))?;
            child_sources.push((shown, text));
        }
        let skipped = ["source", "version", "count", "for_each", "providers", "depends_on"];
        let child_inputs: HashMap<String, Eval> = call
            .body
            .attributes()
            .filter(|a| !skipped.contains(&a.key.as_str()))
            .map(|a| (a.key.to_string(), eval::evaluate(&Expression::from(a.value.clone()), &scope, 0)))
            .collect();
        read_module(
            &child_sources,
            child_inputs,
            Some(&child_dir),
            &format!("{prefix}module.{name}."),
            depth + 1,
            out,
        )?;
    }
    Ok(())
}

/// The instances of a resource: `[0]`… for a known `count`, `["key"]`… for a known `for_each`,
/// none when either is 0/empty, one with unknown iteration values otherwise.
fn instances(scope: &ModuleScope, declared: &Declared) -> Vec<(String, HashMap<String, Eval>)> {
    if let Some(count) = declared.attributes.get("count") {
        return match scope.nested(count, HashMap::new()) {
            Eval::Known(Value::Number(n)) => {
                let n = n.as_u64().unwrap_or(0).min(10_000);
                (0..n)
                    .map(|i| {
                        (format!("[{i}]"), HashMap::from([("count.index".to_string(), Eval::Known(Value::from(i)))]))
                    })
                    .collect()
            }
            Eval::Known(other) => vec![(String::new(), unknown_iteration(&format!("count = {other} is not a number")))],
            Eval::Unknown(reason) => vec![(String::new(), unknown_iteration(&format!("count is unknown: {reason}")))],
        };
    }
    if let Some(for_each) = declared.attributes.get("for_each") {
        let pairs: Vec<(String, Value)> = match scope.nested(for_each, HashMap::new()) {
            Eval::Known(Value::Object(map)) => map.into_iter().collect(),
            Eval::Known(Value::Array(items)) => items.into_iter().map(|v| (eval::text(&v), v)).collect(),
            Eval::Known(other) => {
                return vec![(String::new(), unknown_iteration(&format!("for_each = {other} is not a map or set")))]
            }
            Eval::Unknown(reason) => {
                return vec![(String::new(), unknown_iteration(&format!("for_each is unknown: {reason}")))]
            }
        };
        return pairs
            .into_iter()
            .map(|(key, value)| {
                let suffix = format!("[{}]", Value::String(key.clone()));
                let iteration = HashMap::from([
                    ("each.key".to_string(), Eval::Known(Value::String(key))),
                    ("each.value".to_string(), Eval::Known(value)),
                ]);
                (suffix, iteration)
            })
            .collect();
    }
    vec![(String::new(), HashMap::new())]
}

fn unknown_iteration(reason: &str) -> HashMap<String, Eval> {
    ["count.index", "each.key", "each.value"]
        .iter()
        .map(|k| (k.to_string(), Eval::Unknown(reason.to_string())))
        .collect()
}

fn record_place(out: &mut Output, pointer: &str, file: &str, span: Option<std::ops::Range<usize>>) {
    if let Some(span) = span {
        out.places.push((pointer.to_string(), file.to_string(), span.start));
    }
}

/// Blocks that configure Terraform itself, not the resource.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection", "timeouts"];
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "depends_on", "provider"];

#[allow(clippy::too_many_arguments)]
fn read_body(
    body: &Body,
    scope: &IterationScope,
    tf_prefix: &str,
    origin: &str,
    file: &str,
    module_prefix: &str,
    values: &mut Map<String, Value>,
    resource: &mut TfResource,
    out: &mut Output,
) {
    let mut block_counts: HashMap<String, usize> = HashMap::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                let key = attribute.key.to_string();
                if tf_prefix.is_empty() && META_ATTRIBUTES.contains(&key.as_str()) {
                    continue;
                }
                let pointer = format!("{tf_prefix}/{}", escape_token(&key));
                record_place(out, &format!("{origin}{pointer}"), file, attribute.span());
                let expression = Expression::from(attribute.value.clone());
                let top = top_attribute(tf_prefix, &key);
                let mut found = Vec::new();
                collect_references(&expression, module_prefix, &mut found);
                if !found.is_empty() {
                    let entry = resource.references.entry(top).or_default();
                    for reference in found {
                        if !entry.contains(&reference) {
                            entry.push(reference);
                        }
                    }
                }
                match eval::evaluate(&expression, scope, 0) {
                    Eval::Known(value) => {
                        values.insert(key, value);
                    }
                    Eval::Unknown(reason) => resource.unknowns.push((pointer, reason)),
                }
            }
            Structure::Block(block) => {
                let kind = block.ident.to_string();
                if META_BLOCKS.contains(&kind.as_str()) {
                    continue;
                }
                if kind == "dynamic" {
                    let name = block.labels.first().map(label).unwrap_or_default();
                    let pointer = format!("{tf_prefix}/{}", escape_token(&name));
                    record_place(out, &format!("{origin}{pointer}"), file, block.span());
                    resource.unknowns.push((pointer, format!("dynamic \"{name}\" blocks are not expanded by kvscan")));
                    continue;
                }
                let index = block_counts.entry(kind.clone()).or_insert(0);
                let pointer = format!("{tf_prefix}/{}/{index}", escape_token(&kind));
                *index += 1;
                record_place(out, &format!("{origin}{pointer}"), file, block.span());
                let mut nested = Map::new();
                read_body(&block.body, scope, &pointer, origin, file, module_prefix, &mut nested, resource, out);
                let list = values.entry(kind).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(Value::Object(nested));
                }
            }
        }
    }
}

fn top_attribute(tf_prefix: &str, key: &str) -> String {
    tf_prefix.trim_start_matches('/').split('/').next().filter(|s| !s.is_empty()).unwrap_or(key).to_string()
}

/// Addresses of the managed resources an expression references.
fn collect_references(expression: &Expression, module_prefix: &str, out: &mut Vec<String>) {
    match expression {
        Expression::Traversal(traversal) => {
            if let (Expression::Variable(root), Some(TraversalOperator::GetAttr(name))) =
                (&traversal.expr, traversal.operators.first())
            {
                let root = root.as_str();
                if !matches!(
                    root,
                    "var" | "local" | "data" | "each" | "count" | "path" | "module" | "self" | "terraform"
                ) {
                    let address = format!("{module_prefix}{root}.{name}");
                    if !out.contains(&address) {
                        out.push(address);
                    }
                }
            } else {
                collect_references(&traversal.expr, module_prefix, out);
            }
            for operator in &traversal.operators {
                if let TraversalOperator::Index(index) = operator {
                    collect_references(index, module_prefix, out);
                }
            }
        }
        Expression::Array(items) => items.iter().for_each(|e| collect_references(e, module_prefix, out)),
        Expression::Object(members) => members.values().for_each(|e| collect_references(e, module_prefix, out)),
        Expression::TemplateExpr(template) => {
            if let Ok(template) = hcl::Template::from_expr(template) {
                for element in template.elements() {
                    if let hcl::template::Element::Interpolation(interpolation) = element {
                        collect_references(&interpolation.expr, module_prefix, out);
                    }
                }
            }
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|e| collect_references(e, module_prefix, out)),
        Expression::Parenthesis(inner) => collect_references(inner, module_prefix, out),
        Expression::Conditional(c) => {
            for e in [&c.cond_expr, &c.true_expr, &c.false_expr] {
                collect_references(e, module_prefix, out);
            }
        }
        Expression::Operation(operation) => match operation.as_ref() {
            hcl::expr::Operation::Unary(u) => collect_references(&u.expr, module_prefix, out),
            hcl::expr::Operation::Binary(b) => {
                collect_references(&b.lhs_expr, module_prefix, out);
                collect_references(&b.rhs_expr, module_prefix, out);
            }
        },
        Expression::ForExpr(for_expr) => collect_references(&for_expr.collection_expr, module_prefix, out),
        _ => {}
    }
}

/// Vault records anchored at the positions of the blocks and attributes they came from.
fn to_loaded(root_file: &str, out: Output) -> Loaded {
    let Output { resources, places, texts, problems } = out;
    let mut by_file: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (pointer, file, offset) in &places {
        by_file.entry(file.as_str()).or_default().push((pointer.as_str(), *offset));
    }
    let mut positions: BTreeMap<String, FileLocation> = BTreeMap::new();
    for (file, entries) in by_file {
        let text = texts.get(file).map(String::as_str).unwrap_or_default();
        let offsets: Vec<usize> = entries.iter().map(|(_, o)| *o).collect();
        for ((pointer, _), at) in entries.iter().zip(span::positions_at(text, &offsets)) {
            positions
                .insert(pointer.to_string(), FileLocation { file: file.to_string(), line: at.line, column: at.column });
        }
    }
    let built: Built = records::build(&resources, SourceKind::Terraform, root_file);
    let mut inventory = Inventory { schema_version: crate::inventory::SCHEMA_VERSION, ..Inventory::default() };
    let mut anchors = Vec::new();
    let mut errors: Vec<ScanError> = problems
        .into_iter()
        .chain(built.problems)
        .map(|message| ScanError { scope: root_file.to_string(), message })
        .collect();
    for mut vault in built.vaults {
        if let Some(at) = positions.get(&vault.origin) {
            vault.parts.source.file = Some(at.file.clone());
            vault.parts.source.line = Some(at.line);
            vault.parts.source.column = Some(at.column);
        }
        match VaultRecord::new(&vault.parts) {
            Ok(record) => inventory.vaults.push(record),
            Err(problem) => {
                errors.push(ScanError {
                    scope: root_file.to_string(),
                    message: format!(
                        "{}: not a valid vault record: {} at {}",
                        vault.origin, problem.message, problem.pointer
                    ),
                });
                continue;
            }
        }
        let mut mappings = vec![(String::new(), vault.origin.clone())];
        mappings.extend(vault.places);
        // Only the places of this vault's own resources (each source pointer starts with the
        // resource's `/<address>`).
        let roots: std::collections::BTreeSet<&str> = mappings
            .iter()
            .map(|(_, source)| {
                source.get(..source[1.min(source.len())..].find('/').map_or(source.len(), |i| i + 1)).unwrap_or(source)
            })
            .collect();
        let own: BTreeMap<String, FileLocation> = roots
            .iter()
            .flat_map(|root| {
                positions
                    .range(root.to_string()..)
                    .take_while(move |(p, _)| p.starts_with(root))
                    .filter(move |(p, _)| p.len() == root.len() || p.as_bytes()[root.len()] == b'/')
            })
            .map(|(p, l)| (p.clone(), l.clone()))
            .collect();
        anchors.push(Anchor::Positions { mappings, positions: own });
    }
    inventory.pricings = built.pricings;
    inventory.errors = errors;
    Loaded::single(inventory, anchors, None)
}
