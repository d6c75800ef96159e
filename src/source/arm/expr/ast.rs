//! The syntax tree of one template language expression.

/// A parsed expression. Accessors (`.name`, `[index]`) wrap their target, so
/// `variables('a')[0].id` is `Property(Index(Call variables('a'), 0), "id")`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `'text'`, with `''` already unescaped.
    String(String),
    Integer(i64),
    Bool(bool),
    Null,
    /// `name(args)`. The name keeps the template's spelling (for messages); function lookup
    /// ignores case. User-defined functions keep their namespace: `contoso.uniqueName`.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// `target.name`
    Property {
        target: Box<Expr>,
        name: String,
    },
    /// `target[index]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
}

impl Expr {
    /// Every function name called anywhere in the expression, in source order.
    pub fn function_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        let mut pending = vec![self];
        while let Some(expr) = pending.pop() {
            match expr {
                Expr::Call { name, args } => {
                    names.push(name.as_str());
                    pending.extend(args.iter().rev());
                }
                Expr::Property { target, .. } => pending.push(target),
                Expr::Index { target, index } => {
                    pending.push(index);
                    pending.push(target);
                }
                Expr::String(_) | Expr::Integer(_) | Expr::Bool(_) | Expr::Null => {}
            }
        }
        names
    }
}
