//! The ARM template expression language: which JSON strings are expressions, and their syntax.
//!
//! A JSON string is an expression when it starts with `[` and ends with `]`; a string starting
//! with `[[` is a literal whose first `[` is an escape. Parse errors carry the 1-based column in
//! the JSON string value (counting characters, the leading `[` being column 1).

pub mod ast;
mod lexer;
mod parser;

pub use ast::Expr;
pub use parser::MAX_NESTING;

use std::borrow::Cow;

/// What a JSON string value in a template means.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateString<'a> {
    /// Plain text, with a leading `[[` escape already reduced to `[`.
    Literal(Cow<'a, str>),
    /// An expression; the text still has its outer brackets.
    Expression(&'a str),
}

/// Classifies a JSON string value.
pub fn classify(text: &str) -> TemplateString<'_> {
    if let Some(rest) = text.strip_prefix("[[") {
        return TemplateString::Literal(Cow::Owned(format!("[{rest}")));
    }
    if text.len() >= 2 && text.starts_with('[') && text.ends_with(']') {
        return TemplateString::Expression(text);
    }
    TemplateString::Literal(Cow::Borrowed(text))
}

/// Parses an expression string (with its outer brackets, as it appears in the template).
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let body = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or(ParseError::new(1, ParseErrorKind::NotAnExpression))?;
    let tokens = lexer::tokenize(body, 2)?;
    parser::Parser::new(tokens).parse()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid expression at column {column}: {kind}")]
pub struct ParseError {
    /// 1-based, in characters, counted from the leading `[`.
    pub column: usize,
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub fn new(column: usize, kind: ParseErrorKind) -> ParseError {
        ParseError { column, kind }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("an expression must start with '[' and end with ']'")]
    NotAnExpression,
    #[error("the expression is empty")]
    Empty,
    #[error("unterminated string literal (strings are quoted with ', and '' stands for a quote)")]
    UnterminatedString,
    #[error("unexpected character '{0}'")]
    UnexpectedCharacter(char),
    #[error("integer literal out of the 64-bit range")]
    IntegerOutOfRange,
    #[error("decimal literals are not part of the template language; use a string or json()")]
    DecimalLiteral,
    #[error("expected {expected}, found {found}")]
    Unexpected { expected: String, found: String },
    #[error("unexpected {0} after the end of the expression")]
    TrailingInput(String),
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call { name: name.into(), args }
    }

    fn string(text: &str) -> Expr {
        Expr::String(text.into())
    }

    fn error(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn classifies_expressions_literals_and_escapes() {
        assert_eq!(classify("[parameters('a')]"), TemplateString::Expression("[parameters('a')]"));
        assert_eq!(classify("[[parameters('a')]"), TemplateString::Literal("[parameters('a')]".into()));
        assert_eq!(classify("[[literal"), TemplateString::Literal("[literal".into()));
        assert_eq!(classify("plain"), TemplateString::Literal("plain".into()));
        assert_eq!(classify("[not closed"), TemplateString::Literal("[not closed".into()));
        assert_eq!(classify("[x] "), TemplateString::Literal("[x] ".into()));
        assert_eq!(classify("["), TemplateString::Literal("[".into()));
        assert_eq!(classify("[]"), TemplateString::Expression("[]"));
        assert_eq!(classify(""), TemplateString::Literal("".into()));
    }

    #[test]
    fn parses_nested_calls_and_literals() {
        let cases = [
            ("['a''s']", string("a's")),
            ("[42]", Expr::Integer(42)),
            ("[-7]", Expr::Integer(-7)),
            ("[true]", Expr::Bool(true)),
            ("[FALSE]", Expr::Bool(false)),
            ("[null]", Expr::Null),
            ("[utcNow()]", call("utcNow", vec![])),
            (
                "[concat('a', toLower(parameters('b')), 3)]",
                call(
                    "concat",
                    vec![string("a"), call("toLower", vec![call("parameters", vec![string("b")])]), Expr::Integer(3)],
                ),
            ),
            ("[ if ( true , 1 , 2 ) ]", call("if", vec![Expr::Bool(true), Expr::Integer(1), Expr::Integer(2)])),
            ("[contoso.uniqueName('x')]", call("contoso.uniqueName", vec![string("x")])),
            ("['a]b(c']", string("a]b(c")),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn parses_property_and_index_chains() {
        let parameters = call("parameters", vec![string("x")]);
        assert_eq!(
            parse("[parameters('x').properties.id]").unwrap(),
            Expr::Property {
                target: Box::new(Expr::Property { target: Box::new(parameters.clone()), name: "properties".into() }),
                name: "id".into(),
            }
        );
        assert_eq!(
            parse("[variables('arr')[0]]").unwrap(),
            Expr::Index { target: Box::new(call("variables", vec![string("arr")])), index: Box::new(Expr::Integer(0)) }
        );
        assert_eq!(
            parse("[parameters('x')[parameters('k')].a[1]]").unwrap(),
            Expr::Index {
                target: Box::new(Expr::Property {
                    target: Box::new(Expr::Index {
                        target: Box::new(parameters.clone()),
                        index: Box::new(call("parameters", vec![string("k")])),
                    }),
                    name: "a".into(),
                }),
                index: Box::new(Expr::Integer(1)),
            }
        );
    }

    #[test]
    fn lists_called_functions_in_source_order() {
        let expr = parse("[concat(toLower(parameters('a')), variables('b')[copyIndex()].c)]").unwrap();
        assert_eq!(expr.function_names(), ["concat", "toLower", "parameters", "variables", "copyIndex"]);
    }

    #[test]
    fn errors_carry_the_column() {
        let cases = [
            ("[]", 2, ParseErrorKind::Empty),
            ("[   ]", 5, ParseErrorKind::Empty),
            (
                "[concat('a', 'b']",
                17,
                ParseErrorKind::Unexpected {
                    expected: "',' or ')' in the argument list".into(),
                    found: "the end of the expression".into(),
                },
            ),
            (
                "[concat('a' 'b')]",
                13,
                ParseErrorKind::Unexpected {
                    expected: "',' or ')' in the argument list".into(),
                    found: "a string".into(),
                },
            ),
            ("[concat('a)]", 9, ParseErrorKind::UnterminatedString),
            (
                "[foo]",
                5,
                ParseErrorKind::Unexpected {
                    expected: "'(' after the function name 'foo'".into(),
                    found: "the end of the expression".into(),
                },
            ),
            (
                "[f().]",
                6,
                ParseErrorKind::Unexpected {
                    expected: "a property name after '.'".into(),
                    found: "the end of the expression".into(),
                },
            ),
            (
                "[f()[0]",
                7,
                ParseErrorKind::Unexpected {
                    expected: "']' to close the index".into(),
                    found: "the end of the expression".into(),
                },
            ),
            ("[f() g()]", 6, ParseErrorKind::TrailingInput("'g'".into())),
            (
                "[f(,)]",
                4,
                ParseErrorKind::Unexpected {
                    expected: "a function call, a string or a number".into(),
                    found: "','".into(),
                },
            ),
            ("[é(#)]", 4, ParseErrorKind::UnexpectedCharacter('#')),
            ("[add(1, 123456789012345678901)]", 9, ParseErrorKind::IntegerOutOfRange),
        ];
        for (text, column, kind) in cases {
            let err = error(text);
            assert_eq!((err.column, err.kind), (column, kind), "{text}");
        }
        assert_eq!(error("no brackets").kind, ParseErrorKind::NotAnExpression);
        assert_eq!(
            error("[concat('a)]").to_string(),
            "invalid expression at column 9: unterminated string literal (strings are quoted with ', and '' stands \
             for a quote)"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = |open: &str, close: &str, n: usize| format!("[{}1{}]", open.repeat(n), close.repeat(n));
        assert_eq!(error(&deep("f(", ")", 10_000)).kind, ParseErrorKind::TooDeep(MAX_NESTING));
        assert_eq!(error(&deep("f()[", "]", 10_000)).kind, ParseErrorKind::TooDeep(MAX_NESTING));
        assert!(matches!(error(&deep("(", ")", 10_000)).kind, ParseErrorKind::Unexpected { .. }));
        let long_chain = format!("[f(){}]", ".a".repeat(10_000));
        assert_eq!(error(&long_chain).kind, ParseErrorKind::TooDeep(MAX_NESTING));
        // Just inside the limit still parses.
        assert!(parse(&deep("f(", ")", MAX_NESTING)).is_ok());
    }

    #[test]
    fn garbage_never_panics() {
        // A deterministic pseudo-random walk over characters that matter to the lexer and parser.
        let alphabet: Vec<char> = "()[]'.,-09azAZ_ $é😀\\\"\n\t#".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for length in 0..400 {
            let mut text = String::from("[");
            for _ in 0..length % 40 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            text.push(']');
            let _ = parse(&text);
        }
        for text in ["[", "]", "[[", "[']", "['']", "[''']", "[-]", "[--1]", "[-9223372036854775808]", "[.]", "[..]"] {
            let _ = parse(text);
        }
        assert_eq!(parse("[-9223372036854775808]").unwrap(), Expr::Integer(i64::MIN));
    }
}
