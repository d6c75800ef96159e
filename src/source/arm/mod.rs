//! ARM templates, scanned before deployment.
//!
//! So far the part that everything else will stand on: the template expression language.
//! [`expr`] says which strings are expressions and parses them, [`eval`] evaluates them against
//! parameters, variables and a deployment context, and [`resolve`] evaluates a whole JSON value,
//! keeping track of what stays unknown until deployment and why.
//!
//! ```
//! use kvscan::source::arm::eval::{evaluate_string, DeploymentInfo, EvalContext, EvalValue};
//! use serde_json::json;
//!
//! let mut ctx = EvalContext::new(DeploymentInfo::default());
//! ctx.set_parameter("prefix", EvalValue::Known(json!("kv")));
//! ctx.declare_parameter("suffix");
//! let name = evaluate_string("[concat(parameters('prefix'), uniqueString(resourceGroup().id))]", &ctx);
//! assert_eq!(name, Ok(EvalValue::Known(json!("kvsv4qj77juxd6u"))));
//! let unknown = evaluate_string("[concat(parameters('prefix'), parameters('suffix'))]", &ctx);
//! assert_eq!(
//!     unknown,
//!     Ok(EvalValue::unknown("parameter 'suffix' has no default and no parameter file value"))
//! );
//! ```

pub mod eval;
pub mod expr;
pub mod load;
pub mod records;
pub mod relaxed_json;
pub mod resolve;
pub mod template;

pub use eval::{evaluate, evaluate_string, DeploymentInfo, EvalContext, EvalError, EvalValue};
pub use resolve::{evaluate_template_value, Resolved, Unresolved};

#[cfg(test)]
mod corpus_tests;
