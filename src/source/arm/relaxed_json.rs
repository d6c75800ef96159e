//! ARM reads JSON leniently (Newtonsoft): comments, single-quoted strings and raw line breaks
//! inside strings all deploy. This rewrites such text into strict JSON for `serde_json`, keeping
//! every line break outside strings so line numbers still match the original. A raw line break
//! inside a string must become `\n` (strict JSON has none), so a parse error below a multi-line
//! string reports a line that many lines too early; finding locations are resolved on the
//! original text and are not affected.

/// Rewrites relaxed JSON as strict JSON: comments become spaces, `'...'` strings become
/// `"..."`, control characters inside strings are escaped. Strict JSON comes out unchanged;
/// anything else unparseable stays unparseable.
pub fn to_strict(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push('"');
                copy_string(&mut chars, &mut out, c);
            }
            '/' if chars.peek() == Some(&'/') => {
                out.push(' ');
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                        break;
                    }
                    out.push(' ');
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push_str("  ");
                let mut previous = '\0';
                for next in chars.by_ref() {
                    out.push(if next == '\n' { '\n' } else { ' ' });
                    if previous == '*' && next == '/' {
                        break;
                    }
                    previous = next;
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Copies a string body up to its closing `quote`, writing a double-quoted JSON string body.
fn copy_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String, quote: char) {
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                // `\'` is only an escape in single-quoted strings; JSON has no such escape.
                Some('\'') => out.push('\''),
                Some(escaped) => {
                    out.push('\\');
                    out.push(escaped);
                }
                None => out.push('\\'),
            },
            c if c == quote => {
                out.push('"');
                return;
            }
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parse(text: &str) -> Value {
        serde_json::from_str(&to_strict(text)).unwrap()
    }

    #[test]
    fn strict_json_is_unchanged() {
        let text = r#"{"a": [1, "x\"y", "it's", "//not a comment"], "b": null}"#;
        assert_eq!(to_strict(text), text);
    }

    #[test]
    fn accepts_what_arm_accepts() {
        assert_eq!(parse("{'one': 'a', 'two': \"b\"}"), json!({"one": "a", "two": "b"}));
        assert_eq!(parse("{'q': 'say \"hi\" and \\'bye\\''}"), json!({"q": "say \"hi\" and 'bye'"}));
        assert_eq!(parse("{\n // line\n \"a\": 1, /* block\n more */ \"b\": 2\n}"), json!({"a": 1, "b": 2}));
        assert_eq!(parse("{\"script\": \"line1\n\tline2\"}"), json!({"script": "line1\n\tline2"}));
    }

    #[test]
    fn keeps_line_numbers() {
        let text = "{\n/* a\nb */\n\"k\": 1}";
        assert_eq!(to_strict(text).lines().count(), text.lines().count());
    }

    #[test]
    fn broken_input_does_not_panic() {
        for text in ["'", "\"abc", "/*", "//", "'\\", "{'a': '\u{1}'}", "/", "*/"] {
            let _ = to_strict(text);
        }
    }
}
