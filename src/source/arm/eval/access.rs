//! Property and index access: `target.name` and `target[index]`.
//!
//! Access works on [`Resolved`] trees rather than collapsed values, so `variables('cfg').sku` is
//! known even when another member of `cfg` is not.

use super::{functions, EvalContext, EvalError, EvalValue};
use crate::source::arm::expr::Expr;
use crate::source::arm::resolve::Resolved;
use serde_json::Value;

/// Functions whose objects describe the deployment environment and are only partly modelled by
/// kvscan (see [`super::DeploymentInfo`]): a member kvscan does not model is unknown, not missing.
const CONTEXT_FUNCTIONS: &[&str] = &["deployment", "environment", "resourcegroup", "subscription", "tenant"];

pub(super) fn evaluate(expr: &Expr, ctx: &EvalContext) -> Result<Resolved, EvalError> {
    Ok(reach(expr, ctx)?.value)
}

/// A value reached along an access chain.
struct Reached {
    value: Resolved,
    /// The context function the chain started from, when it did.
    context_function: Option<String>,
}

impl Reached {
    fn plain(value: Resolved) -> Reached {
        Reached { value, context_function: None }
    }
}

enum Key {
    Name(String),
    Value(Value),
}

fn reach(expr: &Expr, ctx: &EvalContext) -> Result<Reached, EvalError> {
    let _level = ctx.enter()?;
    match expr {
        Expr::Property { target, name } => {
            let base = reach(target, ctx)?;
            step(base, Key::Name(name.clone()))
        }
        Expr::Index { target, index } => {
            let base = reach(target, ctx)?;
            match super::evaluate(index, ctx)? {
                EvalValue::Known(key) => step(base, Key::Value(key)),
                EvalValue::Unknown { reason } => Ok(Reached::plain(Resolved::Unknown { reason })),
            }
        }
        Expr::Call { name, args } => {
            let lower = name.to_ascii_lowercase();
            if let (Some(kind), [arg]) = (NamedValue::from_function(&lower), args.as_slice()) {
                // Keep the tree of a parameter or variable so that access can reach its known parts.
                return match super::evaluate(arg, ctx)? {
                    EvalValue::Known(Value::String(value_name)) => Ok(Reached::plain(kind.lookup(ctx, &value_name)?)),
                    EvalValue::Unknown { reason } => Ok(Reached::plain(Resolved::Unknown { reason })),
                    EvalValue::Known(_) => Ok(Reached::plain(Resolved::from_eval(functions::call(name, args, ctx)?))),
                };
            }
            let value = Resolved::from_eval(functions::call(name, args, ctx)?);
            let context_function = CONTEXT_FUNCTIONS.contains(&lower.as_str()).then(|| name.clone());
            Ok(Reached { value, context_function })
        }
        other => Ok(Reached::plain(Resolved::from_eval(super::evaluate(other, ctx)?))),
    }
}

#[derive(Clone, Copy)]
enum NamedValue {
    Parameter,
    Variable,
}

impl NamedValue {
    fn from_function(lower: &str) -> Option<NamedValue> {
        match lower {
            "parameters" => Some(NamedValue::Parameter),
            "variables" => Some(NamedValue::Variable),
            _ => None,
        }
    }

    fn lookup(self, ctx: &EvalContext, name: &str) -> Result<Resolved, EvalError> {
        match self {
            NamedValue::Parameter => ctx.parameter(name),
            NamedValue::Variable => ctx.variable(name),
        }
    }
}

fn step(base: Reached, key: Key) -> Result<Reached, EvalError> {
    let Reached { value, context_function } = base;
    let next = match value {
        Resolved::Unknown { reason } => Resolved::Unknown { reason },
        Resolved::Invalid { message } => return Err(EvalError::Invalid(message)),
        Resolved::Known(value) => match (value, key) {
            (Value::Object(mut members), key) => {
                let name = property_name(&key, "object")?;
                match find_key(members.keys(), &name) {
                    Some(found) => Resolved::Known(members.remove(&found).unwrap_or(Value::Null)),
                    None => return missing(&name, members.keys(), context_function),
                }
            }
            (Value::Array(items), Key::Value(index)) => {
                let position = array_index(&index, items.len())?;
                Resolved::Known(items.into_iter().nth(position).unwrap_or(Value::Null))
            }
            (other, key) => return Err(cannot_access(&key, type_name(&other))),
        },
        Resolved::Object(mut members) => {
            let name = property_name(&key, "object")?;
            match find_key(members.keys(), &name) {
                Some(found) => members.remove(&found).unwrap_or(Resolved::Known(Value::Null)),
                None => return missing(&name, members.keys(), context_function),
            }
        }
        Resolved::Array(items) => match key {
            Key::Value(index) => {
                let position = array_index(&index, items.len())?;
                items.into_iter().nth(position).unwrap_or(Resolved::Known(Value::Null))
            }
            key => return Err(cannot_access(&key, "an array")),
        },
    };
    Ok(Reached { value: next, context_function })
}

/// The member name a key selects from an object.
fn property_name(key: &Key, container: &str) -> Result<String, EvalError> {
    match key {
        Key::Name(name) => Ok(name.clone()),
        Key::Value(Value::String(name)) => Ok(name.clone()),
        Key::Value(other) => Err(EvalError::Access(format!(
            "an {container} is indexed by a property name (string), not by {} '{other}'",
            type_name(other)
        ))),
    }
}

/// ARM property names are case-insensitive; an exact match wins.
fn find_key<'a>(mut keys: impl Iterator<Item = &'a String> + Clone, name: &str) -> Option<String> {
    if keys.clone().any(|key| key == name) {
        return Some(name.to_string());
    }
    let folded = name.to_lowercase();
    keys.find(|key| key.to_lowercase() == folded).cloned()
}

fn missing<'a>(
    name: &str,
    keys: impl Iterator<Item = &'a String>,
    context_function: Option<String>,
) -> Result<Reached, EvalError> {
    if let Some(function) = context_function {
        return Ok(Reached {
            value: Resolved::Unknown {
                reason: format!("'{name}' of {function}() is only known at deployment (kvscan does not model it)"),
            },
            context_function: Some(function),
        });
    }
    let available: Vec<&str> = keys.map(String::as_str).collect();
    Err(EvalError::Access(format!(
        "the property '{name}' does not exist; available properties are '{}'",
        available.join(", ")
    )))
}

fn array_index(index: &Value, length: usize) -> Result<usize, EvalError> {
    let Some(position) = index.as_i64() else {
        return Err(EvalError::Access(format!(
            "an array is indexed by an integer, not by {} '{index}'",
            type_name(index)
        )));
    };
    usize::try_from(position)
        .ok()
        .filter(|&p| p < length)
        .ok_or_else(|| EvalError::Access(format!("array index {position} is out of bounds (length {length})")))
}

fn cannot_access(key: &Key, container: &str) -> EvalError {
    match key {
        Key::Name(name) => EvalError::Access(format!("cannot read property '{name}' of {container}")),
        Key::Value(index) => EvalError::Access(format!("cannot index {container} with '{index}'")),
    }
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
