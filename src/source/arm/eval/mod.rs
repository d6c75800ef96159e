//! Evaluating expressions before deployment.
//!
//! Much of a template can be computed offline (names, ids, flags from parameters); what cannot —
//! `reference()`, `listKeys()`, `utcNow()`, a parameter nobody supplied — evaluates to
//! [`EvalValue::Unknown`] with a reason, and that unknown flows through every function that needs
//! it. Errors ([`EvalError`]) are reserved for expressions that would fail in Azure too (wrong
//! argument types, missing properties, cycles); a function kvscan does not implement is unknown,
//! never an error.

mod access;
mod context;
mod format;
mod functions;
mod hashing;

pub use context::{DeploymentInfo, EvalContext};

use super::expr::{self, Expr, ParseError, TemplateString};
use serde_json::Value;

/// The value of an expression as far as it can be known before deployment.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalValue {
    Known(Value),
    /// Only known at deployment; `reason` says why, in words fit for a finding.
    Unknown {
        reason: String,
    },
}

impl EvalValue {
    pub fn unknown(reason: impl Into<String>) -> EvalValue {
        EvalValue::Unknown { reason: reason.into() }
    }

    pub fn known(&self) -> Option<&Value> {
        match self {
            EvalValue::Known(value) => Some(value),
            EvalValue::Unknown { .. } => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, EvalValue::Known(_))
    }
}

impl From<Value> for EvalValue {
    fn from(value: Value) -> EvalValue {
        EvalValue::Known(value)
    }
}

/// An expression that cannot be evaluated because it is wrong: the deployment would fail on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{function}(): {message}")]
    Function { function: String, message: String },
    #[error("{0}")]
    Access(String),
    #[error("parameter '{0}' is not declared in the template")]
    UndeclaredParameter(String),
    #[error("variable '{0}' is not declared in the template")]
    UndeclaredVariable(String),
    #[error("circular reference: {0}")]
    Cycle(String),
    #[error("evaluation nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("evaluation exceeds kvscan's size limit ({0})")]
    TooLarge(String),
    /// An error found earlier and carried in a resolved value.
    #[error("{0}")]
    Invalid(String),
}

/// Whether kvscan evaluates the function `name` (any case); an unsupported one evaluates to
/// [`EvalValue::Unknown`]. Deployment-time functions (`reference`, `list*`, `utcNow`) count as
/// supported: their unknown is the right answer.
pub fn supports_function(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    functions::lookup(&lower).is_some() || lower.starts_with("list")
}

/// Evaluates a JSON string value from a template: a literal stays a string (`[[` unescaped), an
/// expression is parsed and evaluated.
pub fn evaluate_string(text: &str, ctx: &EvalContext) -> Result<EvalValue, EvalError> {
    match expr::classify(text) {
        TemplateString::Literal(literal) => Ok(EvalValue::Known(Value::String(literal.into_owned()))),
        TemplateString::Expression(expression) => evaluate(&expr::parse(expression)?, ctx),
    }
}

/// Evaluates a parsed expression.
pub fn evaluate(expr: &Expr, ctx: &EvalContext) -> Result<EvalValue, EvalError> {
    let _level = ctx.enter()?;
    match expr {
        Expr::String(text) => Ok(EvalValue::Known(Value::String(text.clone()))),
        Expr::Integer(value) => Ok(EvalValue::Known(Value::from(*value))),
        Expr::Bool(value) => Ok(EvalValue::Known(Value::Bool(*value))),
        Expr::Null => Ok(EvalValue::Known(Value::Null)),
        Expr::Call { name, args } => functions::call(name, args, ctx),
        Expr::Property { .. } | Expr::Index { .. } => access::evaluate(expr, ctx)?.into_eval(),
    }
}

#[cfg(test)]
mod tests;
