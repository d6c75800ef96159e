//! Offline evaluation of Terraform expressions: literals, templates, `var.`, `local.`,
//! `count.index`, `each.key`/`each.value`, references to other resources' configured attributes
//! (and the ids kvscan can build), conditionals, operators and a few pure functions. Anything
//! else — data sources, attributes known after apply, functions reading files or clocks — is
//! [`Eval::Unknown`] with a reason naming what it depends on.

use hcl::expr::{BinaryOperator, Expression, ObjectKey, Operation, TraversalOperator, UnaryOperator};
use hcl::template::{Element, Template};
use serde_json::{Map, Number, Value};

/// A value, or why it is only known at plan or apply time.
#[derive(Debug, Clone, PartialEq)]
pub enum Eval {
    Known(Value),
    Unknown(String),
}

/// What an expression can refer to; implemented by the module being read.
pub trait Scope {
    fn variable(&self, name: &str) -> Eval;
    fn local(&self, name: &str) -> Eval;
    /// `count.index`, `each.key`, `each.value`.
    fn iteration(&self, name: &str) -> Eval;
    /// `<type>.<name>` of a managed resource, traversed by `path` (`["id"]`, `["identity", "0"]`).
    fn resource(&self, kind: &str, name: &str, index: Option<&Value>, path: &[String]) -> Option<Eval>;
}

/// Nesting depth beyond which evaluation gives up (a cycle of locals, or a hostile input).
const MAX_DEPTH: usize = 48;

pub fn evaluate(expression: &Expression, scope: &dyn Scope, depth: usize) -> Eval {
    if depth > MAX_DEPTH {
        return Eval::Unknown("the expression nests too deeply (or refers to itself)".into());
    }
    let next = depth + 1;
    match expression {
        Expression::Null => Eval::Known(Value::Null),
        Expression::Bool(b) => Eval::Known(Value::Bool(*b)),
        Expression::Number(n) => Eval::Known(number(n)),
        Expression::String(s) => Eval::Known(Value::String(s.clone())),
        Expression::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match evaluate(item, scope, next) {
                    Eval::Known(v) => out.push(v),
                    unknown => return unknown,
                }
            }
            Eval::Known(Value::Array(out))
        }
        Expression::Object(members) => {
            let mut out = Map::new();
            for (key, value) in members {
                let key = match key {
                    ObjectKey::Identifier(id) => id.to_string(),
                    ObjectKey::Expression(e) => match evaluate(e, scope, next) {
                        Eval::Known(v) => text(&v),
                        unknown => return unknown,
                    },
                    _ => return Eval::Unknown("an object key kvscan cannot read".into()),
                };
                match evaluate(value, scope, next) {
                    Eval::Known(v) => {
                        out.insert(key, v);
                    }
                    unknown => return unknown,
                }
            }
            Eval::Known(Value::Object(out))
        }
        Expression::TemplateExpr(template) => match Template::from_expr(template) {
            Ok(template) => evaluate_template(&template, scope, next),
            Err(e) => Eval::Unknown(format!("the string template does not parse: {e}")),
        },
        Expression::Variable(variable) => Eval::Unknown(format!("'{}' is not a value kvscan knows", variable.as_str())),
        Expression::Traversal(traversal) => evaluate_traversal(&traversal.expr, &traversal.operators, scope, next),
        Expression::FuncCall(call) => {
            let mut args = Vec::with_capacity(call.args.len());
            for arg in &call.args {
                match evaluate(arg, scope, next) {
                    Eval::Known(v) => args.push(v),
                    unknown => return unknown,
                }
            }
            if call.expand_final {
                if let Some(Value::Array(last)) = args.pop() {
                    args.extend(last);
                }
            }
            function(call.name.name.as_str(), args)
        }
        Expression::Parenthesis(inner) => evaluate(inner, scope, next),
        Expression::Conditional(conditional) => match evaluate(&conditional.cond_expr, scope, next) {
            Eval::Known(Value::Bool(true)) => evaluate(&conditional.true_expr, scope, next),
            Eval::Known(Value::Bool(false)) => evaluate(&conditional.false_expr, scope, next),
            Eval::Known(other) => Eval::Unknown(format!("a condition that is not a boolean: {other}")),
            unknown => unknown,
        },
        Expression::Operation(operation) => evaluate_operation(operation, scope, next),
        Expression::ForExpr(_) => Eval::Unknown("a for expression (not evaluated by kvscan)".into()),
        _ => Eval::Unknown("an expression kvscan cannot evaluate".into()),
    }
}

fn number(n: &hcl::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64().and_then(Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// A value as Terraform turns it into a string.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn evaluate_template(template: &Template, scope: &dyn Scope, depth: usize) -> Eval {
    let mut out = String::new();
    for element in template.elements() {
        match element {
            Element::Literal(literal) => out.push_str(literal),
            Element::Interpolation(interpolation) => match evaluate(&interpolation.expr, scope, depth) {
                Eval::Known(v) => out.push_str(&text(&v)),
                unknown => return unknown,
            },
            Element::Directive(_) => return Eval::Unknown("a template directive (%{ }) is not evaluated".into()),
        }
    }
    Eval::Known(Value::String(out))
}

/// Steps of a traversal: attribute names and evaluated indexes.
fn steps(operators: &[TraversalOperator], scope: &dyn Scope, depth: usize) -> Result<Vec<Value>, Eval> {
    let mut out = Vec::with_capacity(operators.len());
    for operator in operators {
        match operator {
            TraversalOperator::GetAttr(name) => out.push(Value::String(name.to_string())),
            TraversalOperator::LegacyIndex(i) => out.push(Value::from(*i)),
            TraversalOperator::Index(e) => match evaluate(e, scope, depth) {
                Eval::Known(v) => out.push(v),
                unknown => return Err(unknown),
            },
            _ => return Err(Eval::Unknown("a splat expression is not evaluated".into())),
        }
    }
    Ok(out)
}

fn evaluate_traversal(root: &Expression, operators: &[TraversalOperator], scope: &dyn Scope, depth: usize) -> Eval {
    let steps = match steps(operators, scope, depth) {
        Ok(steps) => steps,
        Err(unknown) => return unknown,
    };
    let name = |i: usize| steps.get(i).and_then(Value::as_str);
    let Expression::Variable(variable) = root else {
        return match evaluate(root, scope, depth) {
            Eval::Known(v) => index_into(&v, &steps, "the value"),
            unknown => unknown,
        };
    };
    let head = variable.as_str();
    let (value, rest, what): (Eval, usize, String) = match head {
        "var" => match name(0) {
            Some(n) => (scope.variable(n), 1, format!("var.{n}")),
            None => return Eval::Unknown("var without a name".into()),
        },
        "local" => match name(0) {
            Some(n) => (scope.local(n), 1, format!("local.{n}")),
            None => return Eval::Unknown("local without a name".into()),
        },
        "count" | "each" => match name(0) {
            Some(n) => (scope.iteration(&format!("{head}.{n}")), 1, format!("{head}.{n}")),
            None => return Eval::Unknown(format!("{head} without an attribute")),
        },
        "data" => {
            let shown = [name(0), name(1), name(2)].iter().flatten().copied().collect::<Vec<_>>().join(".");
            return Eval::Unknown(format!("data.{shown} is read when Terraform plans"));
        }
        "module" => {
            let shown = [name(0), name(1)].iter().flatten().copied().collect::<Vec<_>>().join(".");
            return Eval::Unknown(format!("module.{shown} is a module output (not evaluated)"));
        }
        "path" | "terraform" | "self" => {
            return Eval::Unknown(format!("{head}.{} is not evaluated", name(0).unwrap_or_default()));
        }
        kind => {
            let Some(resource_name) = name(0) else {
                return Eval::Unknown(format!("'{kind}' is not a value kvscan knows"));
            };
            // `type.name[index].attr` or `type.name.attr`.
            let (index, path_start) = match steps.get(1) {
                Some(Value::String(_)) | None => (None, 1),
                Some(index) => (Some(index), 2),
            };
            let path: Vec<String> = steps.iter().skip(path_start).map(text).collect();
            return match scope.resource(kind, resource_name, index, &path) {
                Some(value) => value,
                None => Eval::Unknown(format!("'{kind}.{resource_name}' is not declared in this module")),
            };
        }
    };
    match value {
        Eval::Known(v) => index_into(&v, &steps[rest..], &what),
        unknown => unknown,
    }
}

/// Follows attribute and index steps into a known value.
pub fn index_into(value: &Value, steps: &[Value], what: &str) -> Eval {
    let mut current = value;
    for step in steps {
        let next = match (current, step) {
            (Value::Object(map), key) => map.get(&text(key)),
            (Value::Array(items), Value::Number(n)) => n.as_u64().and_then(|i| items.get(usize::try_from(i).ok()?)),
            (Value::Array(items), Value::String(s)) => s.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => return Eval::Unknown(format!("{what} has no element {}", text(step))),
        }
    }
    Eval::Known(current.clone())
}

fn evaluate_operation(operation: &Operation, scope: &dyn Scope, depth: usize) -> Eval {
    match operation {
        Operation::Unary(unary) => match (unary.operator, evaluate(&unary.expr, scope, depth)) {
            (UnaryOperator::Not, Eval::Known(Value::Bool(b))) => Eval::Known(Value::Bool(!b)),
            (UnaryOperator::Neg, Eval::Known(Value::Number(n))) => n
                .as_f64()
                .and_then(|f| Number::from_f64(-f))
                .map_or(Eval::Known(Value::Null), |n| Eval::Known(Value::Number(n))),
            (_, Eval::Unknown(reason)) => Eval::Unknown(reason),
            (_, Eval::Known(v)) => Eval::Unknown(format!("an operator applied to {v}")),
        },
        Operation::Binary(binary) => {
            let lhs = evaluate(&binary.lhs_expr, scope, depth);
            // `&&` and `||` decide on one known side, as Terraform does not short-circuit but the
            // result is still determined.
            let rhs = evaluate(&binary.rhs_expr, scope, depth);
            let (lhs, rhs) = match (lhs, rhs) {
                (Eval::Known(l), Eval::Known(r)) => (l, r),
                (Eval::Unknown(reason), _) | (_, Eval::Unknown(reason)) => return Eval::Unknown(reason),
            };
            binary_value(binary.operator, &lhs, &rhs).map_or_else(
                || Eval::Unknown(format!("{lhs} {} {rhs} cannot be evaluated", binary.operator.as_str())),
                Eval::Known,
            )
        }
    }
}

fn binary_value(operator: BinaryOperator, lhs: &Value, rhs: &Value) -> Option<Value> {
    use BinaryOperator as Op;
    let numbers = || Some((lhs.as_f64()?, rhs.as_f64()?));
    let number_value = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Some(Value::from(f as i64))
        } else {
            Number::from_f64(f).map(Value::Number)
        }
    };
    Some(match operator {
        Op::Eq => Value::Bool(lhs == rhs),
        Op::NotEq => Value::Bool(lhs != rhs),
        Op::And => Value::Bool(lhs.as_bool()? && rhs.as_bool()?),
        Op::Or => Value::Bool(lhs.as_bool()? || rhs.as_bool()?),
        Op::Less => Value::Bool(numbers()?.0 < numbers()?.1),
        Op::LessEq => Value::Bool(numbers()?.0 <= numbers()?.1),
        Op::Greater => Value::Bool(numbers()?.0 > numbers()?.1),
        Op::GreaterEq => Value::Bool(numbers()?.0 >= numbers()?.1),
        Op::Plus => number_value(numbers()?.0 + numbers()?.1)?,
        Op::Minus => number_value(numbers()?.0 - numbers()?.1)?,
        Op::Mul => number_value(numbers()?.0 * numbers()?.1)?,
        Op::Div if numbers()?.1 != 0.0 => number_value(numbers()?.0 / numbers()?.1)?,
        Op::Mod if numbers()?.1 != 0.0 => number_value(numbers()?.0 % numbers()?.1)?,
        _ => return None,
    })
}

/// The pure functions configurations use for names and flags; others are unknown.
fn function(name: &str, args: Vec<Value>) -> Eval {
    if !KNOWN_FUNCTIONS.contains(&name) {
        return Eval::Unknown(format!("function {name}() is not evaluated by kvscan"));
    }
    pure_function(name, &args)
        .map_or_else(|| Eval::Unknown(format!("{name}() with these arguments cannot be evaluated")), Eval::Known)
}

const KNOWN_FUNCTIONS: &[&str] = &[
    "lower",
    "upper",
    "trimspace",
    "tostring",
    "tobool",
    "tonumber",
    "tolist",
    "toset",
    "tomap",
    "join",
    "replace",
    "substr",
    "format",
    "concat",
    "merge",
    "lookup",
    "coalesce",
    "length",
    "element",
    "contains",
    "keys",
    "values",
];

fn pure_function(name: &str, args: &[Value]) -> Option<Value> {
    let string = |i: usize| args.get(i).map(text);
    match name {
        "lower" => string(0).map(|s| Value::String(s.to_lowercase())),
        "upper" => string(0).map(|s| Value::String(s.to_uppercase())),
        "trimspace" => string(0).map(|s| Value::String(s.trim().to_string())),
        "tostring" => string(0).map(Value::String),
        "tobool" => args.first().and_then(|v| match v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s == "true" || s == "false" => Some(Value::Bool(s == "true")),
            _ => None,
        }),
        "tonumber" => args.first().and_then(|v| match v {
            Value::Number(_) => Some(v.clone()),
            Value::String(s) => s.parse::<i64>().ok().map(Value::from),
            _ => None,
        }),
        "tolist" | "toset" => args.first().filter(|v| v.is_array()).cloned(),
        "tomap" => args.first().filter(|v| v.is_object()).cloned(),
        "join" => match (string(0), args.get(1)) {
            (Some(separator), Some(Value::Array(items))) => {
                Some(Value::String(items.iter().map(text).collect::<Vec<_>>().join(&separator)))
            }
            _ => None,
        },
        "replace" => match (string(0), string(1), string(2)) {
            (Some(s), Some(from), Some(to)) if !from.starts_with('/') => Some(Value::String(s.replace(&from, &to))),
            _ => None,
        },
        "substr" => match (string(0), args.get(1).and_then(Value::as_i64), args.get(2).and_then(Value::as_i64)) {
            (Some(s), Some(offset), Some(length)) if offset >= 0 => {
                let chars = s.chars().skip(usize::try_from(offset).unwrap_or(0));
                let taken: String = if length < 0 {
                    chars.collect()
                } else {
                    chars.take(usize::try_from(length).unwrap_or(0)).collect()
                };
                Some(Value::String(taken))
            }
            _ => None,
        },
        "format" => string(0).and_then(|pattern| format_verbs(&pattern, args.get(1..).unwrap_or_default())),
        "concat" => {
            let mut out = Vec::new();
            for arg in args {
                out.extend(arg.as_array()?.iter().cloned());
            }
            Some(Value::Array(out))
        }
        "merge" => {
            let mut out = Map::new();
            for arg in args {
                out.extend(arg.as_object()?.clone());
            }
            Some(Value::Object(out))
        }
        "lookup" => match (args.first(), string(1)) {
            (Some(Value::Object(map)), Some(key)) => map.get(&key).cloned().or_else(|| args.get(2).cloned()),
            _ => None,
        },
        "coalesce" => args.iter().find(|v| !v.is_null() && v.as_str() != Some("")).cloned(),
        "length" => args.first().and_then(|v| match v {
            Value::Array(items) => Some(Value::from(items.len())),
            Value::Object(map) => Some(Value::from(map.len())),
            Value::String(s) => Some(Value::from(s.chars().count())),
            _ => None,
        }),
        "element" => match (args.first(), args.get(1).and_then(Value::as_u64)) {
            (Some(Value::Array(items)), Some(i)) if !items.is_empty() => {
                usize::try_from(i).ok().and_then(|i| items.get(i % items.len())).cloned()
            }
            _ => None,
        },
        "contains" => match (args.first(), args.get(1)) {
            (Some(Value::Array(items)), Some(wanted)) => Some(Value::Bool(items.contains(wanted))),
            _ => None,
        },
        "keys" => args
            .first()
            .and_then(Value::as_object)
            .map(|m| Value::Array(m.keys().cloned().map(Value::String).collect())),
        "values" => args.first().and_then(Value::as_object).map(|m| Value::Array(m.values().cloned().collect())),
        _ => None,
    }
}

/// `format("%s-%s", a, b)` with the `%s`, `%d`, `%v` and `%%` verbs.
fn format_verbs(pattern: &str, args: &[Value]) -> Option<Value> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'v' => out.push_str(&text(next.next()?)),
            _ => return None,
        }
    }
    Some(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Scope for Fixed {
        fn variable(&self, name: &str) -> Eval {
            match name {
                "prefix" => Eval::Known(Value::String("kv".into())),
                _ => Eval::Unknown(format!("variable '{name}' has no value")),
            }
        }
        fn local(&self, _: &str) -> Eval {
            Eval::Known(serde_json::json!({"env": "prod"}))
        }
        fn iteration(&self, _: &str) -> Eval {
            Eval::Known(Value::from(2))
        }
        fn resource(&self, _: &str, _: &str, _: Option<&Value>, _: &[String]) -> Option<Eval> {
            None
        }
    }

    fn eval(source: &str) -> Eval {
        let expression: Expression = hcl::edit::parser::parse_expr(source).map(Into::into).expect("test expression");
        evaluate(&expression, &Fixed, 0)
    }

    #[test]
    fn evaluates_what_names_and_flags_use() {
        assert_eq!(eval(r#""${var.prefix}-${local.x.env}-${count.index}""#), Eval::Known("kv-prod-2".into()));
        assert_eq!(
            eval(r#"format("%s%03s", var.prefix, "a")"#),
            Eval::Unknown("format() with these arguments cannot be evaluated".into())
        );
        assert_eq!(eval(r#"var.prefix == "kv" ? true : false"#), Eval::Known(Value::Bool(true)));
        assert_eq!(eval("lower(upper(var.prefix))"), Eval::Known("kv".into()));
        assert_eq!(eval("1 + 2 * 3"), Eval::Known(Value::from(7)));
    }

    #[test]
    fn unknowns_name_their_cause() {
        assert_eq!(eval("var.missing"), Eval::Unknown("variable 'missing' has no value".into()));
        assert_eq!(
            eval("data.azurerm_client_config.current.tenant_id"),
            Eval::Unknown("data.azurerm_client_config.current.tenant_id is read when Terraform plans".into())
        );
        assert_eq!(eval(r#"file("x")"#), Eval::Unknown("function file() is not evaluated by kvscan".into()));
    }
}
