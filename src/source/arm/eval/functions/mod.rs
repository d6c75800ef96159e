//! The built-in template functions, looked up by name (case-insensitive).
//!
//! Most functions are [`Builtin::Strict`]: their arguments are evaluated first and an unknown
//! argument makes the result unknown with the same reason. The few that can decide without every
//! argument (`if`, `and`, `or`, `coalesce`) are [`Builtin::Lazy`] and evaluate arguments
//! themselves. Functions whose value only exists at deployment are [`Builtin::Deferred`].

mod collections;
mod dates;
mod deployment;
mod logic;
mod strings;

use super::{EvalContext, EvalError, EvalValue};
use crate::source::arm::expr::Expr;
use serde_json::{Map, Value};

type Outcome = Result<EvalValue, EvalError>;

#[derive(Clone, Copy)]
pub(super) enum Builtin {
    Strict(fn(&Args) -> Outcome),
    Lazy(fn(&Call) -> Outcome),
    /// Unknown before deployment, for the reason given.
    Deferred(&'static str),
}

/// Evaluates `name(args)`.
pub(super) fn call(name: &str, args: &[Expr], ctx: &EvalContext) -> Outcome {
    let lower = name.to_ascii_lowercase();
    let result = match lookup(&lower) {
        Some(Builtin::Strict(function)) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                match super::evaluate(arg, ctx)? {
                    EvalValue::Known(value) => values.push(value),
                    unknown => return Ok(unknown),
                }
            }
            function(&Args { function: name, values, ctx })?
        }
        Some(Builtin::Lazy(function)) => function(&Call { function: name, args, ctx })?,
        Some(Builtin::Deferred(why)) => return Ok(EvalValue::unknown(format!("{name}() {why}"))),
        None if lower.starts_with("list") => {
            return Ok(EvalValue::unknown(format!("{name}() reads runtime data (keys, secrets) at deployment")))
        }
        None if lower.contains('.') => {
            return Ok(EvalValue::unknown(format!("user-defined function '{name}' is not evaluated by kvscan")))
        }
        None => return Ok(EvalValue::unknown(format!("function '{name}' is not supported by kvscan"))),
    };
    if let EvalValue::Known(value) = &result {
        ctx.charge(value)?;
    }
    Ok(result)
}

pub(super) fn lookup(lower: &str) -> Option<Builtin> {
    use Builtin::{Deferred, Lazy, Strict};
    let builtin = match lower {
        // Logic and comparison.
        "if" => Lazy(logic::if_),
        "and" => Lazy(logic::and),
        "or" => Lazy(logic::or),
        "not" => Strict(logic::not),
        "equals" => Strict(logic::equals),
        "less" => Strict(logic::less),
        "lessorequals" => Strict(logic::less_or_equals),
        "greater" => Strict(logic::greater),
        "greaterorequals" => Strict(logic::greater_or_equals),
        "true" => Strict(logic::true_),
        "false" => Strict(logic::false_),
        "null" => Strict(logic::null),
        "bool" => Strict(logic::bool_),
        "int" => Strict(logic::int),
        "json" => Strict(logic::json),
        "add" => Strict(logic::add),
        "sub" => Strict(logic::sub),
        "mul" => Strict(logic::mul),
        "div" => Strict(logic::div),
        "mod" => Strict(logic::mod_),
        "min" => Strict(logic::min),
        "max" => Strict(logic::max),
        // Strings.
        "concat" => Strict(strings::concat),
        "format" => Strict(strings::format),
        "string" => Strict(strings::string),
        "tolower" => Strict(strings::to_lower),
        "toupper" => Strict(strings::to_upper),
        "trim" => Strict(strings::trim),
        "split" => Strict(strings::split),
        "join" => Strict(strings::join),
        "replace" => Strict(strings::replace),
        "startswith" => Strict(strings::starts_with),
        "endswith" => Strict(strings::ends_with),
        "substring" => Strict(strings::substring),
        "indexof" => Strict(strings::index_of),
        "lastindexof" => Strict(strings::last_index_of),
        "padleft" => Strict(strings::pad_left),
        "uri" => Strict(strings::uri),
        "uricomponent" => Strict(strings::uri_component),
        "uricomponenttostring" => Strict(strings::uri_component_to_string),
        "uniquestring" => Strict(strings::unique_string),
        "guid" => Strict(strings::guid),
        // Arrays and objects.
        "coalesce" => Lazy(collections::coalesce),
        "empty" => Strict(collections::empty),
        "contains" => Strict(collections::contains),
        "length" => Strict(collections::length),
        "first" => Strict(collections::first),
        "last" => Strict(collections::last),
        "take" => Strict(collections::take),
        "skip" => Strict(collections::skip),
        "union" => Strict(collections::union),
        "intersection" => Strict(collections::intersection),
        "shallowmerge" => Strict(collections::shallow_merge),
        "createarray" => Strict(collections::create_array),
        "createobject" => Strict(collections::create_object),
        "array" => Strict(collections::array),
        "items" => Strict(collections::items),
        "objectkeys" => Strict(collections::object_keys),
        "range" => Strict(collections::range),
        "tryget" => Strict(collections::try_get),
        // Dates.
        "datetimeadd" => Strict(dates::date_time_add),
        "datetimetoepoch" => Strict(dates::date_time_to_epoch),
        "datetimefromepoch" => Strict(dates::date_time_from_epoch),
        // The deployment, its parameters, variables and resources.
        "parameters" => Strict(deployment::parameters),
        "variables" => Strict(deployment::variables),
        "copyindex" => Strict(deployment::copy_index),
        "resourceid" => Strict(deployment::resource_id),
        "subscriptionresourceid" => Strict(deployment::subscription_resource_id),
        "tenantresourceid" => Strict(deployment::tenant_resource_id),
        "extensionresourceid" => Strict(deployment::extension_resource_id),
        "resourcegroup" => Strict(deployment::resource_group),
        "subscription" => Strict(deployment::subscription),
        "tenant" => Strict(deployment::tenant),
        "deployment" => Strict(deployment::deployment),
        "environment" => Strict(deployment::environment),
        // Only known at deployment.
        "reference" => Deferred("reads the deployed resource's state, which is only known at deployment"),
        "utcnow" => Deferred("is the time of the deployment"),
        "newguid" => Deferred("is a new random value in every deployment"),
        "pickzones" => Deferred("depends on the zones of the subscription, known at deployment"),
        "providers" => Deferred("reads the resource providers of the subscription at deployment"),
        _ => return None,
    };
    Some(builtin)
}

/// The evaluated arguments of a strict function.
pub(super) struct Args<'a> {
    function: &'a str,
    values: Vec<Value>,
    ctx: &'a EvalContext,
}

impl<'a> Args<'a> {
    fn ctx(&self) -> &'a EvalContext {
        self.ctx
    }

    fn values(&self) -> &[Value] {
        &self.values
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn error(&self, message: impl Into<String>) -> EvalError {
        EvalError::Function { function: self.function.to_string(), message: message.into() }
    }

    /// Checks the argument count: at least `min`, at most `max` (`None`: no upper bound).
    fn count(&self, min: usize, max: Option<usize>) -> Result<(), EvalError> {
        check_arity(self.function, self.len(), min, max)
    }

    fn get(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }

    fn string(&self, index: usize) -> Result<&str, EvalError> {
        self.get(index).as_str().ok_or_else(|| self.wrong_type(index, "a string"))
    }

    fn integer(&self, index: usize) -> Result<i64, EvalError> {
        self.get(index).as_i64().ok_or_else(|| self.wrong_type(index, "an integer"))
    }

    fn boolean(&self, index: usize) -> Result<bool, EvalError> {
        self.get(index).as_bool().ok_or_else(|| self.wrong_type(index, "a boolean"))
    }

    fn array(&self, index: usize) -> Result<&Vec<Value>, EvalError> {
        self.get(index).as_array().ok_or_else(|| self.wrong_type(index, "an array"))
    }

    fn object(&self, index: usize) -> Result<&Map<String, Value>, EvalError> {
        self.get(index).as_object().ok_or_else(|| self.wrong_type(index, "an object"))
    }

    fn wrong_type(&self, index: usize, expected: &str) -> EvalError {
        let found = super::access::type_name(self.get(index));
        self.error(format!("argument {} must be {expected}, not {found}", index + 1))
    }
}

/// The unevaluated arguments of a lazy function.
pub(super) struct Call<'a> {
    function: &'a str,
    args: &'a [Expr],
    ctx: &'a EvalContext,
}

impl Call<'_> {
    fn len(&self) -> usize {
        self.args.len()
    }

    fn eval(&self, index: usize) -> Outcome {
        match self.args.get(index) {
            Some(arg) => super::evaluate(arg, self.ctx),
            None => Ok(EvalValue::Known(Value::Null)),
        }
    }

    fn error(&self, message: impl Into<String>) -> EvalError {
        EvalError::Function { function: self.function.to_string(), message: message.into() }
    }

    fn count(&self, min: usize, max: Option<usize>) -> Result<(), EvalError> {
        check_arity(self.function, self.len(), min, max)
    }
}

/// An argument count of `n` for `function`: at least `min`, at most `max` (`None`: unbounded).
fn check_arity(function: &str, n: usize, min: usize, max: Option<usize>) -> Result<(), EvalError> {
    if n >= min && max.is_none_or(|max| n <= max) {
        return Ok(());
    }
    let expected = match max {
        Some(max) if max == min => format!("{min}"),
        Some(max) => format!("{min} to {max}"),
        None => format!("at least {min}"),
    };
    Err(EvalError::Function {
        function: function.to_string(),
        message: format!("expects {expected} argument(s), got {n}"),
    })
}

fn known(value: impl Into<Value>) -> Outcome {
    Ok(EvalValue::Known(value.into()))
}

/// Text of a scalar as ARM converts it inside strings (`concat`, `join`): booleans as .NET prints
/// them.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        _ => None,
    }
}
