//! The template engine (minijinja) with the report's templates embedded. `.html` templates are
//! HTML-escaped automatically; `.md` templates go through a Markdown escaper. Either way every
//! value printed by a template is escaped unless the template code marks it safe, and only
//! kvscan's own markup (charts built in charts.rs, the embedded CSS and script) is.

use super::text::escape_markdown;
use minijinja::{AutoEscape, Environment, Error, Output, State, Value};

const MARKDOWN: &str = "markdown";

pub const HTML_TEMPLATE: &str = "access-review.html";
pub const MARKDOWN_TEMPLATE: &str = "access-review.md";

fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    // A missing field or `none` prints nothing rather than the word "none".
    if value.is_undefined() || value.is_none() {
        return Ok(());
    }
    if let AutoEscape::Custom(name) = state.auto_escape() {
        if name == MARKDOWN && !value.is_safe() {
            return out.write_str(&escape_markdown(&value.to_string())).map_err(Error::from);
        }
    }
    minijinja::escape_formatter(out, state, value)
}

pub fn environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_syntax(minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build()?);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".md") {
            AutoEscape::Custom(MARKDOWN.into())
        } else if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(format_value);
    env.add_template(HTML_TEMPLATE, include_str!("templates/access-review.html.j2"))?;
    env.add_template(MARKDOWN_TEMPLATE, include_str!("templates/access-review.md.j2"))?;
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped_for_its_format() {
        let env = environment().expect("templates compile");
        let hostile = "<script>alert(1)</script> | `x`";
        let html = env
            .render_named_str("t.html", "<p>{{ name }}</p>", minijinja::context! { name => hostile })
            .expect("renders");
        assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;&#x2f;script&gt; | `x`</p>");
        let md = env
            .render_named_str(
                "t.md",
                "| {{ name }} |{{ nothing }}",
                minijinja::context! { name => hostile, nothing => () },
            )
            .expect("renders");
        assert_eq!(md, "| &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` |");
    }
}
