//! Bicep syntax tree → the ARM template Bicep would compile it to, so the ARM walker, evaluator
//! and record builder judge Bicep exactly like JSON templates.
//!
//! Resources are flattened the way the Bicep compiler does it (nested children and `parent:`
//! become full types and `parent/child` names), loops become `copy`, `if (…)` becomes
//! `condition`, modules become inner-scope nested deployments holding the translated module.
//! Beside the template, a side table maps each template JSON pointer to the Bicep file and
//! position it came from: findings are placed through it, never through the generated JSON.

use super::parse::{self, BicepFile, Expr, ExprKind, Loop, Module, ObjectLiteral, Resource, StringPart};
use super::BicepError;
use crate::finding::FileLocation;
use crate::span::{escape_token, Position};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Modules nested deeper than this are not followed (the ARM walker stops at the same depth).
const MAX_MODULE_DEPTH: usize = 8;
/// `parent:` chains longer than this are a cycle.
const MAX_PARENT_DEPTH: usize = 16;
/// The deployment API version modules are given (any works: the walker does not read it).
const DEPLOYMENT_API_VERSION: &str = "2022-09-01";

/// A translated file and where its pieces came from.
#[derive(Debug, Default)]
pub struct Translated {
    pub template: Value,
    /// Template JSON pointer → place in a Bicep file (modules are other files).
    pub positions: BTreeMap<String, FileLocation>,
    /// Modules that could not be followed; the rest is still scanned.
    pub problems: Vec<BicepError>,
}

/// Parameter values from a `.bicepparam` file: they replace the template's defaults, so they are
/// evaluated like any default (and may use functions).
#[derive(Debug, Clone, Default)]
pub struct ParameterFile {
    pub file: String,
    pub parsed: BicepFile,
}

/// Translates the file `shown` (on disk at `path`).
pub fn translate(
    path: &Path,
    shown: &str,
    file: &BicepFile,
    parameters: Option<&ParameterFile>,
) -> Result<Translated, BicepError> {
    let mut shared = Shared { translated: Translated::default(), loops: 0, modules: vec![canonical(path)] };
    let overrides = match parameters {
        Some(parameter_file) => parameter_overrides(parameter_file)?,
        None => HashMap::new(),
    };
    let template = FileTranslator::new(&mut shared, path, shown, file, String::new()).template(&overrides)?;
    let mut translated = shared.translated;
    translated.template = template;
    Ok(translated)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `param x = …` of a parameter file, translated to ARM expressions (its `var`s inlined).
fn parameter_overrides(parameter_file: &ParameterFile) -> Result<HashMap<String, Value>, BicepError> {
    let mut shared = Shared { translated: Translated::default(), loops: 0, modules: Vec::new() };
    let empty = BicepFile::default();
    let mut translator = FileTranslator::new(&mut shared, Path::new(""), &parameter_file.file, &empty, String::new());
    let mut locals = Locals::default();
    let mut values = HashMap::new();
    let declared: HashSet<&str> = parameter_file.parsed.params.iter().map(|p| p.name.as_str()).collect();
    // `param` lines were read as `var`s (see parse_parameters); the real vars are inlined.
    for var in &parameter_file.parsed.vars {
        let value = translator.expr(&var.value, &locals)?;
        if !declared.contains(var.name.as_str()) {
            values.insert(var.name.clone(), value.clone().into_json());
        }
        locals.bind(&var.name, value.into_expr());
    }
    Ok(values)
}

struct Shared {
    translated: Translated,
    /// Hidden copy variables made for value loops, numbered across the whole translation.
    loops: usize,
    /// The module files being translated, outermost first (a module that includes itself).
    modules: Vec<PathBuf>,
}

/// Names bound by loops and lambdas → the ARM expression they stand for.
#[derive(Debug, Clone, Default)]
struct Locals(Vec<(String, String)>);

impl Locals {
    fn bind(&mut self, name: &str, expression: String) {
        self.0.push((name.to_string(), expression));
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, e)| e.as_str())
    }
}

/// A translated value: plain JSON (kept literal in the template) or an ARM expression.
#[derive(Debug, Clone)]
enum Arm {
    Json(Value),
    Expr(String),
}

impl Arm {
    /// The value as an ARM expression (without brackets).
    fn into_expr(self) -> String {
        match self {
            Arm::Expr(expression) => expression,
            Arm::Json(value) => literal_expression(&value),
        }
    }

    /// The value as template JSON: expressions in brackets, literal strings that start with `[`
    /// escaped as `[[` so that ARM does not read them as expressions.
    fn into_json(self) -> Value {
        match self {
            Arm::Expr(expression) => Value::String(format!("[{expression}]")),
            Arm::Json(value) => escape_literal(value),
        }
    }
}

fn escape_literal(value: Value) -> Value {
    match value {
        Value::String(s) if s.starts_with('[') => Value::String(format!("[{s}")),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_literal).collect()),
        Value::Object(members) => Value::Object(members.into_iter().map(|(k, v)| (k, escape_literal(v))).collect()),
        other => other,
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn literal_expression(value: &Value) -> String {
    match value {
        Value::Null => "null()".into(),
        Value::Bool(true) => "true()".into(),
        Value::Bool(false) => "false()".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            format!("createArray({})", items.iter().map(literal_expression).collect::<Vec<_>>().join(", "))
        }
        Value::Object(members) => format!(
            "createObject({})",
            members
                .iter()
                .map(|(k, v)| format!("{}, {}", quote(k), literal_expression(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An expression for syntax kvscan does not translate: evaluates to an unknown value whose reason
/// names it, so findings on it are notes rather than verdicts.
fn untranslated(what: &str) -> Arm {
    let name: String = what.chars().filter(char::is_ascii_alphanumeric).take(40).collect();
    Arm::Expr(format!("bicep.untranslated_{name}()"))
}

/// A resource declaration with what the flattening needs.
#[derive(Clone)]
struct ResourceEntry<'f> {
    decl: &'f Resource,
    /// The resource it is declared inside (by key), for nested children.
    lexical_parent: Option<String>,
}

struct FileTranslator<'s, 'f> {
    shared: &'s mut Shared,
    dir: PathBuf,
    shown: String,
    file: &'f BicepFile,
    /// Pointer of this file's template in the outermost template ("" for the main file).
    base: String,
    params: HashSet<&'f str>,
    vars: HashSet<&'f str>,
    /// Symbol (`kv`, and `kv::s` plus `s` for nested children) → resource.
    resources: HashMap<String, ResourceEntry<'f>>,
    /// Keys of the resource declarations, to tell nested keys from aliases.
    keys: HashMap<*const Resource, String>,
    modules: HashMap<&'f str, &'f Module>,
    hidden_loops: Vec<Value>,
    /// Names and types being worked out, to stop a resource whose name refers to itself.
    resolving: Vec<String>,
}

impl<'s, 'f> FileTranslator<'s, 'f> {
    fn new(shared: &'s mut Shared, path: &Path, shown: &str, file: &'f BicepFile, base: String) -> Self {
        let mut translator = FileTranslator {
            shared,
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            shown: shown.to_string(),
            file,
            base,
            params: file.params.iter().map(|p| p.name.as_str()).collect(),
            vars: file.vars.iter().map(|v| v.name.as_str()).collect(),
            resources: HashMap::new(),
            keys: HashMap::new(),
            modules: file.modules.iter().map(|m| (m.symbol.as_str(), m)).collect(),
            hidden_loops: Vec::new(),
            resolving: Vec::new(),
        };
        for resource in &file.resources {
            translator.register(resource, None);
        }
        translator
    }

    fn register(&mut self, resource: &'f Resource, lexical_parent: Option<String>) {
        let key = match &lexical_parent {
            Some(parent) => format!("{parent}::{}", resource.symbol),
            None => resource.symbol.clone(),
        };
        self.keys.insert(resource as *const Resource, key.clone());
        let entry = ResourceEntry { decl: resource, lexical_parent };
        if entry.lexical_parent.is_some() {
            // Inside its parent a nested child is also visible by its own name.
            self.resources.entry(resource.symbol.clone()).or_insert_with(|| entry.clone());
        }
        self.resources.insert(key.clone(), entry);
        for child in &resource.body.object.children {
            self.register(child, Some(key.clone()));
        }
    }

    fn at(&self, position: Position) -> FileLocation {
        FileLocation { file: self.shown.clone(), line: position.line, column: position.column }
    }

    fn place(&mut self, pointer: &str, position: Position) {
        let location = self.at(position);
        self.shared.translated.positions.insert(format!("{}{pointer}", self.base), location);
    }

    fn error(&self, position: Position, message: impl Into<String>) -> BicepError {
        BicepError::at(&self.shown, position, message)
    }

    fn template(mut self, overrides: &HashMap<String, Value>) -> Result<Value, BicepError> {
        let file = self.file;
        let mut parameters = Map::new();
        for param in &file.params {
            let kind = parameter_type(&param.type_name, param.secure);
            let mut declaration = Map::new();
            declaration.insert("type".into(), Value::String(kind.into()));
            let default = match overrides.get(&param.name) {
                Some(value) => Some(value.clone()),
                None => match &param.default {
                    Some(default) => Some(self.emit(
                        default,
                        &format!("/parameters/{}/defaultValue", param.name),
                        &Locals::default(),
                    )?),
                    None => None,
                },
            };
            if let Some(default) = default {
                declaration.insert("defaultValue".into(), default);
            }
            parameters.insert(param.name.clone(), Value::Object(declaration));
        }
        let mut variables = Map::new();
        for var in &file.vars {
            let value =
                self.emit(&var.value, &format!("/variables/{}", escape_token(&var.name)), &Locals::default())?;
            variables.insert(var.name.clone(), value);
        }
        let mut resources = Vec::new();
        for resource in &file.resources {
            self.resource(resource, None, &mut resources)?;
        }
        for module in &file.modules {
            self.module(module, &mut resources)?;
        }
        if !self.hidden_loops.is_empty() {
            variables.insert("copy".into(), Value::Array(std::mem::take(&mut self.hidden_loops)));
        }
        Ok(json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": parameters,
            "variables": variables,
            "resources": resources,
        }))
    }

    // ----- resources -----

    fn resource(
        &mut self,
        resource: &'f Resource,
        parent_condition: Option<&str>,
        out: &mut Vec<Value>,
    ) -> Result<(), BicepError> {
        let key = self.keys.get(&(resource as *const Resource)).cloned().unwrap_or_else(|| resource.symbol.clone());
        let locals = self.loop_locals(&resource.symbol, resource.body.repeat.as_ref(), None, &Locals::default())?;
        let condition = match &resource.body.condition {
            Some(condition) => {
                let own = self.expr(condition, &locals)?.into_expr();
                Some(match parent_condition {
                    Some(parent) => format!("and({parent}, {own})"),
                    None => own,
                })
            }
            None => parent_condition.map(str::to_string),
        };
        if !resource.existing {
            let pointer = format!("/resources/{}", out.len());
            self.place(&pointer, resource.at);
            let (kind, api_version) = self.full_type(&key, 0)?;
            let mut body = Map::new();
            body.insert("type".into(), Value::String(kind));
            if let Some(api_version) = api_version {
                body.insert("apiVersion".into(), Value::String(api_version));
            }
            let name = self.full_name(&key, None, 0)?;
            body.insert("name".into(), name.into_json());
            for property in &resource.body.object.properties {
                let property_pointer = format!("{pointer}/{}", escape_token(&property.key));
                match property.key.as_str() {
                    "name" => self.place(&property_pointer, property.at),
                    "parent" | "dependsOn" => {}
                    "scope" => {
                        self.place(&property_pointer, property.at);
                        if let Some(scope) = self.scope(&property.value, &locals)? {
                            body.insert("scope".into(), Value::String(format!("[{scope}]")));
                        }
                    }
                    _ => {
                        self.place(&property_pointer, property.at);
                        let value = self.emit(&property.value, &property_pointer, &locals)?;
                        body.insert(property.key.clone(), value);
                    }
                }
            }
            if let Some(condition) = &condition {
                body.insert("condition".into(), Value::String(format!("[{condition}]")));
            }
            if let Some(repeat) = &resource.body.repeat {
                let source = self.expr(&repeat.source, &Locals::default())?.into_expr();
                body.insert("copy".into(), json!({"name": resource.symbol, "count": format!("[length({source})]")}));
            }
            out.push(Value::Object(body));
        }
        // Children of an `existing` resource are deployed into it.
        for child in &resource.body.object.children {
            self.resource(child, condition.as_deref(), out)?;
        }
        Ok(())
    }

    /// Item and index of a loop as ARM expressions; `index` replaces `copyIndex('loop')` when a
    /// looped resource is referenced by index from outside (`vaults[1].id`).
    fn loop_locals(
        &mut self,
        loop_name: &str,
        repeat: Option<&Loop>,
        index: Option<&str>,
        outer: &Locals,
    ) -> Result<Locals, BicepError> {
        let mut locals = outer.clone();
        let Some(repeat) = repeat else { return Ok(locals) };
        let position = match index {
            Some(index) => index.to_string(),
            None => format!("copyIndex({})", quote(loop_name)),
        };
        let source = self.expr(&repeat.source, &Locals::default())?.into_expr();
        if let Some(item) = &repeat.item {
            locals.bind(item, format!("{source}[{position}]"));
        }
        if let Some(index_name) = &repeat.index {
            locals.bind(index_name, position);
        }
        Ok(locals)
    }

    /// The declared parent of a resource (`parent: x` or the resource it is nested in), by key,
    /// with the index expression when the parent is a looped resource referenced by index.
    fn parent_of(&mut self, key: &str) -> Result<Option<(String, Option<String>)>, BicepError> {
        let Some(entry) = self.resources.get(key).cloned() else { return Ok(None) };
        if let Some(property) = entry.decl.body.object.properties.iter().find(|p| p.key == "parent") {
            let locals =
                self.loop_locals(&entry.decl.symbol, entry.decl.body.repeat.as_ref(), None, &Locals::default())?;
            return match self.resource_reference(&property.value, &locals)? {
                Some(reference) => Ok(Some(reference)),
                None => Err(self.error(property.at, "`parent:` must name a resource declared in this file")),
            };
        }
        Ok(entry.lexical_parent.map(|parent| (parent, None)))
    }

    /// `kv`, `kv::secret`, `vaults[i]`: the resource key it names, and the index for a loop.
    fn resource_reference(
        &mut self,
        expr: &Expr,
        locals: &Locals,
    ) -> Result<Option<(String, Option<String>)>, BicepError> {
        match &expr.kind {
            ExprKind::Identifier(name) if locals.get(name).is_none() && self.resources.contains_key(name) => {
                Ok(Some((name.clone(), None)))
            }
            ExprKind::ChildAccess { object, child } => match self.resource_reference(object, locals)? {
                Some((parent, _)) => {
                    let nested = format!("{parent}::{child}");
                    Ok(self.resources.contains_key(&nested).then_some((nested, None)))
                }
                None => Ok(None),
            },
            ExprKind::Index { object, index } => match self.resource_reference(object, locals)? {
                Some((key, None)) => {
                    let index = self.expr(index, locals)?.into_expr();
                    Ok(Some((key, Some(index))))
                }
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// The full type (`Microsoft.KeyVault/vaults/secrets`) and API version of a resource.
    fn full_type(&mut self, key: &str, depth: usize) -> Result<(String, Option<String>), BicepError> {
        self.guarded(format!("type of {key}"), |this| this.full_type_unguarded(key, depth))
    }

    /// Runs `work` unless the same `task` is already under way further up (a cycle).
    fn guarded<T>(
        &mut self,
        task: String,
        work: impl FnOnce(&mut Self) -> Result<T, BicepError>,
    ) -> Result<T, BicepError> {
        if self.resolving.contains(&task) {
            let at =
                self.resources.get(task.rsplit(' ').next().unwrap_or_default()).map_or(Position::START, |e| e.decl.at);
            return Err(self.error(at, format!("the {task} depends on itself")));
        }
        self.resolving.push(task);
        let result = work(self);
        self.resolving.pop();
        result
    }

    fn full_type_unguarded(&mut self, key: &str, depth: usize) -> Result<(String, Option<String>), BicepError> {
        let Some(entry) = self.resources.get(key).cloned() else {
            return Err(self.error(Position::START, format!("unknown resource '{key}'")));
        };
        if depth > MAX_PARENT_DEPTH {
            return Err(self.error(entry.decl.at, "the `parent:` chain of this resource is a cycle"));
        }
        let (kind, api_version) = match entry.decl.type_text.split_once('@') {
            Some((kind, version)) => (kind.to_string(), Some(version.to_string())),
            None => (entry.decl.type_text.clone(), None),
        };
        if kind.contains('.') {
            return Ok((kind, api_version));
        }
        // A nested child's relative type, after its parent's.
        match self.parent_of(key)? {
            Some((parent, _)) => {
                let (parent_kind, parent_version) = self.full_type(&parent, depth + 1)?;
                Ok((format!("{parent_kind}/{kind}"), api_version.or(parent_version)))
            }
            None => Ok((kind, api_version)),
        }
    }

    /// Name segments: the parent's, then the resource's own name.
    fn name_segments(&mut self, key: &str, index: Option<&str>, depth: usize) -> Result<Vec<Arm>, BicepError> {
        self.guarded(format!("name of {key}"), |this| this.name_segments_unguarded(key, index, depth))
    }

    fn name_segments_unguarded(
        &mut self,
        key: &str,
        index: Option<&str>,
        depth: usize,
    ) -> Result<Vec<Arm>, BicepError> {
        let Some(entry) = self.resources.get(key).cloned() else {
            return Err(self.error(Position::START, format!("unknown resource '{key}'")));
        };
        if depth > MAX_PARENT_DEPTH {
            return Err(self.error(entry.decl.at, "the `parent:` chain of this resource is a cycle"));
        }
        let locals =
            self.loop_locals(&entry.decl.symbol, entry.decl.body.repeat.as_ref(), index, &Locals::default())?;
        let own = match entry.decl.body.object.properties.iter().find(|p| p.key == "name") {
            Some(name) => self.expr(&name.value, &locals)?,
            None => return Err(self.error(entry.decl.at, "a resource needs a `name`")),
        };
        let mut segments = match self.parent_of(key)? {
            Some((parent, parent_index)) => self.name_segments(&parent, parent_index.as_deref(), depth + 1)?,
            None => Vec::new(),
        };
        segments.push(own);
        Ok(segments)
    }

    fn full_name(&mut self, key: &str, index: Option<&str>, depth: usize) -> Result<Arm, BicepError> {
        let segments = self.name_segments(key, index, depth)?;
        Ok(join_segments(segments))
    }

    /// The resource id expression of a resource (`resourceId(type, name segments…)`).
    fn resource_id(&mut self, key: &str, index: Option<&str>) -> Result<String, BicepError> {
        let (kind, _) = self.full_type(key, 0)?;
        let segments = self.name_segments(key, index, 0)?;
        let type_depth = kind.matches('/').count();
        let names: Vec<String> = if segments.len() == type_depth {
            segments.into_iter().map(Arm::into_expr).collect()
        } else {
            // One name holding every segment (`'${vault}/secret'`): split it.
            let full = join_segments(segments).into_expr();
            (0..type_depth).map(|i| format!("split({full}, '/')[{i}]")).collect()
        };
        Ok(format!("resourceId({}, {})", quote(&kind), names.join(", ")))
    }

    /// `scope: kv` → the vault's id (the record builder reads the vault from it); scopes that are
    /// the deployment's own resource group are dropped, other scope objects give their id.
    fn scope(&mut self, value: &Expr, locals: &Locals) -> Result<Option<String>, BicepError> {
        if let Some((key, index)) = self.resource_reference(value, locals)? {
            return Ok(Some(self.resource_id(&key, index.as_deref())?));
        }
        if let ExprKind::Call { name, args, .. } = &value.kind {
            if name == "resourceGroup" && args.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(format!("{}.id", self.expr(value, locals)?.into_expr())))
    }

    // ----- modules -----

    fn module(&mut self, module: &'f Module, out: &mut Vec<Value>) -> Result<(), BicepError> {
        let pointer = format!("/resources/{}", out.len());
        let locals = self.loop_locals(&module.symbol, module.body.repeat.as_ref(), None, &Locals::default())?;
        if module.path.starts_with("br:")
            || module.path.starts_with("br/")
            || module.path.starts_with("ts:")
            || module.path.starts_with("ts/")
        {
            self.shared.translated.problems.push(self.error(
                module.at,
                format!("module '{}' comes from a registry ({}); kvscan follows local module files only, so it was not scanned", module.symbol, module.path),
            ));
            return Ok(());
        }
        // `./modules/kv.bicep` is shown as `modules/kv.bicep` below the including file's folder.
        let path: PathBuf =
            self.dir.join(&module.path).components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect();
        let shown = crate::source::display_path(&path);
        let resolved = canonical(&path);
        if self.shared.modules.contains(&resolved) {
            self.shared.translated.problems.push(self.error(
                module.at,
                format!("module '{}' includes itself ({shown}); it was not followed again", module.symbol),
            ));
            return Ok(());
        }
        if self.shared.modules.len() > MAX_MODULE_DEPTH {
            self.shared.translated.problems.push(
                self.error(module.at, format!("modules nest deeper than {MAX_MODULE_DEPTH}; {shown} was not scanned")),
            );
            return Ok(());
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                self.shared
                    .translated
                    .problems
                    .push(self.error(module.at, format!("module '{}' ({shown}) cannot be read: {e}", module.symbol)));
                return Ok(());
            }
        };
        let parsed = match parse::parse(&shown, &text) {
            Ok(parsed) => parsed,
            Err(error) => {
                self.shared.translated.problems.push(error);
                return Ok(());
            }
        };
        self.place(&pointer, module.at);
        let mut parameters = Map::new();
        let mut name = Arm::Json(Value::String(module.symbol.clone()));
        let mut condition = None;
        for property in &module.body.object.properties {
            match property.key.as_str() {
                "name" => name = self.expr(&property.value, &locals)?,
                "params" => {
                    let ExprKind::Object(object) = &property.value.kind else {
                        return Err(self.error(property.at, "a module's `params` must be an object"));
                    };
                    for param in &object.properties {
                        let param_pointer = format!("{pointer}/properties/parameters/{}", escape_token(&param.key));
                        self.place(&param_pointer, param.at);
                        self.place(&format!("{param_pointer}/value"), param.at);
                        let value = self.emit(&param.value, &format!("{param_pointer}/value"), &locals)?;
                        parameters.insert(param.key.clone(), json!({ "value": value }));
                    }
                }
                _ => {}
            }
        }
        if let Some(own) = &module.body.condition {
            condition = Some(self.expr(own, &locals)?.into_expr());
        }
        self.shared.modules.push(resolved);
        let inner_base = format!("{}{pointer}/properties/template", self.base);
        let template = FileTranslator::new(self.shared, &path, &shown, &parsed, inner_base).template(&HashMap::new());
        self.shared.modules.pop();
        let template = template?;
        let mut body = Map::new();
        body.insert("type".into(), Value::String("Microsoft.Resources/deployments".into()));
        body.insert("apiVersion".into(), Value::String(DEPLOYMENT_API_VERSION.into()));
        body.insert("name".into(), name.into_json());
        body.insert(
            "properties".into(),
            json!({
                "expressionEvaluationOptions": {"scope": "inner"},
                "mode": "Incremental",
                "parameters": parameters,
                "template": template,
            }),
        );
        if let Some(condition) = condition {
            body.insert("condition".into(), Value::String(format!("[{condition}]")));
        }
        if let Some(repeat) = &module.body.repeat {
            let source = self.expr(&repeat.source, &Locals::default())?.into_expr();
            body.insert("copy".into(), json!({"name": module.symbol, "count": format!("[length({source})]")}));
        }
        out.push(Value::Object(body));
        Ok(())
    }

    // ----- values -----

    /// A value as template JSON, recording the position of every property and array element.
    fn emit(&mut self, expr: &Expr, pointer: &str, locals: &Locals) -> Result<Value, BicepError> {
        match &expr.kind {
            ExprKind::Object(object) => {
                let mut members = Map::new();
                for property in &object.properties {
                    let member_pointer = format!("{pointer}/{}", escape_token(&property.key));
                    self.place(&member_pointer, property.at);
                    let value = self.emit(&property.value, &member_pointer, locals)?;
                    members.insert(property.key.clone(), value);
                }
                Ok(Value::Object(members))
            }
            ExprKind::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    let item_pointer = format!("{pointer}/{index}");
                    self.place(&item_pointer, item.at);
                    values.push(self.emit(item, &item_pointer, locals)?);
                }
                Ok(Value::Array(values))
            }
            _ => Ok(self.expr(expr, locals)?.into_json()),
        }
    }

    fn expr(&mut self, expr: &Expr, locals: &Locals) -> Result<Arm, BicepError> {
        Ok(match &expr.kind {
            ExprKind::String(parts) => self.string(parts, locals)?,
            ExprKind::Int(n) => Arm::Json(Value::from(*n)),
            ExprKind::Bool(b) => Arm::Json(Value::Bool(*b)),
            ExprKind::Null => Arm::Json(Value::Null),
            ExprKind::Identifier(name) => self.identifier(name, expr.at, locals)?,
            ExprKind::Array(items) => {
                let items: Vec<Arm> = items.iter().map(|i| self.expr(i, locals)).collect::<Result<_, _>>()?;
                if items.iter().all(|i| matches!(i, Arm::Json(_))) {
                    Arm::Json(Value::Array(
                        items.into_iter().map(|i| if let Arm::Json(v) = i { v } else { Value::Null }).collect(),
                    ))
                } else {
                    Arm::Expr(format!(
                        "createArray({})",
                        items.into_iter().map(Arm::into_expr).collect::<Vec<_>>().join(", ")
                    ))
                }
            }
            ExprKind::Object(object) => self.object(object, locals)?,
            ExprKind::Member { object, property } => self.member(object, property, locals)?,
            ExprKind::Index { object, index } => {
                if self.resource_reference(expr, locals)?.is_some() {
                    return self.whole_resource(expr, locals);
                }
                let object = self.expr(object, locals)?.into_expr();
                let index = self.expr(index, locals)?.into_expr();
                Arm::Expr(format!("{object}[{index}]"))
            }
            ExprKind::ChildAccess { .. } => self.whole_resource(expr, locals)?,
            ExprKind::Call { namespace, name, args } => self.call(namespace.as_deref(), name, args, locals)?,
            ExprKind::Unary { operator, operand } => {
                let operand = self.expr(operand, locals)?.into_expr();
                match operator.as_str() {
                    "!" => Arm::Expr(format!("not({operand})")),
                    _ => Arm::Expr(format!("sub(0, {operand})")),
                }
            }
            ExprKind::Binary { operator, left, right } => {
                let left = self.expr(left, locals)?.into_expr();
                let right = self.expr(right, locals)?.into_expr();
                Arm::Expr(binary(operator, &left, &right))
            }
            ExprKind::Ternary { condition, then, otherwise } => {
                let condition = self.expr(condition, locals)?.into_expr();
                let then = self.expr(then, locals)?.into_expr();
                let otherwise = self.expr(otherwise, locals)?.into_expr();
                Arm::Expr(format!("if({condition}, {then}, {otherwise})"))
            }
            ExprKind::For { repeat, condition, body } => match condition {
                Some(_) => untranslated("filtered for loop"),
                None => self.value_loop(repeat, body, locals)?,
            },
            ExprKind::Lambda { parameters, body } => {
                let mut inner = locals.clone();
                for parameter in parameters {
                    inner.bind(parameter, format!("lambdaVariables({})", quote(parameter)));
                }
                let body = self.expr(body, &inner)?.into_expr();
                let names: Vec<String> = parameters.iter().map(|p| quote(p)).collect();
                Arm::Expr(format!("lambda({}, {body})", names.join(", ")))
            }
            ExprKind::Unsupported(text) => untranslated(text),
        })
    }

    fn string(&mut self, parts: &[StringPart], locals: &Locals) -> Result<Arm, BicepError> {
        if let [StringPart::Text(text)] = parts {
            return Ok(Arm::Json(Value::String(text.clone())));
        }
        let mut format_text = String::new();
        let mut args = Vec::new();
        for part in parts {
            match part {
                StringPart::Text(text) => format_text.push_str(&text.replace('{', "{{").replace('}', "}}")),
                StringPart::Interpolation(expr) => {
                    format_text.push_str(&format!("{{{}}}", args.len()));
                    args.push(self.expr(expr, locals)?.into_expr());
                }
            }
        }
        Ok(Arm::Expr(format!("format({}, {})", quote(&format_text), args.join(", "))))
    }

    fn object(&mut self, object: &ObjectLiteral, locals: &Locals) -> Result<Arm, BicepError> {
        let mut members = Vec::with_capacity(object.properties.len());
        for property in &object.properties {
            members.push((property.key.clone(), self.expr(&property.value, locals)?));
        }
        if members.iter().all(|(_, v)| matches!(v, Arm::Json(_))) {
            let map =
                members.into_iter().map(|(k, v)| (k, if let Arm::Json(v) = v { v } else { Value::Null })).collect();
            return Ok(Arm::Json(Value::Object(map)));
        }
        let pairs: Vec<String> =
            members.into_iter().map(|(k, v)| format!("{}, {}", quote(&k), v.into_expr())).collect();
        Ok(Arm::Expr(format!("createObject({})", pairs.join(", "))))
    }

    fn identifier(&mut self, name: &str, at: Position, locals: &Locals) -> Result<Arm, BicepError> {
        if let Some(bound) = locals.get(name) {
            return Ok(Arm::Expr(bound.to_string()));
        }
        if self.params.contains(name) {
            return Ok(Arm::Expr(format!("parameters({})", quote(name))));
        }
        if self.vars.contains(name) {
            return Ok(Arm::Expr(format!("variables({})", quote(name))));
        }
        if self.resources.contains_key(name) {
            let expr = Expr { kind: ExprKind::Identifier(name.to_string()), at };
            return self.whole_resource(&expr, locals);
        }
        if let Some(module) = self.modules.get(name).copied() {
            return Ok(Arm::Expr(format!("reference({})", self.deployment_id(module, locals)?)));
        }
        Err(self.error(at, format!("'{name}' is not a parameter, variable, resource or module of this file")))
    }

    /// A resource used as a value: its deployed state.
    fn whole_resource(&mut self, expr: &Expr, locals: &Locals) -> Result<Arm, BicepError> {
        let Some((key, index)) = self.resource_reference(expr, locals)? else {
            return Ok(untranslated("resource reference"));
        };
        let id = self.resource_id(&key, index.as_deref())?;
        Ok(Arm::Expr(format!("reference({id}, {}, 'Full')", quote(&self.api_version(&key)?))))
    }

    fn api_version(&mut self, key: &str) -> Result<String, BicepError> {
        Ok(self.full_type(key, 0)?.1.unwrap_or_default())
    }

    fn deployment_id(&mut self, module: &Module, locals: &Locals) -> Result<String, BicepError> {
        let name = match module.body.object.properties.iter().find(|p| p.key == "name") {
            Some(name) => self.expr(&name.value, locals)?.into_expr(),
            None => quote(&module.symbol),
        };
        Ok(format!("resourceId('Microsoft.Resources/deployments', {name})"))
    }

    fn member(&mut self, object: &Expr, property: &str, locals: &Locals) -> Result<Arm, BicepError> {
        if let Some((key, index)) = self.resource_reference(object, locals)? {
            return Ok(match property {
                "id" => Arm::Expr(self.resource_id(&key, index.as_deref())?),
                "name" => self.full_name(&key, index.as_deref(), 0)?,
                "type" => Arm::Json(Value::String(self.full_type(&key, 0)?.0)),
                "apiVersion" => Arm::Json(Value::String(self.api_version(&key)?)),
                // `properties.x`, `location`, …: the deployed state, only known at deployment.
                "properties" => {
                    let id = self.resource_id(&key, index.as_deref())?;
                    Arm::Expr(format!("reference({id}, {})", quote(&self.api_version(&key)?)))
                }
                other => {
                    let id = self.resource_id(&key, index.as_deref())?;
                    Arm::Expr(format!("reference({id}, {}, 'Full').{other}", quote(&self.api_version(&key)?)))
                }
            });
        }
        if let ExprKind::Identifier(name) = &object.kind {
            if locals.get(name).is_none() {
                if let Some(module) = self.modules.get(name.as_str()).copied() {
                    let id = self.deployment_id(module, locals)?;
                    return Ok(match property {
                        "name" => Arm::Expr(
                            id.trim_start_matches("resourceId('Microsoft.Resources/deployments', ")
                                .trim_end_matches(')')
                                .to_string(),
                        ),
                        other => Arm::Expr(format!("reference({id}).{other}")),
                    });
                }
            }
        }
        let object = self.expr(object, locals)?.into_expr();
        Ok(Arm::Expr(format!("{object}.{property}")))
    }

    fn call(&mut self, namespace: Option<&str>, name: &str, args: &[Expr], locals: &Locals) -> Result<Arm, BicepError> {
        let mut translated = Vec::with_capacity(args.len());
        for arg in args {
            translated.push(self.expr(arg, locals)?.into_expr());
        }
        let function = match namespace {
            None | Some("az") | Some("sys") => name.to_string(),
            Some(other) => format!("{other}.{name}"),
        };
        // `any()` only changes the type checker's view.
        if function == "any" && translated.len() == 1 {
            return Ok(Arm::Expr(translated.remove(0)));
        }
        Ok(Arm::Expr(format!("{function}({})", translated.join(", "))))
    }

    /// `[for x in xs: body]` as a value: a hidden copy variable of the template.
    fn value_loop(&mut self, repeat: &Loop, body: &Expr, locals: &Locals) -> Result<Arm, BicepError> {
        let name = format!("kvscanLoop{}", self.shared.loops);
        self.shared.loops += 1;
        let source = self.expr(&repeat.source, locals)?.into_expr();
        let mut inner = locals.clone();
        let position = format!("copyIndex({})", quote(&name));
        if let Some(item) = &repeat.item {
            inner.bind(item, format!("{source}[{position}]"));
        }
        if let Some(index) = &repeat.index {
            inner.bind(index, position);
        }
        // The loop body's positions are not recorded: the variable is not where the value is.
        let input = self.expr(body, &inner)?.into_json();
        self.hidden_loops.push(json!({"name": name, "count": format!("[length({source})]"), "input": input}));
        Ok(Arm::Expr(format!("variables({})", quote(&name))))
    }
}

fn join_segments(mut segments: Vec<Arm>) -> Arm {
    if segments.len() == 1 {
        return segments.remove(0);
    }
    if segments.iter().all(|s| matches!(s, Arm::Json(Value::String(_)))) {
        let joined: Vec<String> = segments
            .iter()
            .filter_map(|s| if let Arm::Json(Value::String(s)) = s { Some(s.clone()) } else { None })
            .collect();
        return Arm::Json(Value::String(joined.join("/")));
    }
    let placeholders: Vec<String> = (0..segments.len()).map(|i| format!("{{{i}}}")).collect();
    let args: Vec<String> = segments.into_iter().map(Arm::into_expr).collect();
    Arm::Expr(format!("format({}, {})", quote(&placeholders.join("/")), args.join(", ")))
}

fn binary(operator: &str, left: &str, right: &str) -> String {
    let function = match operator {
        "+" => "add",
        "-" => "sub",
        "*" => "mul",
        "/" => "div",
        "%" => "mod",
        "&&" => "and",
        "||" => "or",
        "==" => "equals",
        "<" => "less",
        "<=" => "lessOrEquals",
        ">" => "greater",
        ">=" => "greaterOrEquals",
        "??" => "coalesce",
        "!=" => return format!("not(equals({left}, {right}))"),
        "=~" => return format!("equals(toLower({left}), toLower({right}))"),
        "!~" => return format!("not(equals(toLower({left}), toLower({right})))"),
        other => return untranslated(&format!("operator {other}")).into_expr(),
    };
    format!("{function}({left}, {right})")
}

fn parameter_type(declared: &str, secure: bool) -> &'static str {
    let declared = declared.trim();
    match declared {
        "string" if secure => "securestring",
        "object" if secure => "secureObject",
        "string" => "string",
        "int" => "int",
        "bool" => "bool",
        "array" => "array",
        _ if declared.ends_with("[]") => "array",
        _ if declared.starts_with('\'') => "string",
        _ => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(text: &str) -> Translated {
        let file = parse::parse("t.bicep", text).expect("valid Bicep");
        translate(Path::new("t.bicep"), "t.bicep", &file, None).expect("translates")
    }

    #[test]
    fn expressions_become_arm_expressions() {
        let t = translated(
            "param p string\nparam n int = 2\nvar v = '${p}-x{y}'\nvar w = !(n == 3) && n >= 1 ? 'a' : 'b'\nvar x = p =~ 'A'\nvar y = [1, p]\nvar z = { a: 1 }.a\n",
        );
        let variables = &t.template["variables"];
        assert_eq!(variables["v"], "[format('{0}-x{{y}}', parameters('p'))]");
        assert_eq!(
            variables["w"],
            "[if(and(not(equals(parameters('n'), 3)), greaterOrEquals(parameters('n'), 1)), 'a', 'b')]"
        );
        assert_eq!(variables["x"], "[equals(toLower(parameters('p')), toLower('A'))]");
        assert_eq!(variables["y"], json!([1, "[parameters('p')]"]));
        assert_eq!(variables["z"], "[createObject('a', 1).a]");
        assert!(t.template["parameters"]["p"].get("defaultValue").is_none());
        assert_eq!(t.template["parameters"]["n"]["defaultValue"], 2);
    }

    #[test]
    fn children_parents_loops_and_conditions_are_flattened() {
        let t = translated(
            "param on bool\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' = if (on) {\n  name: 'kv'\n  resource s 'secrets' = {\n    name: 's'\n  }\n}\nresource k 'Microsoft.KeyVault/vaults/keys@2023-07-01' = [for i in range(0, 2): {\n  parent: kv\n  name: 'k${i}'\n}]\nresource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid(kv.id)\n  scope: kv\n  properties: {}\n}\n",
        );
        let resources = t.template["resources"].as_array().expect("resources");
        assert_eq!(resources[0]["condition"], "[parameters('on')]");
        assert_eq!(resources[1]["type"], "Microsoft.KeyVault/vaults/secrets");
        assert_eq!(resources[1]["name"], "kv/s");
        assert_eq!(resources[1]["condition"], "[parameters('on')]", "a child is deployed with its parent");
        assert_eq!(resources[2]["name"], "[format('{0}/{1}', 'kv', format('k{0}', range(0, 2)[copyIndex('k')]))]");
        assert_eq!(resources[2]["copy"], json!({"name": "k", "count": "[length(range(0, 2))]"}));
        assert_eq!(resources[3]["scope"], "[resourceId('Microsoft.KeyVault/vaults', 'kv')]");
        assert_eq!(t.positions["/resources/1"].line, 4);
        assert_eq!(t.positions["/resources/3/properties"].line, 15);
    }

    #[test]
    fn existing_resources_are_references_only() {
        let t = translated("resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'old'\n}\nresource s 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {\n  parent: kv\n  name: 's'\n}\n");
        let resources = t.template["resources"].as_array().expect("resources");
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0]["name"], "old/s");
    }

    #[test]
    fn unknown_symbols_are_errors_with_a_place() {
        let file = parse::parse("t.bicep", "var a = nope\n").expect("valid syntax");
        let error = translate(Path::new("t.bicep"), "t.bicep", &file, None).expect_err("unknown symbol");
        assert!(error.to_string().starts_with("t.bicep:1:9: 'nope'"), "{error}");
    }
}
