//! Small text helpers shared by the renderers: dates, and escaping for the places a value from
//! Azure ends up. Display names, tags and object names are attacker-controllable (anyone who can
//! create an app registration picks its name), so every one of them goes through one of these.

/// RFC 3339 in UTC, whole seconds: `2026-11-15T00:00:00Z`.
pub fn rfc3339(seconds: i64) -> String {
    match chrono::DateTime::from_timestamp(seconds, 0) {
        Some(time) => time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => seconds.to_string(),
    }
}

/// The `YYYY-MM-DD` part of an ISO-8601 timestamp; anything else unchanged.
pub fn date_part(timestamp: &str) -> &str {
    match timestamp.get(..10) {
        Some(date) if date.as_bytes().get(4) == Some(&b'-') && date.as_bytes().get(7) == Some(&b'-') => date,
        _ => timestamp,
    }
}

/// Text for XML and HTML (element content and quoted attributes).
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown table cell or list item: no HTML, no table breaks, no code spans, links or
/// emphasis, on one line. `<`, `>` and `&` become entities (so no renderer passes raw HTML
/// through); `| ` ` [ ] * \` are backslash-escaped.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '`' | '[' | ']' | '*' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A CSV cell that a spreadsheet will not run as a formula: cells starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return get a leading `'` (OWASP's CSV injection advice).
pub fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(1_794_700_800), "2026-11-15T00:00:00Z");
        assert_eq!(date_part("2026-01-19T01:40:17.1361217Z"), "2026-01-19");
        assert_eq!(date_part("yesterday"), "yesterday");
    }

    #[test]
    fn hostile_names_are_inert_everywhere() {
        let name = "<img src=x onerror=\"alert(1)\">|`x`[a](http://e)*b*\\\n&amp;";
        assert_eq!(escape_xml(name), "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;|`x`[a](http://e)*b*\\ &amp;amp;");
        assert_eq!(
            escape_markdown(name),
            "&lt;img src=x onerror=\"alert(1)\"&gt;\\|\\`x\\`\\[a\\](http://e)\\*b\\*\\\\ &amp;amp;"
        );
        assert_eq!(csv_cell("=HYPERLINK(\"http://e\")"), "'=HYPERLINK(\"http://e\")");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("kv-app"), "kv-app");
    }
}
