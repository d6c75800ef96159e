//! Logical, comparison, conversion and numeric functions.

use super::{known, Args, Call, Outcome};
use crate::source::arm::eval::EvalValue;
use crate::source::arm::relaxed_json;
use serde_json::Value;
use std::cmp::Ordering;

/// `if(condition, whenTrue, whenFalse)`: only the chosen branch is evaluated, as in ARM. With an
/// unknown condition the result is still known when both branches agree.
pub fn if_(call: &Call) -> Outcome {
    call.count(3, Some(3))?;
    match call.eval(0)? {
        EvalValue::Known(Value::Bool(true)) => call.eval(1),
        EvalValue::Known(Value::Bool(false)) => call.eval(2),
        EvalValue::Known(other) => {
            Err(call.error(format!("the condition must be a boolean, not {}", super::super::access::type_name(&other))))
        }
        unknown @ EvalValue::Unknown { .. } => match (call.eval(1), call.eval(2)) {
            (Ok(EvalValue::Known(a)), Ok(EvalValue::Known(b))) if a == b => Ok(EvalValue::Known(a)),
            _ => Ok(unknown),
        },
    }
}

/// `and(a, b, ...)`: false as soon as one argument is false, even if others are unknown.
pub fn and(call: &Call) -> Outcome {
    combine(call, false)
}

/// `or(a, b, ...)`: true as soon as one argument is true, even if others are unknown.
pub fn or(call: &Call) -> Outcome {
    combine(call, true)
}

/// Shared by `and` (`decisive` false) and `or` (`decisive` true).
fn combine(call: &Call, decisive: bool) -> Outcome {
    call.count(2, None)?;
    let mut unknown = None;
    for index in 0..call.len() {
        match call.eval(index)? {
            EvalValue::Known(Value::Bool(value)) if value == decisive => return known(decisive),
            EvalValue::Known(Value::Bool(_)) => {}
            EvalValue::Known(_) => return Err(call.error(format!("argument {} must be a boolean", index + 1))),
            value @ EvalValue::Unknown { .. } => {
                unknown.get_or_insert(value);
            }
        }
    }
    Ok(unknown.unwrap_or(EvalValue::Known(Value::Bool(!decisive))))
}

pub fn not(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    known(!args.boolean(0)?)
}

/// Deep equality, as `JToken.DeepEquals`: strings compare case-sensitively.
pub fn equals(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    known(args.get(0) == args.get(1))
}

pub fn less(args: &Args) -> Outcome {
    compare(args, |o| o == Ordering::Less)
}

pub fn less_or_equals(args: &Args) -> Outcome {
    compare(args, |o| o != Ordering::Greater)
}

pub fn greater(args: &Args) -> Outcome {
    compare(args, |o| o == Ordering::Greater)
}

pub fn greater_or_equals(args: &Args) -> Outcome {
    compare(args, |o| o != Ordering::Less)
}

/// Two numbers, or two strings (ordinal).
fn compare(args: &Args, test: fn(Ordering) -> bool) -> Outcome {
    args.count(2, Some(2))?;
    let ordering = match (args.get(0), args.get(1)) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => {
                let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
                a.partial_cmp(&b).ok_or_else(|| args.error("cannot compare these numbers"))?
            }
        },
        (Value::String(a), Value::String(b)) => a.cmp(b),
        _ => return Err(args.error("expects two integers or two strings")),
    };
    known(test(ordering))
}

pub fn true_(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    known(true)
}

pub fn false_(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    known(false)
}

pub fn null(args: &Args) -> Outcome {
    args.count(0, Some(0))?;
    known(Value::Null)
}

/// `bool('True')`, `bool(1)`.
pub fn bool_(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Bool(value) => known(*value),
        Value::String(text) if text.eq_ignore_ascii_case("true") => known(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => known(false),
        Value::Number(number) if number.as_i64().is_some() => known(number.as_i64() != Some(0)),
        other => Err(args.error(format!("cannot convert '{other}' to a boolean"))),
    }
}

/// `int('42')`: integers and strings of an integer (surrounding spaces allowed, as .NET parses).
pub fn int(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Number(number) if number.as_i64().is_some() => known(number.clone()),
        Value::String(text) => match text.trim().parse::<i64>() {
            Ok(value) => known(value),
            Err(_) => Err(args.error(format!("cannot convert '{text}' to an integer"))),
        },
        other => Err(args.error(format!("cannot convert '{other}' to an integer"))),
    }
}

/// `json(text)`, as lenient as ARM's parser (single quotes, comments).
pub fn json(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let text = args.string(0)?;
    serde_json::from_str::<Value>(text)
        .or_else(|_| serde_json::from_str::<Value>(&relaxed_json::to_strict(text)))
        .map(EvalValue::Known)
        .map_err(|error| args.error(format!("invalid JSON: {error}")))
}

pub fn add(args: &Args) -> Outcome {
    arithmetic(args, i64::checked_add)
}

pub fn sub(args: &Args) -> Outcome {
    arithmetic(args, i64::checked_sub)
}

pub fn mul(args: &Args) -> Outcome {
    arithmetic(args, i64::checked_mul)
}

/// Integer division truncating toward zero, as C#.
pub fn div(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    if args.integer(1)? == 0 {
        return Err(args.error("cannot divide by zero"));
    }
    arithmetic(args, i64::checked_div)
}

/// Remainder with the sign of the dividend, as C#.
pub fn mod_(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    if args.integer(1)? == 0 {
        return Err(args.error("cannot divide by zero"));
    }
    arithmetic(args, i64::checked_rem)
}

fn arithmetic(args: &Args, operation: fn(i64, i64) -> Option<i64>) -> Outcome {
    args.count(2, Some(2))?;
    let (a, b) = (args.integer(0)?, args.integer(1)?);
    operation(a, b).map_or_else(|| Err(args.error("integer overflow")), known)
}

pub fn min(args: &Args) -> Outcome {
    extreme(args, Ordering::Less)
}

pub fn max(args: &Args) -> Outcome {
    extreme(args, Ordering::Greater)
}

/// `min`/`max` over integer arguments, or over one array of integers.
fn extreme(args: &Args, wanted: Ordering) -> Outcome {
    args.count(1, None)?;
    let numbers = match args.values() {
        [Value::Array(items)] => items.as_slice(),
        values => values,
    };
    let mut best: Option<i64> = None;
    for number in numbers {
        let Some(value) = number.as_i64() else {
            return Err(args.error(format!("expects integers, not '{number}'")));
        };
        if best.is_none_or(|current| value.cmp(&current) == wanted) {
            best = Some(value);
        }
    }
    best.map_or_else(|| Err(args.error("expects at least one integer")), known)
}
