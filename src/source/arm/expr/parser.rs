//! Recursive-descent parser over the token list.
//!
//! Grammar (ARM template language):
//!
//! ```text
//! expression := primary accessor*
//! primary    := call | STRING | INTEGER | 'true' | 'false' | 'null'
//! call       := IDENT ('.' IDENT)? '(' (expression (',' expression)*)? ')'
//! accessor   := '.' IDENT | '[' expression ']'
//! ```
//!
//! Every nested call, index or accessor counts toward [`MAX_NESTING`]: the tree is walked
//! recursively later (evaluation, drop), so its depth must stay small whatever the input.

use super::ast::Expr;
use super::lexer::{Token, TokenKind};
use super::{ParseError, ParseErrorKind};

/// Deepest nesting accepted. Real templates stay far below it (the Azure Verified Modules in the
/// test corpus reach 10).
pub const MAX_NESTING: usize = 64;

pub struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    pub fn new(tokens: Vec<Token>) -> Parser {
        Parser { tokens, position: 0 }
    }

    /// Parses the whole token list as one expression.
    pub fn parse(mut self) -> Result<Expr, ParseError> {
        if self.peek().kind == TokenKind::End {
            return Err(ParseError::new(self.peek().column, ParseErrorKind::Empty));
        }
        let expr = self.expression(0)?;
        let next = self.peek();
        if next.kind != TokenKind::End {
            return Err(ParseError::new(next.column, ParseErrorKind::TrailingInput(next.kind.describe())));
        }
        Ok(expr)
    }

    fn peek(&self) -> &Token {
        // The lexer always ends the list with `End`, and `advance` never moves past it.
        self.tokens.get(self.position).or(self.tokens.last()).unwrap_or(&END)
    }

    fn peek_ahead(&self, offset: usize) -> &TokenKind {
        self.tokens.get(self.position + offset).map_or(&TokenKind::End, |t| &t.kind)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.position < self.tokens.len().saturating_sub(1) {
            self.position += 1;
        }
        token
    }

    fn expect(&mut self, wanted: TokenKind, expected: &'static str) -> Result<Token, ParseError> {
        let token = self.advance();
        if token.kind == wanted {
            Ok(token)
        } else {
            Err(unexpected(&token, expected))
        }
    }

    fn expression(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let column = self.peek().column;
        if depth > MAX_NESTING {
            return Err(ParseError::new(column, ParseErrorKind::TooDeep(MAX_NESTING)));
        }
        let mut expr = self.primary(depth)?;
        let mut chain = depth;
        loop {
            let column = self.peek().column;
            match self.peek().kind {
                TokenKind::Dot => {
                    chain += 1;
                    if chain > MAX_NESTING {
                        return Err(ParseError::new(column, ParseErrorKind::TooDeep(MAX_NESTING)));
                    }
                    self.advance();
                    let token = self.advance();
                    let TokenKind::Identifier(name) = token.kind else {
                        return Err(unexpected(&token, "a property name after '.'"));
                    };
                    expr = Expr::Property { target: Box::new(expr), name };
                }
                TokenKind::OpenBracket => {
                    chain += 1;
                    if chain > MAX_NESTING {
                        return Err(ParseError::new(column, ParseErrorKind::TooDeep(MAX_NESTING)));
                    }
                    self.advance();
                    let index = self.expression(chain)?;
                    self.expect(TokenKind::CloseBracket, "']' to close the index")?;
                    expr = Expr::Index { target: Box::new(expr), index: Box::new(index) };
                }
                _ => return Ok(expr),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let token = self.advance();
        match token.kind {
            TokenKind::String(text) => Ok(Expr::String(text)),
            TokenKind::Integer(value) => Ok(Expr::Integer(value)),
            TokenKind::Identifier(name) => {
                // `ns.fn(` is a user-defined function; anything else after a name is a call or a
                // keyword literal.
                let name = match (self.peek_ahead(0), self.peek_ahead(1), self.peek_ahead(2)) {
                    (TokenKind::Dot, TokenKind::Identifier(member), TokenKind::OpenParen) => {
                        let qualified = format!("{name}.{member}");
                        self.advance();
                        self.advance();
                        qualified
                    }
                    _ => name,
                };
                if self.peek().kind == TokenKind::OpenParen {
                    self.advance();
                    let args = self.arguments(depth)?;
                    return Ok(Expr::Call { name, args });
                }
                match name.to_ascii_lowercase().as_str() {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => Err(ParseError::new(
                        self.peek().column,
                        ParseErrorKind::Unexpected {
                            expected: format!("'(' after the function name '{name}'"),
                            found: self.peek().kind.describe(),
                        },
                    )),
                }
            }
            _ => Err(unexpected(&token, "a function call, a string or a number")),
        }
    }

    /// Reads the arguments after `(`, up to and including `)`.
    fn arguments(&mut self, depth: usize) -> Result<Vec<Expr>, ParseError> {
        let mut args = Vec::new();
        if self.peek().kind == TokenKind::CloseParen {
            self.advance();
            return Ok(args);
        }
        loop {
            args.push(self.expression(depth + 1)?);
            let token = self.advance();
            match token.kind {
                TokenKind::Comma => continue,
                TokenKind::CloseParen => return Ok(args),
                _ => return Err(unexpected(&token, "',' or ')' in the argument list")),
            }
        }
    }
}

/// Fallback for `peek` on an empty token list, which `tokenize` never produces.
static END: Token = Token { kind: TokenKind::End, column: 1 };

fn unexpected(token: &Token, expected: &str) -> ParseError {
    ParseError::new(
        token.column,
        ParseErrorKind::Unexpected { expected: expected.to_string(), found: token.kind.describe() },
    )
}
