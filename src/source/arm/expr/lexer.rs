//! Splits the text between an expression's outer brackets into tokens.
//!
//! The lexer is a plain loop over characters, so no input can make it recurse; every token keeps
//! its 1-based column in the whole JSON string value (the leading `[` is column 1).

use super::{ParseError, ParseErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Identifier(String),
    String(String),
    Integer(i64),
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
    Dot,
    End,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Identifier(name) => format!("'{name}'"),
            TokenKind::String(_) => "a string".into(),
            TokenKind::Integer(value) => format!("'{value}'"),
            TokenKind::OpenParen => "'('".into(),
            TokenKind::CloseParen => "')'".into(),
            TokenKind::OpenBracket => "'['".into(),
            TokenKind::CloseBracket => "']'".into(),
            TokenKind::Comma => "','".into(),
            TokenKind::Dot => "'.'".into(),
            TokenKind::End => "the end of the expression".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub column: usize,
}

/// Tokenizes `body`, whose first character sits at `first_column`. The result always ends with
/// [`TokenKind::End`].
pub fn tokenize(body: &str, first_column: usize) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = body.chars().collect();
    let end_column = first_column + chars.len();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = first_column + i;
        let single = match c {
            '(' => Some(TokenKind::OpenParen),
            ')' => Some(TokenKind::CloseParen),
            '[' => Some(TokenKind::OpenBracket),
            ']' => Some(TokenKind::CloseBracket),
            ',' => Some(TokenKind::Comma),
            '.' => Some(TokenKind::Dot),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, column });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let (text, next) = string_literal(&chars, i, column)?;
            tokens.push(Token { kind: TokenKind::String(text), column });
            i = next;
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let (value, next) = integer_literal(&chars, i, column)?;
            tokens.push(Token { kind: TokenKind::Integer(value), column });
            i = next;
        } else if is_identifier_start(c) {
            let start = i;
            while i < chars.len() && is_identifier_part(chars[i]) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            tokens.push(Token { kind: TokenKind::Identifier(name), column });
        } else {
            return Err(ParseError::new(column, ParseErrorKind::UnexpectedCharacter(c)));
        }
    }
    tokens.push(Token { kind: TokenKind::End, column: end_column });
    Ok(tokens)
}

fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Reads `'...'` starting at the opening quote; `''` stands for one quote.
fn string_literal(chars: &[char], open: usize, column: usize) -> Result<(String, usize), ParseError> {
    let mut text = String::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => return Err(ParseError::new(column, ParseErrorKind::UnterminatedString)),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

/// Reads an optionally negative integer. ARM expressions have no decimal literals, so a digit run
/// followed by `.` and a digit is reported rather than read as an integer and a property access.
fn integer_literal(chars: &[char], start: usize, column: usize) -> Result<(i64, usize), ParseError> {
    let mut i = start + 1;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        return Err(ParseError::new(column, ParseErrorKind::DecimalLiteral));
    }
    if chars.get(i).is_some_and(|&c| is_identifier_part(c)) {
        return Err(ParseError::new(column + (i - start), ParseErrorKind::UnexpectedCharacter(chars[i])));
    }
    let digits: String = chars[start..i].iter().collect();
    let value = digits.parse::<i64>().map_err(|_| ParseError::new(column, ParseErrorKind::IntegerOutOfRange))?;
    Ok((value, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(body: &str) -> Vec<TokenKind> {
        tokenize(body, 2).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn tokenizes_calls_literals_and_accessors() {
        assert_eq!(
            kinds("concat('a''b', -12)[0].x"),
            [
                TokenKind::Identifier("concat".into()),
                TokenKind::OpenParen,
                TokenKind::String("a'b".into()),
                TokenKind::Comma,
                TokenKind::Integer(-12),
                TokenKind::CloseParen,
                TokenKind::OpenBracket,
                TokenKind::Integer(0),
                TokenKind::CloseBracket,
                TokenKind::Dot,
                TokenKind::Identifier("x".into()),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn columns_count_characters_from_the_opening_bracket() {
        let tokens = tokenize("é('x')", 2).unwrap();
        assert_eq!(tokens.iter().map(|t| t.column).collect::<Vec<_>>(), [2, 3, 4, 7, 8]);
    }

    #[test]
    fn reports_bad_literals_with_their_column() {
        let err = |body: &str| tokenize(body, 2).unwrap_err();
        assert_eq!(err("f('abc").kind, ParseErrorKind::UnterminatedString);
        assert_eq!(err("f('abc").column, 4);
        assert_eq!(err("99999999999999999999").kind, ParseErrorKind::IntegerOutOfRange);
        assert_eq!(err("f(1.5)").kind, ParseErrorKind::DecimalLiteral);
        assert_eq!(err("f(12ab)").column, 6);
        assert_eq!(err("a # b").kind, ParseErrorKind::UnexpectedCharacter('#'));
        assert_eq!(err("a # b").column, 4);
    }
}
