//! String functions. Lengths and positions count UTF-16 code units, as .NET strings do, so
//! `length()` and `substring()` agree with Azure on any text.

use super::{known, scalar_text, Args, Outcome};
use crate::source::arm::eval::format::{self, FormatError};
use crate::source::arm::eval::{hashing, EvalValue};
use serde_json::Value;

/// ARM's limit on a string built by an expression (UTF-16 units); guards `replace` from
/// multiplying a string past all reason.
const MAX_STRING_LENGTH: usize = 131_072;

/// `concat`: arrays join into one array; otherwise strings, numbers and booleans join into a
/// string (nulls are skipped).
pub fn concat(args: &Args) -> Outcome {
    args.count(1, None)?;
    let values = args.values();
    if values.iter().all(Value::is_array) {
        return known(values.iter().flat_map(|v| v.as_array().into_iter().flatten().cloned()).collect::<Vec<_>>());
    }
    let mut text = String::new();
    for (index, value) in values.iter().enumerate() {
        if value.is_null() {
            continue;
        }
        match scalar_text(value) {
            Some(part) => text.push_str(&part),
            None => {
                return Err(args.error(format!(
                    "argument {} is {}; concat takes strings (or only arrays)",
                    index + 1,
                    crate::source::arm::eval::access::type_name(value)
                )))
            }
        }
    }
    known(text)
}

pub fn format(args: &Args) -> Outcome {
    args.count(1, None)?;
    let template = args.string(0)?;
    match format::composite(template, &args.values()[1..]) {
        Ok(text) => known(text),
        Err(FormatError::Invalid(message)) => Err(args.error(message)),
        Err(FormatError::Unsupported(what)) => {
            Ok(EvalValue::unknown(format!("format(): {what} is not supported by kvscan")))
        }
    }
}

/// `string(value)`: objects and arrays as compact JSON, booleans as `True`/`False`.
pub fn string(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Null => known(""),
        value @ (Value::Array(_) | Value::Object(_)) => known(value.to_string()),
        value => known(scalar_text(value).unwrap_or_default()),
    }
}

pub fn to_lower(args: &Args) -> Outcome {
    map_text(args, str::to_lowercase)
}

pub fn to_upper(args: &Args) -> Outcome {
    map_text(args, str::to_uppercase)
}

pub fn trim(args: &Args) -> Outcome {
    map_text(args, |text| text.trim().to_string())
}

/// One string (or null, read as empty) in, one string out.
fn map_text(args: &Args, map: fn(&str) -> String) -> Outcome {
    args.count(1, Some(1))?;
    match args.get(0) {
        Value::Null => known(""),
        _ => known(map(args.string(0)?)),
    }
}

/// `split(text, delimiter)` or `split(text, [delimiters])`, keeping empty pieces (.NET
/// `StringSplitOptions.None`).
pub fn split(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    let text = args.string(0)?;
    let delimiters: Vec<&str> = match args.get(1) {
        Value::String(delimiter) => vec![delimiter.as_str()],
        Value::Array(items) => {
            let mut delimiters = Vec::with_capacity(items.len());
            for item in items {
                delimiters.push(item.as_str().ok_or_else(|| args.error("the delimiters must be strings"))?);
            }
            delimiters
        }
        _ => return Err(args.error("argument 2 must be a string or an array of strings")),
    };
    let delimiters: Vec<&str> = delimiters.into_iter().filter(|d| !d.is_empty()).collect();
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut position = 0;
    while position < text.len() {
        let rest = &text[position..];
        if let Some(delimiter) = delimiters.iter().find(|d| rest.starts_with(**d)) {
            pieces.push(Value::String(text[piece_start..position].to_string()));
            position += delimiter.len();
            piece_start = position;
        } else {
            position += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    pieces.push(Value::String(text[piece_start..].to_string()));
    known(pieces)
}

pub fn join(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    let items = args.array(0)?;
    let delimiter = args.string(1)?;
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        parts.push(
            scalar_text(item).ok_or_else(|| args.error("the array may only hold strings, numbers and booleans"))?,
        );
    }
    known(parts.join(delimiter))
}

/// `replace(text, old, new)`: every occurrence, case-sensitive.
pub fn replace(args: &Args) -> Outcome {
    args.count(3, Some(3))?;
    let (text, old, new) = (args.string(0)?, args.string(1)?, args.string(2)?);
    if old.is_empty() {
        return Err(args.error("the string to replace cannot be empty"));
    }
    let occurrences = text.matches(old).count();
    let length = utf16_len(text) + occurrences.saturating_mul(utf16_len(new));
    if length > MAX_STRING_LENGTH {
        return Err(args.error(format!("the result would exceed {MAX_STRING_LENGTH} characters")));
    }
    known(text.replace(old, new))
}

/// Case-insensitive, as ARM documents.
pub fn starts_with(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    known(fold(args.string(0)?).starts_with(&fold(args.string(1)?)))
}

/// Case-insensitive, as ARM documents.
pub fn ends_with(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    known(fold(args.string(0)?).ends_with(&fold(args.string(1)?)))
}

/// `substring(text, start, length?)`, in UTF-16 units; out-of-range bounds are errors.
pub fn substring(args: &Args) -> Outcome {
    args.count(2, Some(3))?;
    let units: Vec<u16> = args.string(0)?.encode_utf16().collect();
    let start = args.integer(1)?;
    let start = usize::try_from(start).map_err(|_| args.error(format!("the start index {start} is negative")))?;
    if start > units.len() {
        return Err(args.error(format!("the start index {start} is beyond the string length {}", units.len())));
    }
    let end = if args.len() == 3 {
        let length = args.integer(2)?;
        let length = usize::try_from(length).map_err(|_| args.error(format!("the length {length} is negative")))?;
        start.checked_add(length).filter(|&end| end <= units.len()).ok_or_else(|| {
            args.error(format!("start {start} and length {length} reach beyond the string length {}", units.len()))
        })?
    } else {
        units.len()
    };
    known(String::from_utf16_lossy(&units[start..end]))
}

/// `indexOf(text, value)` (case-insensitive) or `indexOf(array, item)`; -1 when absent.
pub fn index_of(args: &Args) -> Outcome {
    position(args, false)
}

pub fn last_index_of(args: &Args) -> Outcome {
    position(args, true)
}

fn position(args: &Args, last: bool) -> Outcome {
    args.count(2, Some(2))?;
    match args.get(0) {
        Value::Null => known(-1),
        Value::Array(items) => {
            let wanted = args.get(1);
            let found =
                if last { items.iter().rposition(|i| i == wanted) } else { items.iter().position(|i| i == wanted) };
            known(found.map_or(-1, |p| p as i64))
        }
        Value::String(text) => {
            let (haystack, needle) = (fold(text), fold(args.string(1)?));
            let found = if last { haystack.rfind(&needle) } else { haystack.find(&needle) };
            // `fold` keeps one character per character: count characters, then measure them in
            // the original text.
            known(found.map_or(-1, |byte| {
                let before = haystack.get(..byte).map_or(0, |prefix| prefix.chars().count());
                text.chars().take(before).map(char::len_utf16).sum::<usize>() as i64
            }))
        }
        _ => Err(args.error("argument 1 must be a string or an array")),
    }
}

/// `padLeft(value, totalLength, padCharacter?)`.
pub fn pad_left(args: &Args) -> Outcome {
    args.count(2, Some(3))?;
    let text = match args.get(0) {
        Value::String(text) => text.clone(),
        Value::Number(number) if number.is_i64() => number.to_string(),
        _ => return Err(args.error("argument 1 must be a string or an integer")),
    };
    let total = args.integer(1)?;
    let total = usize::try_from(total)
        .ok()
        .filter(|&t| t <= MAX_STRING_LENGTH)
        .ok_or_else(|| args.error(format!("the total length {total} is out of range")))?;
    let padding = if args.len() == 3 {
        let mut chars = args.string(2)?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => c,
            _ => return Err(args.error("the padding must be a single character")),
        }
    } else {
        ' '
    };
    let missing = total.saturating_sub(utf16_len(&text));
    known(std::iter::repeat_n(padding, missing).chain(text.chars()).collect::<String>())
}

/// `uri(baseUri, relativeUri)`: RFC 3986 reference resolution, as .NET `Uri(Uri, string)`.
pub fn uri(args: &Args) -> Outcome {
    args.count(2, Some(2))?;
    let (base, relative) = (args.string(0)?, args.string(1)?);
    match resolve_uri(base, relative) {
        Some(resolved) => known(resolved),
        None => Err(args.error(format!("'{base}' is not an absolute URI"))),
    }
}

/// `uriComponent`: percent-encodes everything but RFC 3986 unreserved characters, as .NET
/// `Uri.EscapeDataString`.
pub fn uri_component(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let mut encoded = String::new();
    for byte in args.string(0)?.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    known(encoded)
}

pub fn uri_component_to_string(args: &Args) -> Outcome {
    args.count(1, Some(1))?;
    let text = args.string(0)?.as_bytes();
    let mut bytes = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let decoded = match (text[i], text.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => std::str::from_utf8(hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok()),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                bytes.push(byte);
                i += 3;
            }
            None => {
                bytes.push(text[i]);
                i += 1;
            }
        }
    }
    known(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn unique_string(args: &Args) -> Outcome {
    known(hashing::unique_string(&string_parts(args)?))
}

pub fn guid(args: &Args) -> Outcome {
    known(hashing::guid(&string_parts(args)?))
}

/// The arguments of `uniqueString` and `guid`: one or more strings.
fn string_parts<'a>(args: &'a Args) -> Result<Vec<&'a str>, crate::source::arm::eval::EvalError> {
    args.count(1, None)?;
    (0..args.len()).map(|index| args.string(index)).collect()
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Case folding for comparisons that must keep one character per character (so positions map
/// back): each character becomes the first character of its lower case.
fn fold(text: &str) -> String {
    text.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// Resolves `relative` against the absolute URI `base` (RFC 3986 section 5.2).
fn resolve_uri(base: &str, relative: &str) -> Option<String> {
    let (scheme, rest) = base.split_once(':')?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return None;
    }
    if let Some((other_scheme, _)) = relative.split_once(':') {
        if !other_scheme.is_empty()
            && !other_scheme.contains('/')
            && other_scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Some(relative.to_string());
        }
    }
    let rest = rest.strip_prefix("//")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path_and_more) = rest.split_at(authority_end);
    let base_path = path_and_more.split(['?', '#']).next().unwrap_or("");
    let prefix = format!("{scheme}://{authority}");
    if let Some(network) = relative.strip_prefix("//") {
        return Some(format!("{scheme}://{network}"));
    }
    if relative.is_empty() {
        return Some(format!("{prefix}{}", path_and_more.split('#').next().unwrap_or("")));
    }
    let (relative_path, suffix) = match relative.find(['?', '#']) {
        Some(split) => relative.split_at(split),
        None => (relative, ""),
    };
    let merged = if relative_path.starts_with('/') {
        relative_path.to_string()
    } else if relative_path.is_empty() {
        base_path.to_string()
    } else {
        let directory = base_path.rfind('/').map_or("/", |slash| &base_path[..=slash]);
        format!("{directory}{relative_path}")
    };
    Some(format!("{prefix}{}{suffix}", remove_dot_segments(&merged)))
}

fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (index, segment) in segments.iter().enumerate() {
        let is_last = index + 1 == segments.len();
        match *segment {
            "." => {
                if is_last {
                    output.push("");
                }
            }
            ".." => {
                if output.len() > 1 {
                    output.pop();
                }
                if is_last {
                    output.push("");
                }
            }
            segment => output.push(segment),
        }
    }
    let joined = output.join("/");
    if path.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}
