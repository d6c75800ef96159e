//! Bicep text → a small typed syntax tree, through the tree-sitter Bicep grammar.
//!
//! Only what the translation to an ARM template needs is kept: parameters (with defaults and
//! `@secure()`), variables, resources (with nested children, `existing`, `if`, `[for …]`) and
//! modules. Outputs, types, functions, imports and metadata do not deploy anything and are
//! skipped. Every node keeps the position of its first character, so findings point at Bicep lines.

use super::BicepError;
use crate::span::Position;
use tree_sitter::Node;

/// Deeper expressions than this are not followed (garbage input nests without end; real files
/// stay far below).
const MAX_EXPRESSION_DEPTH: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct BicepFile {
    pub params: Vec<Param>,
    pub vars: Vec<Var>,
    pub resources: Vec<Resource>,
    pub modules: Vec<Module>,
    /// The template a `.bicepparam` file is for (`using '…'`).
    pub using: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// The declared type as written (`string`, `int`, …; anything else is an object type).
    pub type_name: String,
    pub secure: bool,
    pub default: Option<Expr>,
    pub at: Position,
}

#[derive(Debug, Clone)]
pub struct Var {
    pub name: String,
    pub value: Expr,
    pub at: Position,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub symbol: String,
    /// `Microsoft.KeyVault/vaults@2023-07-01`, or a nested child's relative `secrets@…`.
    pub type_text: String,
    pub existing: bool,
    pub body: Body,
    pub at: Position,
}

#[derive(Debug, Clone)]
pub struct Module {
    pub symbol: String,
    pub path: String,
    pub body: Body,
    pub at: Position,
}

/// What follows `=` in a resource or module declaration.
#[derive(Debug, Clone)]
pub struct Body {
    pub condition: Option<Expr>,
    pub repeat: Option<Loop>,
    pub object: ObjectLiteral,
}

/// `[for (item, index) in source: …]`.
#[derive(Debug, Clone)]
pub struct Loop {
    pub item: Option<String>,
    pub index: Option<String>,
    pub source: Box<Expr>,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectLiteral {
    pub properties: Vec<Property>,
    /// Child resources declared inside a resource's body.
    pub children: Vec<Resource>,
}

#[derive(Debug, Clone)]
pub struct Property {
    pub key: String,
    pub value: Expr,
    pub at: Position,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub at: Position,
}

#[derive(Debug, Clone)]
pub enum StringPart {
    Text(String),
    Interpolation(Expr),
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    String(Vec<StringPart>),
    Int(i64),
    Bool(bool),
    Null,
    Identifier(String),
    Array(Vec<Expr>),
    Object(ObjectLiteral),
    Member {
        object: Box<Expr>,
        property: String,
    },
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    /// `parent::child`.
    ChildAccess {
        object: Box<Expr>,
        child: String,
    },
    /// `name(args)` or `namespace.name(args)`.
    Call {
        namespace: Option<String>,
        name: String,
        args: Vec<Expr>,
    },
    Unary {
        operator: String,
        operand: Box<Expr>,
    },
    Binary {
        operator: String,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Ternary {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    For {
        repeat: Loop,
        condition: Option<Box<Expr>>,
        body: Box<Expr>,
    },
    Lambda {
        parameters: Vec<String>,
        body: Box<Expr>,
    },
    /// Syntax kvscan does not translate (kept as its text, for the reason of the unknown).
    Unsupported(String),
}

/// Parses a `.bicep` file; a syntax error is `file:line:column: what was expected`.
pub fn parse(file: &str, text: &str) -> Result<BicepFile, BicepError> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bicep::LANGUAGE.into())
        .map_err(|e| BicepError::at(file, Position::START, format!("the Bicep grammar cannot be loaded: {e}")))?;
    let tree = parser
        .parse(text, None)
        .ok_or_else(|| BicepError::at(file, Position::START, "the Bicep parser gave up on this file"))?;
    let lines = LineIndex::new(text);
    let root = tree.root_node();
    if root.has_error() {
        return Err(first_error(file, root, text, &lines));
    }
    let reader = Reader { text, lines: &lines };
    Ok(reader.file(root))
}

/// A `.bicepparam` file: `using '…'`, then `param name = value` and `var name = value`.
pub fn parse_parameters(file: &str, text: &str) -> Result<BicepFile, BicepError> {
    // The grammar knows `param` declarations with a type only; `param x = v` becomes
    // `var   x = v` of the same length, so positions stay right.
    let rewritten: String = text
        .split_inclusive('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let rest = &line[indent..];
            let is_assignment = rest.strip_prefix("param").is_some_and(|after| {
                after.starts_with(char::is_whitespace) && {
                    let after = after.trim_start();
                    let name_end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len());
                    after[name_end..].trim_start().starts_with('=')
                }
            });
            if is_assignment {
                format!("{}var  {}", &line[..indent], &rest["param".len()..])
            } else {
                line.to_string()
            }
        })
        .collect();
    parse(file, &rewritten)
}

/// The first ERROR or MISSING node, in document order, as a located message.
fn first_error(file: &str, root: Node, text: &str, lines: &LineIndex) -> BicepError {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_missing() {
            let what = node.kind();
            let expected = if node.is_named() { what.replace('_', " ") } else { format!("'{what}'") };
            return BicepError::at(file, lines.position(text, node.start_byte()), format!("expected {expected}"));
        }
        if node.is_error() {
            let found = text.get(node.byte_range()).unwrap_or_default();
            let shown: String = found.chars().take(30).collect::<String>().replace('\n', "⏎");
            let message = if shown.trim().is_empty() {
                "unexpected end of the file".to_string()
            } else {
                format!("unexpected `{}`: not valid Bicep here", shown.trim())
            };
            return BicepError::at(file, lines.position(text, node.start_byte()), message);
        }
        // Descend into subtrees that contain the error, else move on.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return BicepError::at(file, Position::START, "the file is not valid Bicep");
            }
        }
    }
}

/// Byte offset → line and column, without rescanning the text for every node.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> Position {
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text.get(start..offset).map_or(offset.saturating_sub(start), |s| s.chars().count());
        Position { line: line as u32, column: column as u32 + 1 }
    }
}

struct Reader<'a> {
    text: &'a str,
    lines: &'a LineIndex,
}

fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).filter(|n| !n.is_extra()).collect()
}

impl Reader<'_> {
    fn text_of(&self, node: Node) -> &str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }

    fn at(&self, node: Node) -> Position {
        self.lines.position(self.text, node.start_byte())
    }

    fn file(&self, root: Node) -> BicepFile {
        let mut file = BicepFile::default();
        let mut secure_next = false;
        for statement in named_children(root) {
            match statement.kind() {
                "decorators" => {
                    secure_next = self.text_of(statement).split('@').any(|d| d.trim_start().starts_with("secure"));
                    continue;
                }
                "parameter_declaration" => {
                    if let Some(param) = self.param(statement, secure_next) {
                        file.params.push(param);
                    }
                }
                "variable_declaration" => {
                    if let Some(var) = self.var(statement) {
                        file.vars.push(var);
                    }
                }
                "resource_declaration" => {
                    if let Some(resource) = self.resource(statement) {
                        file.resources.push(resource);
                    }
                }
                "module_declaration" => {
                    if let Some(module) = self.module(statement) {
                        file.modules.push(module);
                    }
                }
                "using_statement" => {
                    file.using = statement.named_child(0).map(|s| self.plain_string(s));
                }
                // Outputs, types, functions, imports, metadata, targetScope: nothing deployed.
                _ => {}
            }
            secure_next = false;
        }
        file
    }

    fn param(&self, node: Node, secure: bool) -> Option<Param> {
        let children = named_children(node);
        let name = children.iter().find(|c| c.kind() == "identifier")?;
        let type_name = children.iter().find(|c| c.kind() == "type").map(|t| self.text_of(*t).trim().to_string());
        // The default is the expression after `=` (the last named child past the type).
        let default = children.iter().skip(2).last().filter(|c| c.kind() != "type").map(|c| self.expr(*c, 0));
        Some(Param {
            name: self.text_of(*name).to_string(),
            type_name: type_name.unwrap_or_default(),
            secure,
            default,
            at: self.at(node),
        })
    }

    fn var(&self, node: Node) -> Option<Var> {
        let children = named_children(node);
        let name = children.first().filter(|c| c.kind() == "identifier")?;
        let value = children.get(1)?;
        Some(Var { name: self.text_of(*name).to_string(), value: self.expr(*value, 0), at: self.at(node) })
    }

    fn resource(&self, node: Node) -> Option<Resource> {
        let children = named_children(node);
        let symbol = children.first().filter(|c| c.kind() == "identifier")?;
        let type_node = children.get(1).filter(|c| c.kind() == "string")?;
        let body_node = children.get(2)?;
        let mut cursor = node.walk();
        let existing = node.children(&mut cursor).any(|c| c.kind() == "existing");
        Some(Resource {
            symbol: self.text_of(*symbol).to_string(),
            type_text: self.plain_string(*type_node),
            existing,
            body: self.body(*body_node)?,
            at: self.at(node),
        })
    }

    fn module(&self, node: Node) -> Option<Module> {
        let children = named_children(node);
        let symbol = children.first().filter(|c| c.kind() == "identifier")?;
        let path = children.get(1).filter(|c| c.kind() == "string")?;
        let body = children.get(2)?;
        Some(Module {
            symbol: self.text_of(*symbol).to_string(),
            path: self.plain_string(*path),
            body: self.body(*body)?,
            at: self.at(node),
        })
    }

    /// `{…}`, `if (c) {…}` or `[for … in …: {…}]` / `[for … in …: if (c) {…}]`.
    fn body(&self, node: Node) -> Option<Body> {
        match node.kind() {
            "object" => Some(Body { condition: None, repeat: None, object: self.object(node, 0) }),
            "if_statement" => {
                let (condition, object) = self.if_statement(node, 0)?;
                Some(Body { condition: Some(condition), repeat: None, object })
            }
            "for_statement" => {
                let (repeat, body) = self.for_parts(node, 0)?;
                match body.kind() {
                    "if_statement" => {
                        let (condition, object) = self.if_statement(body, 0)?;
                        Some(Body { condition: Some(condition), repeat: Some(repeat), object })
                    }
                    "object" => Some(Body { condition: None, repeat: Some(repeat), object: self.object(body, 0) }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn if_statement(&self, node: Node, depth: usize) -> Option<(Expr, ObjectLiteral)> {
        let children = named_children(node);
        let condition = children.iter().find(|c| c.kind() == "parenthesized_expression")?;
        let object = children.iter().find(|c| c.kind() == "object")?;
        let inner = named_children(*condition);
        let condition = match inner.as_slice() {
            [single] => self.expr(*single, depth + 1),
            _ => self.unsupported(*condition),
        };
        Some((condition, self.object(*object, depth + 1)))
    }

    fn for_parts<'t>(&self, node: Node<'t>, depth: usize) -> Option<(Loop, Node<'t>)> {
        let body = node.child_by_field_name("body")?;
        let mut item = None;
        let mut index = None;
        let mut source = None;
        let mut seen_in = false;
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "in" => seen_in = true,
                "for_loop_parameters" => {
                    for parameter in named_children(child) {
                        match parameter.kind() {
                            "loop_variable" => item = Some(self.text_of(parameter).to_string()),
                            "loop_enumerator" => index = Some(self.text_of(parameter).to_string()),
                            _ => {}
                        }
                    }
                }
                "identifier" if !seen_in => item = Some(self.text_of(child).to_string()),
                _ if seen_in && child.is_named() && !child.is_extra() && source.is_none() => {
                    source = Some(self.expr(child, depth + 1));
                }
                _ => {}
            }
        }
        Some((Loop { item, index, source: Box::new(source?) }, body))
    }

    fn object(&self, node: Node, depth: usize) -> ObjectLiteral {
        let mut object = ObjectLiteral::default();
        for property in named_children(node).into_iter().filter(|c| c.kind() == "object_property") {
            let parts = named_children(property);
            match parts.as_slice() {
                [child] if child.kind() == "resource_declaration" => {
                    if let Some(resource) = self.resource(*child) {
                        object.children.push(resource);
                    }
                }
                [key, value] => {
                    let key = match key.kind() {
                        "string" => self.plain_string(*key),
                        _ => self.text_of(*key).trim_end_matches('?').to_string(),
                    };
                    object.properties.push(Property {
                        key,
                        value: self.expr(*value, depth + 1),
                        at: self.at(property),
                    });
                }
                _ => {}
            }
        }
        object
    }

    /// A string without interpolation (types, paths, keys); interpolations are kept as written.
    fn plain_string(&self, node: Node) -> String {
        let mut out = String::new();
        for part in self.string_parts(node, 0) {
            match part {
                StringPart::Text(text) => out.push_str(&text),
                StringPart::Interpolation(expr) => out.push_str(&format!("${{{expr:?}}}")),
            }
        }
        out
    }

    fn string_parts(&self, node: Node, depth: usize) -> Vec<StringPart> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut cursor = node.walk();
        let multiline = node.child(0).is_some_and(|c| c.kind() == "'''");
        let mut last_end = node.start_byte();
        for child in node.children(&mut cursor) {
            // Some escapes (`\$`) are tokens the tree does not show: the gap between children.
            if child.start_byte() > last_end {
                text.push_str(&unescape(self.text.get(last_end..child.start_byte()).unwrap_or_default()));
            }
            last_end = child.end_byte();
            match child.kind() {
                "'" | "'''" => {}
                "string_content" if multiline => {
                    // Bicep drops the line break right after the opening quotes.
                    let raw = self.text_of(child);
                    text.push_str(raw.strip_prefix("\r\n").or_else(|| raw.strip_prefix('\n')).unwrap_or(raw));
                }
                "string_content" => text.push_str(self.text_of(child)),
                "interpolation" => {
                    if !text.is_empty() {
                        parts.push(StringPart::Text(std::mem::take(&mut text)));
                    }
                    let inner = named_children(child).into_iter().next();
                    let expr = match inner {
                        Some(inner) => self.expr(inner, depth + 1),
                        None => self.unsupported(child),
                    };
                    parts.push(StringPart::Interpolation(expr));
                }
                _ if child.is_extra() => text.push_str(self.text_of(child)),
                // Escape sequences (named or not).
                _ => text.push_str(&unescape(self.text_of(child))),
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push(StringPart::Text(text));
        }
        parts
    }

    fn unsupported(&self, node: Node) -> Expr {
        Expr { kind: ExprKind::Unsupported(self.text_of(node).to_string()), at: self.at(node) }
    }

    fn expr(&self, node: Node, depth: usize) -> Expr {
        if depth > MAX_EXPRESSION_DEPTH {
            return self.unsupported(node);
        }
        let at = self.at(node);
        let child = |name: &str| node.child_by_field_name(name).map(|n| Box::new(self.expr(n, depth + 1)));
        let kind = match node.kind() {
            "string" => ExprKind::String(self.string_parts(node, depth)),
            "number" => match self.text_of(node).parse() {
                Ok(n) => ExprKind::Int(n),
                Err(_) => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            "boolean" => ExprKind::Bool(self.text_of(node) == "true"),
            "null" => ExprKind::Null,
            "identifier" | "property_identifier" => ExprKind::Identifier(self.text_of(node).to_string()),
            "array" => ExprKind::Array(
                named_children(node)
                    .into_iter()
                    .filter(|c| c.kind() != "decorators")
                    .map(|c| self.expr(c, depth + 1))
                    .collect(),
            ),
            "object" => ExprKind::Object(self.object(node, depth)),
            "parenthesized_expression" => match named_children(node).as_slice() {
                [single] => return self.expr(*single, depth + 1),
                _ => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            "member_expression" => {
                let property = node.child_by_field_name("property").map(|p| self.text_of(p).to_string());
                match (child("object"), property) {
                    (Some(object), Some(property)) => ExprKind::Member { object, property },
                    _ => ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            "subscript_expression" => match (child("object"), child("index")) {
                (Some(object), Some(index)) => ExprKind::Index { object, index },
                _ => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            "resource_expression" => {
                let resource = node.child_by_field_name("resource").map(|r| self.text_of(r).to_string());
                match (child("object"), resource) {
                    (Some(object), Some(child)) => ExprKind::ChildAccess { object, child },
                    _ => ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            "call_expression" => self.call(node, depth),
            "unary_expression" => {
                let operator = node.child_by_field_name("operator").map(|o| self.text_of(o).to_string());
                match (operator, child("argument")) {
                    (Some(operator), Some(operand)) => ExprKind::Unary { operator, operand },
                    _ => ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            "binary_expression" => {
                let operator = node.child_by_field_name("operator").map(|o| self.text_of(o).to_string());
                match (operator, child("left"), child("right")) {
                    (Some(operator), Some(left), Some(right)) => ExprKind::Binary { operator, left, right },
                    _ => ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            "ternary_expression" => match (child("condition"), child("consequence"), child("alternative")) {
                (Some(condition), Some(then), Some(otherwise)) => ExprKind::Ternary { condition, then, otherwise },
                _ => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            "for_statement" => match self.for_parts(node, depth) {
                Some((repeat, body)) if body.kind() == "if_statement" => {
                    let children = named_children(body);
                    let condition = children
                        .iter()
                        .find(|c| c.kind() == "parenthesized_expression")
                        .map(|c| Box::new(self.expr(*c, depth + 1)));
                    match children.iter().find(|c| c.kind() == "object") {
                        Some(object) => {
                            ExprKind::For { repeat, condition, body: Box::new(self.expr(*object, depth + 1)) }
                        }
                        None => ExprKind::Unsupported(self.text_of(node).to_string()),
                    }
                }
                Some((repeat, body)) => {
                    ExprKind::For { repeat, condition: None, body: Box::new(self.expr(body, depth + 1)) }
                }
                None => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            "lambda_expression" => {
                let children = named_children(node);
                match children.as_slice() {
                    [parameters, body] => {
                        let parameters = self
                            .text_of(*parameters)
                            .trim_matches(|c| c == '(' || c == ')')
                            .split(',')
                            .map(|p| p.trim().to_string())
                            .filter(|p| !p.is_empty())
                            .collect();
                        ExprKind::Lambda { parameters, body: Box::new(self.expr(*body, depth + 1)) }
                    }
                    _ => ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            // `x!` (non-null assertion) is its value.
            "nullable_type" => match named_children(node).first() {
                Some(inner) => return self.expr(*inner, depth + 1),
                None => ExprKind::Unsupported(self.text_of(node).to_string()),
            },
            _ => ExprKind::Unsupported(self.text_of(node).to_string()),
        };
        Expr { kind, at }
    }

    fn call(&self, node: Node, depth: usize) -> ExprKind {
        let Some(function) = node.child_by_field_name("function") else {
            return ExprKind::Unsupported(self.text_of(node).to_string());
        };
        let (namespace, name) = match function.kind() {
            "identifier" => (None, self.text_of(function).to_string()),
            "member_expression" => {
                let object = function.child_by_field_name("object");
                let property = function.child_by_field_name("property");
                match (object, property) {
                    (Some(object), Some(property)) if object.kind() == "identifier" => {
                        (Some(self.text_of(object).to_string()), self.text_of(property).to_string())
                    }
                    // A method-like call on a value (`x.y.z()`): not Bicep the translation knows.
                    _ => return ExprKind::Unsupported(self.text_of(node).to_string()),
                }
            }
            _ => return ExprKind::Unsupported(self.text_of(node).to_string()),
        };
        let args = node
            .child_by_field_name("arguments")
            .map(|a| named_children(a).into_iter().map(|c| self.expr(c, depth + 1)).collect())
            .unwrap_or_default();
        ExprKind::Call { namespace, name, args }
    }
}

/// A Bicep escape sequence's character(s).
fn unescape(sequence: &str) -> String {
    let Some(rest) = sequence.strip_prefix('\\') else { return sequence.to_string() };
    match rest {
        "n" => "\n".into(),
        "r" => "\r".into(),
        "t" => "\t".into(),
        "\\" => "\\".into(),
        "'" => "'".into(),
        "$" => "$".into(),
        _ => match rest.strip_prefix("u{").and_then(|hex| hex.strip_suffix('}')) {
            Some(hex) => {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).map(String::from).unwrap_or_default()
            }
            None => rest.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_and_positions() {
        let text = "@secure()\nparam p string\nparam q int = 3\nvar v = 'a${p}b'\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' = if (q > 1) {\n  name: 'kv'\n  resource s 'secrets' = {\n    name: 'x'\n  }\n}\n";
        let file = parse("t.bicep", text).expect("valid");
        assert_eq!(file.params.len(), 2);
        assert!(file.params[0].secure && file.params[0].default.is_none());
        assert!(!file.params[1].secure && matches!(file.params[1].default, Some(Expr { kind: ExprKind::Int(3), .. })));
        assert!(matches!(&file.vars[0].value.kind, ExprKind::String(parts) if parts.len() == 3));
        let kv = &file.resources[0];
        assert_eq!((kv.at.line, kv.type_text.as_str()), (5, "Microsoft.KeyVault/vaults@2023-07-01"));
        assert!(kv.body.condition.is_some());
        assert_eq!(kv.body.object.properties[0].at, Position { line: 6, column: 3 });
        assert_eq!(kv.body.object.children[0].symbol, "s");
    }

    #[test]
    fn syntax_errors_name_the_first_problem() {
        let error = parse("bad.bicep", "resource kv 'x@1' = {\n  name: 'a'\n  properties: {\n    a: \n  }\n")
            .expect_err("invalid");
        let text = error.to_string();
        assert!(text.starts_with("bad.bicep:"), "{text}");
        assert!(text.contains("expected"), "{text}");
    }

    #[test]
    fn parameter_files_keep_their_positions() {
        let file = parse_parameters("p.bicepparam", "using 'main.bicep'\nparam purge = true\n").expect("valid");
        assert_eq!(file.using.as_deref(), Some("main.bicep"));
        assert_eq!((file.vars[0].name.as_str(), file.vars[0].at.line), ("purge", 2));
    }

    #[test]
    fn escapes_and_multiline_strings() {
        let file = parse("t.bicep", "var a = 'it\\'s \\${x}'\nvar b = '''\nline ${x}\n'''\n").expect("valid");
        let texts: Vec<String> = file
            .vars
            .iter()
            .map(|v| match &v.value.kind {
                ExprKind::String(parts) => parts
                    .iter()
                    .map(|p| match p {
                        StringPart::Text(t) => t.clone(),
                        StringPart::Interpolation(_) => "<i>".into(),
                    })
                    .collect(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, vec!["it's ${x}".to_string(), "line ${x}\n".to_string()]);
    }
}
