//! Source positions for JSON documents: JSON pointer → line and column.
//!
//! Findings carry a symbolic location (a file and a JSON pointer); the pointer is resolved to a line
//! only for the findings that are reported, in one pass over the file. The scanner accepts ARM's
//! relaxed JSON too (comments), so the same locator serves inventories and templates.

use std::collections::HashMap;

/// A 1-based line and column (columns count Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };

    /// The position of byte `offset` in `text`.
    pub fn at_offset(text: &str, offset: usize) -> Position {
        Sweep::default().advance(text.as_bytes(), offset)
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from tokens.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for token in tokens {
        out.push('/');
        out.push_str(&escape_token(token.as_ref()));
    }
    out
}

fn split_pointer(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer.trim_start_matches('/').split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

#[derive(Default)]
struct Trie {
    wanted: Option<String>,
    children: HashMap<String, Trie>,
}

/// Finds the start of the values at `pointers` in `text`, in one pass.
///
/// Pointers that do not exist in the document are absent from the result. A malformed document
/// yields the positions found before the error: locating never fails, it only finds less.
pub fn locate(text: &str, pointers: &[String]) -> HashMap<String, Position> {
    positions_of(text, locate_offsets(text, pointers))
}

/// Like [`locate`], with byte offsets instead of positions.
pub fn locate_offsets(text: &str, pointers: &[String]) -> HashMap<String, usize> {
    let mut trie = Trie::default();
    let distinct = pointers.iter().collect::<std::collections::HashSet<_>>().len();
    for p in pointers {
        let mut node = &mut trie;
        for token in split_pointer(p) {
            node = node.children.entry(token).or_default();
        }
        node.wanted = Some(p.clone());
    }
    let mut scanner = Scanner { bytes: text.as_bytes(), pos: 0, remaining: distinct };
    let mut offsets = HashMap::new();
    scanner.skip_ws();
    let _ = scanner.value(Some(&trie), &mut offsets);
    offsets
}

/// Positions of byte offsets, in the order given, in one sweep over `text`.
pub fn positions_at(text: &str, offsets: &[usize]) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![Position::START; offsets.len()];
    let mut sweep = Sweep::default();
    for i in order {
        out[i] = sweep.advance(text.as_bytes(), offsets[i]);
    }
    out
}

/// The position of `inner` (relative to a fragment of a larger text) once the fragment's own
/// start is at `base`.
pub fn offset_position(base: Position, inner: Position) -> Position {
    if inner.line == 1 {
        Position { line: base.line, column: base.column + inner.column - 1 }
    } else {
        Position { line: base.line + inner.line - 1, column: inner.column }
    }
}

/// Converts byte offsets to positions in one forward sweep (offsets sorted first), so locating
/// many findings in a large file stays linear.
fn positions_of(text: &str, offsets: HashMap<String, usize>) -> HashMap<String, Position> {
    let mut sorted: Vec<(usize, String)> = offsets.into_iter().map(|(p, o)| (o, p)).collect();
    sorted.sort();
    let mut sweep = Sweep::default();
    sorted.into_iter().map(|(offset, pointer)| (pointer, sweep.advance(text.as_bytes(), offset))).collect()
}

/// A forward cursor that turns increasing byte offsets into positions. Line breaks are found
/// with memchr and only the bytes after the last one are counted as characters: inventories of
/// a hundred megabytes are swept at memory speed rather than byte by byte.
struct Sweep {
    cursor: usize,
    line: u32,
    column: u32,
}

impl Default for Sweep {
    fn default() -> Sweep {
        Sweep { cursor: 0, line: 1, column: 1 }
    }
}

impl Sweep {
    fn advance(&mut self, bytes: &[u8], offset: usize) -> Position {
        let offset = offset.clamp(self.cursor, bytes.len());
        let segment = &bytes[self.cursor..offset];
        match memchr::memrchr(b'\n', segment) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', segment).count() as u32;
                self.column = 1 + characters(&segment[last + 1..]);
            }
            None => self.column += characters(segment),
        }
        self.cursor = offset;
        Position { line: self.line, column: self.column }
    }
}

/// Unicode scalar values in a UTF-8 fragment: every byte that is not a continuation byte.
fn characters(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Pointers not found yet: once none is left, the rest of the document need not be read.
    remaining: usize,
}

/// Parse failures only stop the scan; the caller keeps whatever was found.
struct Stop;

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    while let Some(b) = self.peek() {
                        self.pos += 1;
                        if b == b'\n' {
                            break;
                        }
                    }
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    self.pos += 2;
                    while self.pos < self.bytes.len() {
                        if self.bytes[self.pos] == b'*' && self.bytes.get(self.pos + 1) == Some(&b'/') {
                            self.pos += 2;
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn value(&mut self, node: Option<&Trie>, found: &mut HashMap<String, usize>) -> Result<(), Stop> {
        if let Some(wanted) = node.and_then(|n| n.wanted.as_ref()) {
            if found.insert(wanted.clone(), self.pos).is_none() {
                self.remaining = self.remaining.saturating_sub(1);
                if self.remaining == 0 {
                    return Err(Stop);
                }
            }
        }
        // Below a pointer nobody asked about, nothing needs recording: skip fast.
        let Some(node) = node.filter(|n| !n.children.is_empty()) else {
            return self.skip_value();
        };
        let node = Some(node);
        match self.peek().ok_or(Stop)? {
            b'{' => self.object(node, found),
            b'[' => self.array(node, found),
            b'"' => self.string().map(|_| ()),
            _ => {
                self.skip_scalar();
                Ok(())
            }
        }
    }

    fn object(&mut self, node: Option<&Trie>, found: &mut HashMap<String, usize>) -> Result<(), Stop> {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.peek().ok_or(Stop)? {
                b'}' => {
                    self.pos += 1;
                    return Ok(());
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                b'"' => {}
                _ => return Err(Stop),
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(Stop);
            }
            self.pos += 1;
            self.skip_ws();
            let child = node.and_then(|n| n.children.get(key.as_ref()));
            self.value(child, found)?;
        }
    }

    fn array(&mut self, node: Option<&Trie>, found: &mut HashMap<String, usize>) -> Result<(), Stop> {
        self.pos += 1;
        let mut index = 0usize;
        loop {
            self.skip_ws();
            match self.peek().ok_or(Stop)? {
                b']' => {
                    self.pos += 1;
                    return Ok(());
                }
                b',' => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let child = node.and_then(|n| n.children.get(index.to_string().as_str()));
            self.value(child, found)?;
            index += 1;
        }
    }

    /// Skips one value without reading keys: only strings and nesting matter.
    fn skip_value(&mut self) -> Result<(), Stop> {
        match self.peek().ok_or(Stop)? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *self.bytes.get(self.pos).ok_or(Stop)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'/' => {
                            let before = self.pos;
                            self.skip_ws();
                            if self.pos != before {
                                continue;
                            }
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                self.skip_scalar();
                Ok(())
            }
        }
    }

    fn skip_scalar(&mut self) {
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                break;
            }
            self.pos += 1;
        }
    }

    fn skip_string(&mut self) -> Result<(), Stop> {
        self.pos += 1;
        loop {
            self.advance_to_quote_or_escape()?;
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                _ => {
                    self.pos += 1;
                    return Ok(());
                }
            }
        }
    }

    /// Moves to the next `"` or `\\` inside a string. Strings are most of a record's bytes (ids,
    /// URIs), so this is where a scan spends its time; memchr looks at many bytes at once.
    fn advance_to_quote_or_escape(&mut self) -> Result<(), Stop> {
        let rest = self.bytes.get(self.pos..).ok_or(Stop)?;
        let at = memchr::memchr2(b'"', b'\\', rest).ok_or(Stop)?;
        self.pos += at;
        Ok(())
    }

    /// Reads a string token; returns its unescaped text only when it is needed as a key.
    fn string(&mut self) -> Result<std::borrow::Cow<'a, str>, Stop> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.advance_to_quote_or_escape()?;
            if self.bytes[self.pos] == b'\\' {
                escaped = true;
                self.pos += 2;
                continue;
            }
            let raw = &self.bytes[start..self.pos];
            self.pos += 1;
            let raw = std::str::from_utf8(raw).map_err(|_| Stop)?;
            if !escaped {
                return Ok(std::borrow::Cow::Borrowed(raw));
            }
            let quoted = format!("\"{raw}\"");
            return serde_json::from_str::<String>(&quoted).map(std::borrow::Cow::Owned).map_err(|_| Stop);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_at_counts_lines_and_characters_in_any_order() {
        let text = "{\"é\": 1,\r\n  \"ünï\": [\n\n    \"x\"],\n\"z\": 2}";
        let offsets: Vec<usize> = vec![text.len(), 0, 5, 14, 3, 25, 14, text.len() + 10];
        // Columns count characters (the é before offset 5 is one), a CR is a character of its
        // line, offset 3 lies inside the é, and offsets past the end stop at the end.
        let expected: Vec<Position> = [(5, 8), (1, 1), (1, 5), (2, 4), (1, 4), (4, 1), (2, 4), (5, 8)]
            .into_iter()
            .map(|(line, column)| Position { line, column })
            .collect();
        assert_eq!(positions_at(text, &offsets), expected);
        let one_by_one: Vec<Position> = offsets.iter().map(|&o| Position::at_offset(text, o)).collect();
        assert_eq!(one_by_one, expected);
    }

    #[test]
    fn locating_stops_early_but_finds_every_pointer() {
        let text = r#"{"a": {"b": 1}, "c": [1, {"d": 2}], "e": 3}"#;
        let found = locate_offsets(text, &["/a/b".into(), "/c/1/d".into(), "/a/b".into()]);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found["/c/1/d"]..found["/c/1/d"] + 1], "2");
    }

    #[test]
    fn finds_nested_values_and_array_items() {
        let text = "{\n  \"a\": {\"b\": [10,\n  {\"c\": true}]},\n  \"d\": 1\n}";
        let found = locate(text, &["/a/b/1/c".into(), "/d".into(), "/a/b/1".into(), "/missing".into(), "".into()]);
        assert_eq!(found["/a/b/1/c"], Position { line: 3, column: 9 });
        assert_eq!(found["/a/b/1"], Position { line: 3, column: 3 });
        assert_eq!(found["/d"], Position { line: 4, column: 8 });
        assert_eq!(found[""], Position::START);
        assert!(!found.contains_key("/missing"));
    }

    #[test]
    fn handles_escapes_comments_and_crlf() {
        let text = "{\r\n // note\r\n \"a/b\": 1, /* x */ \"q\\\"k\": {\"z\": 2}\r\n}";
        let found = locate(text, &[pointer(["a/b"]), pointer(["q\"k", "z"])]);
        assert_eq!(found["/a~1b"].line, 3);
        assert_eq!(found["/q\"k/z"].line, 3);
    }

    #[test]
    fn malformed_input_keeps_what_was_found() {
        let found = locate("{\"a\": 1, \"b\": [", &["/a".into(), "/b/0".into()]);
        assert!(found.contains_key("/a"));
        assert!(!found.contains_key("/b/0"));
    }

    #[test]
    fn position_counts_characters_not_bytes() {
        let text = "{\"é\": \"x\", \"k\": 1}";
        let found = locate(text, &["/k".into()]);
        assert_eq!(found["/k"].column, 17);
    }
}
