//! `format()`: .NET composite formatting (`{index[,alignment][:formatString]}`, `{{`, `}}`).
//!
//! Numeric format strings cover what templates use: none, `D`/`d`n, `X`/`x`n, `N`/`n`n, `F`/`f`n,
//! `G`/`g` and custom patterns of `0` and `#` (zero padding). Others are reported as unsupported so
//! the caller can return an unknown rather than a wrong string.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The template is wrong; .NET would throw.
    Invalid(String),
    /// Valid .NET, but kvscan does not render it.
    Unsupported(String),
}

/// Largest alignment or precision rendered: anything bigger is a typo or an attack.
const MAX_WIDTH: usize = 10_000;

pub fn composite(template: &str, args: &[Value]) -> Result<String, FormatError> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::with_capacity(template.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => return Err(invalid("a '}' without a matching '{' (write '}}' for a literal brace)")),
            '{' => {
                let (item, next) = format_item(&chars, i + 1)?;
                let value = args.get(item.index).ok_or_else(|| {
                    invalid(&format!("index {} is beyond the {} argument(s) given", item.index, args.len()))
                })?;
                let text = render(value, &item.format)?;
                pad(&mut out, &text, item.alignment);
                i = next;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

struct Item {
    index: usize,
    alignment: i64,
    format: String,
}

/// Parses a format item after its `{`; returns it and the position after its `}`.
fn format_item(chars: &[char], start: usize) -> Result<(Item, usize), FormatError> {
    let mut i = start;
    let digits_start = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    let digits: String = chars[digits_start..i].iter().collect();
    let index = digits.parse::<usize>().map_err(|_| invalid("a format item must start with an argument index"))?;
    skip_spaces(chars, &mut i);
    let mut alignment = 0i64;
    if chars.get(i) == Some(&',') {
        i += 1;
        skip_spaces(chars, &mut i);
        let sign_start = i;
        if chars.get(i) == Some(&'-') {
            i += 1;
        }
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        let text: String = chars[sign_start..i].iter().collect();
        alignment = text.parse::<i64>().map_err(|_| invalid("the alignment after ',' must be an integer"))?;
        if alignment.unsigned_abs() > MAX_WIDTH as u64 {
            return Err(FormatError::Unsupported(format!("alignment {alignment}")));
        }
        skip_spaces(chars, &mut i);
    }
    let mut format = String::new();
    if chars.get(i) == Some(&':') {
        i += 1;
        loop {
            match chars.get(i) {
                None => return Err(invalid("a format item is not closed with '}'")),
                Some('}') if chars.get(i + 1) == Some(&'}') => {
                    format.push('}');
                    i += 2;
                }
                Some('}') => break,
                Some('{') => return Err(invalid("'{' inside a format string")),
                Some(&c) => {
                    format.push(c);
                    i += 1;
                }
            }
        }
    }
    if chars.get(i) != Some(&'}') {
        return Err(invalid("a format item is not closed with '}'"));
    }
    Ok((Item { index, alignment, format }, i + 1))
}

fn skip_spaces(chars: &[char], i: &mut usize) {
    while chars.get(*i) == Some(&' ') {
        *i += 1;
    }
}

fn pad(out: &mut String, text: &str, alignment: i64) {
    let width = alignment.unsigned_abs() as usize;
    let missing = width.saturating_sub(text.chars().count());
    if alignment > 0 {
        out.extend(std::iter::repeat_n(' ', missing));
        out.push_str(text);
    } else {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', missing));
    }
}

/// How one argument prints, the way ARM passes JSON values to .NET formatting.
fn render(value: &Value, format: &str) -> Result<String, FormatError> {
    match value {
        Value::Null => Ok(String::new()),
        Value::Bool(true) => Ok("True".into()),
        Value::Bool(false) => Ok("False".into()),
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => integer_text(integer, format),
            None if format.is_empty() => Ok(number.to_string()),
            None => Err(FormatError::Unsupported(format!("format '{format}' for a non-integer number"))),
        },
        // ARM prints arrays and objects as compact JSON with single quotes.
        Value::Array(_) | Value::Object(_) => Ok(value.to_string().replace('"', "'")),
    }
}

/// Formats an integer with a .NET standard or simple custom numeric format string.
pub fn integer_text(value: i64, format: &str) -> Result<String, FormatError> {
    let mut chars = format.chars();
    let Some(specifier) = chars.next() else {
        return Ok(value.to_string());
    };
    let precision_text: String = chars.collect();
    let unsupported = || FormatError::Unsupported(format!("format string '{format}'"));
    if format.chars().all(|c| c == '0' || c == '#') {
        let zeros = format.chars().filter(|&c| c == '0').count();
        return Ok(signed_padded(value, zeros));
    }
    let precision = if precision_text.is_empty() {
        None
    } else if precision_text.chars().all(|c| c.is_ascii_digit()) {
        let precision = precision_text.parse::<usize>().map_err(|_| unsupported())?;
        if precision > MAX_WIDTH {
            return Err(unsupported());
        }
        Some(precision)
    } else {
        return Err(unsupported());
    };
    match specifier {
        'D' | 'd' => Ok(signed_padded(value, precision.unwrap_or(0))),
        'G' | 'g' => Ok(value.to_string()),
        'X' | 'x' => {
            // .NET prints a negative long as its 64-bit two's complement.
            let hex = if specifier == 'X' { format!("{:X}", value as u64) } else { format!("{:x}", value as u64) };
            Ok(format!("{hex:0>width$}", width = precision.unwrap_or(0)))
        }
        'N' | 'n' => Ok(decimal(value, precision.unwrap_or(2), true)),
        'F' | 'f' => Ok(decimal(value, precision.unwrap_or(2), false)),
        _ => Err(unsupported()),
    }
}

fn signed_padded(value: i64, digits: usize) -> String {
    let magnitude = format!("{:0>digits$}", value.unsigned_abs());
    if value < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

fn decimal(value: i64, decimals: usize, grouped: bool) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut integral = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if grouped && position > 0 && (digits.len() - position) % 3 == 0 {
            integral.push(',');
        }
        integral.push(digit);
    }
    let sign = if value < 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{integral}")
    } else {
        format!("{sign}{integral}.{}", "0".repeat(decimals))
    }
}

fn invalid(message: &str) -> FormatError {
    FormatError::Invalid(message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_like_dotnet() {
        let cases: &[(&str, &[Value], &str)] = &[
            ("{0}-{1}", &[json!("a"), json!(2)], "a-2"),
            ("{1}{0}{1}", &[json!("x"), json!("y")], "yxy"),
            ("{{literal}} {0}", &[json!(1)], "{literal} 1"),
            ("{0:D3}", &[json!(7)], "007"),
            ("{0:D3}", &[json!(-7)], "-007"),
            ("{0:d}", &[json!(42)], "42"),
            ("{0:X}", &[json!(255)], "FF"),
            ("{0:x4}", &[json!(255)], "00ff"),
            ("{0:X}", &[json!(-1)], "FFFFFFFFFFFFFFFF"),
            ("{0:N}", &[json!(1234567)], "1,234,567.00"),
            ("{0:N0}", &[json!(-1234)], "-1,234"),
            ("{0:F1}", &[json!(3)], "3.0"),
            ("{0:000}", &[json!(5)], "005"),
            ("{0,5}|{1,-4}|", &[json!("ab"), json!(1)], "   ab|1   |"),
            ("{0, 3 :D2}", &[json!(4)], " 04"),
            ("{0}", &[json!(true)], "True"),
            ("{0}", &[json!(null)], ""),
            ("{0}", &[json!({"a": "b"})], "{'a':'b'}"),
            ("{0}", &[json!([1, "x"])], "[1,'x']"),
            ("{0:D4}", &[json!("text ignores formats")], "text ignores formats"),
            ("é{0}😀", &[json!("ü")], "éü😀"),
        ];
        for (template, args, expected) in cases {
            assert_eq!(composite(template, args).as_deref(), Ok(*expected), "{template}");
        }
    }

    #[test]
    fn rejects_what_dotnet_rejects() {
        let invalid =
            |template: &str, args: &[Value]| matches!(composite(template, args), Err(FormatError::Invalid(_)));
        assert!(invalid("{1}", &[json!(1)]));
        assert!(invalid("{", &[]));
        assert!(invalid("}", &[]));
        assert!(invalid("{a}", &[json!(1)]));
        assert!(invalid("{0", &[json!(1)]));
        assert!(invalid("{0:D", &[json!(1)]));
        assert!(invalid("{0,x}", &[json!(1)]));
        assert!(invalid("{99999999999999999999999}", &[json!(1)]));
        assert_eq!(composite("{0:E2}", &[json!(1)]), Err(FormatError::Unsupported("format string 'E2'".into())));
        assert!(matches!(composite("{0,99999999}", &[json!(1)]), Err(FormatError::Unsupported(_))));
        assert!(matches!(composite("{0:D99999999}", &[json!(1)]), Err(FormatError::Unsupported(_))));
    }
}
