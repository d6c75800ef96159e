//! Evaluating every expression inside a template value, keeping track of what stays unknown.

use super::eval::{evaluate_string, EvalContext, EvalError, EvalValue};
use super::expr::{classify, TemplateString};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Deepest JSON nesting walked. `serde_json` stops parsing at 128 levels, so only a value built in
/// code can get here; beyond it the subtree is reported instead of risking the stack.
const MAX_JSON_DEPTH: usize = 256;

/// A template value after evaluation: JSON where any subtree may be unknown until deployment, or
/// invalid (the expression fails, so the deployment would fail too).
///
/// Containers holding only known values collapse into [`Resolved::Known`], so a `Known` is always
/// complete and [`Resolved::Array`] / [`Resolved::Object`] always hold at least one unresolved leaf.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Known(Value),
    Array(Vec<Resolved>),
    Object(BTreeMap<String, Resolved>),
    Unknown { reason: String },
    Invalid { message: String },
}

/// One leaf that is not known, with its place in the value as a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub pointer: String,
    pub reason: String,
    /// True when the expression is broken (the deployment would fail), false when the value is
    /// only unknown before deployment.
    pub invalid: bool,
}

impl Resolved {
    /// An array, collapsed to `Known` when every item is known.
    pub fn array(items: Vec<Resolved>) -> Resolved {
        if items.iter().all(|item| matches!(item, Resolved::Known(_))) {
            Resolved::Known(Value::Array(items.into_iter().map(Resolved::into_known_or_null).collect()))
        } else {
            Resolved::Array(items)
        }
    }

    /// An object, collapsed to `Known` when every member is known.
    pub fn object(members: BTreeMap<String, Resolved>) -> Resolved {
        if members.values().all(|member| matches!(member, Resolved::Known(_))) {
            let map: Map<String, Value> = members.into_iter().map(|(k, v)| (k, v.into_known_or_null())).collect();
            Resolved::Known(Value::Object(map))
        } else {
            Resolved::Object(members)
        }
    }

    pub fn from_eval(value: EvalValue) -> Resolved {
        match value {
            EvalValue::Known(value) => Resolved::Known(value),
            EvalValue::Unknown { reason } => Resolved::Unknown { reason },
        }
    }

    pub fn from_result(result: Result<EvalValue, EvalError>) -> Resolved {
        match result {
            Ok(value) => Resolved::from_eval(value),
            Err(error) => Resolved::Invalid { message: error.to_string() },
        }
    }

    /// The complete value, when nothing in it is unresolved.
    pub fn known(&self) -> Option<&Value> {
        match self {
            Resolved::Known(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Resolved::Known(_))
    }

    /// The subtree at a JSON pointer (RFC 6901), if it exists or may exist: a pointer into an
    /// unknown subtree returns that unknown.
    pub fn pointer(&self, pointer: &str) -> Option<Resolved> {
        if pointer.is_empty() {
            return Some(self.clone());
        }
        let tokens: Vec<String> =
            pointer.strip_prefix('/')?.split('/').map(|token| token.replace("~1", "/").replace("~0", "~")).collect();
        let mut current = self;
        for (position, token) in tokens.iter().enumerate() {
            current = match current {
                Resolved::Known(value) => {
                    let rest: String =
                        tokens[position..].iter().map(|t| format!("/{}", crate::span::escape_token(t))).collect();
                    return value.pointer(&rest).cloned().map(Resolved::Known);
                }
                Resolved::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                Resolved::Object(members) => members.get(token)?,
                Resolved::Unknown { .. } | Resolved::Invalid { .. } => return Some(current.clone()),
            };
        }
        Some(current.clone())
    }

    /// Every unresolved leaf, depth-first in key order.
    pub fn unresolved(&self) -> Vec<Unresolved> {
        let mut found = Vec::new();
        let mut pending: Vec<(String, &Resolved)> = vec![(String::new(), self)];
        while let Some((pointer, node)) = pending.pop() {
            match node {
                Resolved::Known(_) => {}
                Resolved::Unknown { reason } => {
                    found.push(Unresolved { pointer, reason: reason.clone(), invalid: false })
                }
                Resolved::Invalid { message } => {
                    found.push(Unresolved { pointer, reason: message.clone(), invalid: true })
                }
                Resolved::Array(items) => {
                    for (index, item) in items.iter().enumerate().rev() {
                        pending.push((format!("{pointer}/{index}"), item));
                    }
                }
                Resolved::Object(members) => {
                    for (key, member) in members.iter().rev() {
                        pending.push((format!("{pointer}/{}", crate::span::escape_token(key)), member));
                    }
                }
            }
        }
        found
    }

    /// The value as one expression result: complete values stay known, an invalid leaf is an
    /// error, and otherwise the first unknown leaf names the reason.
    pub fn into_eval(self) -> Result<EvalValue, EvalError> {
        match self {
            Resolved::Known(value) => Ok(EvalValue::Known(value)),
            Resolved::Unknown { reason } => Ok(EvalValue::Unknown { reason }),
            Resolved::Invalid { message } => Err(EvalError::Invalid(message)),
            container => {
                let leaves = container.unresolved();
                if let Some(broken) = leaves.iter().find(|leaf| leaf.invalid) {
                    return Err(EvalError::Invalid(format!("{} (at {})", broken.reason, broken.pointer)));
                }
                let reason = leaves.first().map_or_else(
                    || "part of the value is unknown".to_string(),
                    |leaf| format!("{} (at {})", leaf.reason, leaf.pointer),
                );
                Ok(EvalValue::Unknown { reason })
            }
        }
    }

    fn into_known_or_null(self) -> Value {
        match self {
            Resolved::Known(value) => value,
            _ => Value::Null,
        }
    }
}

/// Evaluates every expression string in `value` (object keys included) and returns the resulting
/// tree. Strings that are not expressions stay as they are (`[[` loses its escape).
///
/// The whole value is evaluated in `ctx`: a nested deployment whose template has its own scope
/// (`expressionEvaluationOptions.scope: inner`) needs its own context, which is the caller's call.
pub fn evaluate_template_value(value: &Value, ctx: &EvalContext) -> Resolved {
    resolve(value, ctx, 0)
}

fn resolve(value: &Value, ctx: &EvalContext, depth: usize) -> Resolved {
    if depth > MAX_JSON_DEPTH {
        return Resolved::Invalid { message: format!("JSON nested deeper than {MAX_JSON_DEPTH} levels") };
    }
    match value {
        Value::String(text) => resolve_string(text, ctx),
        Value::Array(items) => Resolved::array(items.iter().map(|item| resolve(item, ctx, depth + 1)).collect()),
        Value::Object(members) => {
            let mut resolved = BTreeMap::new();
            for (key, member) in members {
                resolved.insert(resolve_key(key, ctx), resolve(member, ctx, depth + 1));
            }
            Resolved::object(resolved)
        }
        scalar => Resolved::Known(scalar.clone()),
    }
}

fn resolve_string(text: &str, ctx: &EvalContext) -> Resolved {
    match classify(text) {
        TemplateString::Literal(literal) => Resolved::Known(Value::String(literal.into_owned())),
        TemplateString::Expression(_) => Resolved::from_result(evaluate_string(text, ctx)),
    }
}

/// Property names may be expressions too (`userAssignedIdentities`). One that does not evaluate to
/// a known string keeps its template text, so the member is still there to inspect.
fn resolve_key(key: &str, ctx: &EvalContext) -> String {
    match classify(key) {
        TemplateString::Literal(literal) => literal.into_owned(),
        TemplateString::Expression(_) => match evaluate_string(key, ctx) {
            Ok(EvalValue::Known(Value::String(name))) => name,
            _ => key.to_string(),
        },
    }
}
