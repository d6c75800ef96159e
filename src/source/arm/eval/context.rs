//! What expressions are evaluated against: parameters, variables, the deployment's place in Azure
//! and the current copy loop iterations.
//!
//! Parameters and variables are evaluated lazily, on first use, and cached: a template may refer
//! to a variable long before (or without ever) needing the others, and defaults may themselves be
//! expressions over other parameters. A reference back to a value still being evaluated is a cycle.

use super::EvalError;
use super::EvalValue;
use crate::source::arm::resolve::{evaluate_template_value, Resolved};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Evaluation depth (expression nesting plus parameter/variable indirection) allowed before giving
/// up, well inside the stack of a test thread.
const MAX_EVAL_DEPTH: usize = 256;

/// Largest copy loop ARM allows.
const MAX_COPY_COUNT: i64 = 800;

/// How much value (roughly bytes: 32 per JSON node plus string lengths) one context may produce.
/// Real templates need a few megabytes; this only stops inputs built to explode (a variable that
/// doubles another, thirty times over).
const VALUE_BUDGET: usize = 64 << 20;
const NODE_WEIGHT: usize = 32;

/// Where the deployment happens. kvscan scans before deployment, so each value is either given by
/// the user or a documented placeholder; placeholders make ids and `uniqueString()` names
/// deterministic but not the ones a real subscription would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentInfo {
    /// Default `00000000-0000-0000-0000-000000000000`.
    pub subscription_id: String,
    /// Default `kvscan-subscription`.
    pub subscription_name: String,
    /// Default `00000000-0000-0000-0000-000000000000`.
    pub tenant_id: String,
    /// Default `kvscan-rg`.
    pub resource_group: String,
    /// The resource group's location. Default `eastus`.
    pub location: String,
    /// Default `kvscan-deployment`.
    pub deployment_name: String,
}

impl Default for DeploymentInfo {
    fn default() -> DeploymentInfo {
        DeploymentInfo {
            subscription_id: "00000000-0000-0000-0000-000000000000".into(),
            subscription_name: "kvscan-subscription".into(),
            tenant_id: "00000000-0000-0000-0000-000000000000".into(),
            resource_group: "kvscan-rg".into(),
            location: "eastus".into(),
            deployment_name: "kvscan-deployment".into(),
        }
    }
}

/// The evaluation context of one template. Not `Sync`: it caches as it evaluates.
#[derive(Debug, Default)]
pub struct EvalContext {
    deployment: DeploymentInfo,
    parameters: HashMap<String, Slot>,
    variables: HashMap<String, Slot>,
    state: RefCell<State>,
    depth: Cell<usize>,
    spent: Cell<usize>,
}

#[derive(Debug)]
struct Slot {
    /// As spelled in the template, for messages.
    name: String,
    definition: Definition,
}

#[derive(Debug)]
enum Definition {
    /// Given from outside (a parameter file value, or an unknown the caller determined).
    Supplied(EvalValue),
    /// Template JSON, evaluated on first use: a variable, or a parameter's `defaultValue`.
    Template(Value),
    /// A variable built by a `copy` loop.
    Copy { count: Value, input: Value },
    /// A parameter without a value or default.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Parameter,
    Variable,
}

impl Kind {
    fn function(self) -> &'static str {
        match self {
            Kind::Parameter => "parameters",
            Kind::Variable => "variables",
        }
    }
}

#[derive(Debug, Default)]
struct State {
    cache: HashMap<(Kind, String), Resolved>,
    /// Parameters and variables being evaluated, outermost first.
    in_progress: Vec<(Kind, String)>,
    /// Active copy loops, outermost first: loop name and current index.
    copy_loops: Vec<(String, i64)>,
}

/// Keeps one level of evaluation depth until dropped.
pub(crate) struct Level<'a>(&'a Cell<usize>);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl EvalContext {
    /// A context with nothing declared.
    pub fn new(deployment: DeploymentInfo) -> EvalContext {
        EvalContext { deployment, ..EvalContext::default() }
    }

    /// The context of a template's top level: its `parameters` (with `supplied` values, unwrapped
    /// from a parameter file's `{"value": ...}`, taking precedence over defaults; a `nullable`
    /// parameter without either is null, as in language version 2.0) and `variables` (including
    /// `copy` variables).
    pub fn for_template(template: &Value, supplied: &Map<String, Value>, deployment: DeploymentInfo) -> EvalContext {
        let mut ctx = EvalContext::new(deployment);
        let supplied: HashMap<String, &Value> =
            supplied.iter().map(|(name, value)| (name.to_lowercase(), value)).collect();
        if let Some(parameters) = template.get("parameters").and_then(Value::as_object) {
            for (name, declaration) in parameters {
                let definition = match (supplied.get(&name.to_lowercase()), declaration.get("defaultValue")) {
                    (Some(&value), _) => Definition::Supplied(EvalValue::Known(value.clone())),
                    (None, Some(default)) => Definition::Template(default.clone()),
                    (None, None) if declaration.get("nullable") == Some(&Value::Bool(true)) => {
                        Definition::Supplied(EvalValue::Known(Value::Null))
                    }
                    (None, None) => Definition::Missing,
                };
                ctx.define(Kind::Parameter, name, definition);
            }
        }
        if let Some(variables) = template.get("variables").and_then(Value::as_object) {
            for (name, definition) in variables {
                match (name.eq_ignore_ascii_case("copy"), definition) {
                    (true, Value::Array(loops)) => {
                        for copy in loops {
                            let Some(loop_name) = copy.get("name").and_then(Value::as_str) else { continue };
                            let count = copy.get("count").cloned().unwrap_or(Value::Null);
                            let input = copy.get("input").cloned().unwrap_or(Value::Null);
                            ctx.define(Kind::Variable, loop_name, Definition::Copy { count, input });
                        }
                    }
                    _ => ctx.define(Kind::Variable, name, Definition::Template(definition.clone())),
                }
            }
        }
        ctx
    }

    pub fn deployment(&self) -> &DeploymentInfo {
        &self.deployment
    }

    /// Sets a parameter's value; an [`EvalValue::Unknown`] records why it cannot be known (a Key
    /// Vault reference in a parameter file, say).
    pub fn set_parameter(&mut self, name: &str, value: EvalValue) {
        self.define(Kind::Parameter, name, Definition::Supplied(value));
    }

    /// Declares a parameter by its default value, which may contain expressions.
    pub fn set_parameter_default(&mut self, name: &str, default: Value) {
        self.define(Kind::Parameter, name, Definition::Template(default));
    }

    /// Declares a parameter that has neither a value nor a default.
    pub fn declare_parameter(&mut self, name: &str) {
        self.define(Kind::Parameter, name, Definition::Missing);
    }

    /// Declares a variable by its template definition, which may contain expressions.
    pub fn set_variable(&mut self, name: &str, definition: Value) {
        self.define(Kind::Variable, name, Definition::Template(definition));
    }

    /// Runs `f` inside iteration `index` of the copy loop `name` (`copyIndex()` and
    /// `copyIndex(name)` see it).
    pub fn in_copy_loop<R>(&self, name: &str, index: i64, f: impl FnOnce() -> R) -> R {
        self.state.borrow_mut().copy_loops.push((name.to_string(), index));
        let result = f();
        self.state.borrow_mut().copy_loops.pop();
        result
    }

    fn define(&mut self, kind: Kind, name: &str, definition: Definition) {
        let slots = match kind {
            Kind::Parameter => &mut self.parameters,
            Kind::Variable => &mut self.variables,
        };
        slots.insert(name.to_lowercase(), Slot { name: name.to_string(), definition });
        self.state.get_mut().cache.clear();
    }

    pub(crate) fn parameter(&self, name: &str) -> Result<Resolved, EvalError> {
        self.named(Kind::Parameter, name)
    }

    pub(crate) fn variable(&self, name: &str) -> Result<Resolved, EvalError> {
        self.named(Kind::Variable, name)
    }

    /// The current index of the named copy loop, or of the innermost one.
    pub(crate) fn copy_index(&self, name: Option<&str>) -> Option<i64> {
        let state = self.state.borrow();
        match name {
            None => state.copy_loops.last().map(|(_, index)| *index),
            Some(name) => {
                let folded = name.to_lowercase();
                state.copy_loops.iter().rev().find(|(loop_name, _)| loop_name.to_lowercase() == folded).map(|(_, i)| *i)
            }
        }
    }

    /// Enters one level of evaluation; fails beyond [`MAX_EVAL_DEPTH`].
    pub(crate) fn enter(&self) -> Result<Level<'_>, EvalError> {
        let depth = self.depth.get() + 1;
        if depth > MAX_EVAL_DEPTH {
            return Err(EvalError::TooDeep(MAX_EVAL_DEPTH));
        }
        self.depth.set(depth);
        Ok(Level(&self.depth))
    }

    /// Counts a produced value against the context's budget.
    pub(crate) fn charge(&self, value: &Value) -> Result<(), EvalError> {
        let remaining = VALUE_BUDGET.saturating_sub(self.spent.get());
        let weight = weight(value, remaining);
        if weight > remaining {
            return Err(EvalError::TooLarge(format!("more than {} MiB of values", VALUE_BUDGET >> 20)));
        }
        self.spent.set(self.spent.get() + weight);
        Ok(())
    }

    fn named(&self, kind: Kind, name: &str) -> Result<Resolved, EvalError> {
        let key = name.to_lowercase();
        let slots = match kind {
            Kind::Parameter => &self.parameters,
            Kind::Variable => &self.variables,
        };
        let Some(slot) = slots.get(&key) else {
            return Err(match kind {
                Kind::Parameter => EvalError::UndeclaredParameter(name.to_string()),
                Kind::Variable => EvalError::UndeclaredVariable(name.to_string()),
            });
        };
        let cache_key = (kind, key);
        let cached = self.state.borrow().cache.get(&cache_key).cloned();
        if let Some(hit) = cached {
            self.charge_resolved(&hit)?;
            return Ok(hit);
        }
        self.check_cycle(&cache_key, slot)?;
        let _level = self.enter()?;
        // Parameters and variables are global: a copy loop around the reference does not apply
        // inside their definitions.
        let outer_loops = {
            let mut state = self.state.borrow_mut();
            state.in_progress.push(cache_key.clone());
            std::mem::take(&mut state.copy_loops)
        };
        let resolved = self.resolve_definition(kind, slot);
        {
            let mut state = self.state.borrow_mut();
            state.copy_loops = outer_loops;
            state.in_progress.pop();
            state.cache.insert(cache_key, resolved.clone());
        }
        self.charge_resolved(&resolved)?;
        Ok(resolved)
    }

    fn check_cycle(&self, key: &(Kind, String), slot: &Slot) -> Result<(), EvalError> {
        let state = self.state.borrow();
        let Some(start) = state.in_progress.iter().position(|entry| entry == key) else {
            return Ok(());
        };
        let display = |(kind, name): &(Kind, String)| {
            let slots = match kind {
                Kind::Parameter => &self.parameters,
                Kind::Variable => &self.variables,
            };
            let spelled = slots.get(name).map_or(name.as_str(), |slot| slot.name.as_str());
            format!("{}('{spelled}')", kind.function())
        };
        let mut chain: Vec<String> = state.in_progress[start..].iter().map(display).collect();
        chain.push(format!("{}('{}')", key.0.function(), slot.name));
        Err(EvalError::Cycle(chain.join(" -> ")))
    }

    fn resolve_definition(&self, kind: Kind, slot: &Slot) -> Resolved {
        match &slot.definition {
            Definition::Supplied(value) => Resolved::from_eval(value.clone()),
            Definition::Template(value) => evaluate_template_value(value, self),
            Definition::Missing => Resolved::Unknown {
                reason: match kind {
                    Kind::Parameter => format!("parameter '{}' has no default and no parameter file value", slot.name),
                    Kind::Variable => format!("variable '{}' has no definition", slot.name),
                },
            },
            Definition::Copy { count, input } => self.expand_copy(&slot.name, count, input),
        }
    }

    fn expand_copy(&self, name: &str, count: &Value, input: &Value) -> Resolved {
        let count = match evaluate_template_value(count, self) {
            Resolved::Known(value) => match value.as_i64() {
                Some(n) if (0..=MAX_COPY_COUNT).contains(&n) => n,
                _ => {
                    return Resolved::Invalid {
                        message: format!(
                            "the copy count of '{name}' must be an integer from 0 to {MAX_COPY_COUNT}, not {value}"
                        ),
                    }
                }
            },
            Resolved::Invalid { message } => return Resolved::Invalid { message },
            partial => {
                return match partial.into_eval() {
                    Ok(EvalValue::Unknown { reason }) => {
                        Resolved::Unknown { reason: format!("the number of '{name}' items is unknown: {reason}") }
                    }
                    Ok(EvalValue::Known(_)) => {
                        Resolved::Invalid { message: format!("the copy count of '{name}' is invalid") }
                    }
                    Err(error) => Resolved::Invalid { message: error.to_string() },
                }
            }
        };
        let items =
            (0..count).map(|index| self.in_copy_loop(name, index, || evaluate_template_value(input, self))).collect();
        Resolved::array(items)
    }

    fn charge_resolved(&self, resolved: &Resolved) -> Result<(), EvalError> {
        match resolved {
            Resolved::Known(value) => self.charge(value),
            // Partial trees are charged through the expressions that built their known leaves.
            _ => Ok(()),
        }
    }
}

/// The approximate size of a value, counted up to just past `limit`.
fn weight(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        total = total.saturating_add(NODE_WEIGHT);
        match value {
            Value::String(text) => total = total.saturating_add(text.len()),
            Value::Array(items) => pending.extend(items),
            Value::Object(members) => {
                for (key, member) in members {
                    total = total.saturating_add(key.len());
                    pending.push(member);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        if total > limit {
            break;
        }
    }
    total
}
