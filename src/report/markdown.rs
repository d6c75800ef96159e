//! The Markdown report: the same sections as the HTML page, as headings and tables, with every
//! value from the inventory escaped for Markdown (see `text::escape_markdown`).

use super::model::AccessReview;
use super::templates::{self, MARKDOWN_TEMPLATE};
use super::view;
use minijinja::Value;

/// Renders one embedded template; the output ends with exactly one newline.
pub fn render_template(name: &str, context: Value) -> Result<String, minijinja::Error> {
    let env = templates::environment()?;
    let mut text = env.get_template(name)?.render(context)?;
    while text.ends_with("\n\n") {
        text.pop();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

pub fn render(review: &AccessReview) -> Result<String, minijinja::Error> {
    render_template(MARKDOWN_TEMPLATE, Value::from(minijinja::value::Serde(&view::view(review))))
}
