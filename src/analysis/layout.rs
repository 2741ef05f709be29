//! Where the front matter and the body of an article are, found by content (not by extension).

use std::ops::Range;

/// The parts of an article file, as byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The front matter, when the text opens with `---` (after an optional BOM).
    pub front_matter: Option<FrontMatter>,
    /// Everything after the front matter (the whole text after the BOM when there is none).
    pub body: Range<usize>,
}

/// The `---` delimited YAML block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// The opening `---` (without its line break).
    pub opener: Range<usize>,
    /// The YAML text between the delimiters.
    pub yaml: Range<usize>,
    /// The closing `---` or `...`; `None` when the block is never closed.
    pub closer: Option<Range<usize>>,
}

const BOM: &str = "\u{feff}";

/// Splits `text` into front matter and body.
pub fn split(text: &str) -> Layout {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let Some(opener) = delimiter_at(text, start, "---") else {
        return Layout { front_matter: None, body: start..text.len() };
    };
    let yaml_start = next_line(text, opener.end);
    if let Some(closer) = first_closer(text, yaml_start) {
        let body_start = next_line(text, closer.end);
        let front_matter = FrontMatter { opener, yaml: yaml_start..closer.start, closer: Some(closer) };
        return Layout { front_matter: Some(front_matter), body: body_start..text.len() };
    }
    // Unterminated: keep the YAML-looking lines as front matter so the rest is not
    // reported as a cascade of YAML errors.
    let yaml_end = yaml_like_prefix_end(text, yaml_start);
    let front_matter = FrontMatter { opener, yaml: yaml_start..yaml_end, closer: None };
    Layout { front_matter: Some(front_matter), body: yaml_end..text.len() }
}

/// The first closing delimiter (`---` or `...` alone on its line) on a line at or after
/// `from`, itself a line start. Only where a mark occurs is a line judged: a search per line
/// cost every file of a workspace more than the rest of finding its front matter.
fn first_closer(text: &str, from: usize) -> Option<Range<usize>> {
    let dashes = first_delimiter(text, from..text.len(), "---");
    // Dots count only before the dashes.
    let dots = first_delimiter(text, from..dashes.as_ref().map_or(text.len(), |d| d.start), "...");
    dots.or(dashes)
}

/// The first `mark` in `within` that starts a line and is alone on it (trailing blanks
/// allowed); `within` starts at a line start.
fn first_delimiter(text: &str, within: Range<usize>, mark: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let starts_line = |at: usize| at == within.start || matches!(bytes[at - 1], b'\n' | b'\r');
    memchr::memmem::find_iter(bytes.get(within.clone())?, mark)
        .map(|found| within.start + found)
        .find(|&at| starts_line(at) && delimiter_at(text, at, mark).is_some())
        .map(|at| at..at + mark.len())
}

/// The delimiter `mark` alone on the line starting at `at` (trailing blanks allowed).
fn delimiter_at(text: &str, at: usize, mark: &str) -> Option<Range<usize>> {
    let line = line_text(text, at);
    let rest = line.strip_prefix(mark)?;
    rest.trim_end_matches([' ', '\t']).is_empty().then_some(at..at + mark.len())
}

/// The content of the line starting at `at`, without its terminator.
pub fn line_text(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let end = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
    &rest[..end]
}

/// Offset of the line after the one containing `at`.
pub fn next_line(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    match memchr::memchr2(b'\n', b'\r', &bytes[at.min(bytes.len())..]) {
        None => text.len(),
        Some(pos) => {
            let at = at + pos;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 }
        }
    }
}

/// End of the run of lines starting at `from` that could belong to a block mapping.
fn yaml_like_prefix_end(text: &str, from: usize) -> usize {
    let mut line = from;
    while line < text.len() {
        if !is_yaml_like(line_text(text, line)) {
            break;
        }
        line = next_line(text, line);
    }
    line
}

fn is_yaml_like(line: &str) -> bool {
    let first = line.chars().next();
    match first {
        None | Some(' ' | '\t' | '#' | '-') => true,
        Some(_) => top_level_key(line).is_some(),
    }
}

/// The key of a top-level `key:` line (`key:` followed by a blank or the end of the line).
pub(crate) fn top_level_key(line: &str) -> Option<&str> {
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let key = line[..colon].trim_end();
    let plain = !key.is_empty() && !key.starts_with([' ', '\t', '-', '#', '[', '{']);
    plain.then_some(key)
}

/// Top-level entries of a YAML block: each starts at a column-0 line that is not a comment,
/// a sequence item or blank, and runs to the next such line. Used to recover from syntax
/// errors (one broken entry spoils only itself) and to locate the cursor while typing.
pub fn segments(text: &str, yaml: Range<usize>) -> Vec<Range<usize>> {
    let mut acc: Vec<Range<usize>> = Vec::new();
    let mut line = yaml.start;
    while line < yaml.end {
        let content = line_text(text, line);
        let starts_entry = content.chars().next().is_some_and(|c| !matches!(c, ' ' | '\t' | '#' | '-'))
            || (content.starts_with('-') && acc.is_empty());
        if starts_entry {
            if let Some(last) = acc.last_mut() {
                last.end = line;
            }
            acc.push(line..yaml.end);
        }
        line = next_line(text, line);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_recognised_by_content() {
        let text = "\u{feff}---\ntitle: a\n---\nbody\n";
        let layout = split(text);
        let fm = layout.front_matter.unwrap();
        assert_eq!(&text[fm.yaml], "title: a\n");
        assert_eq!(&text[layout.body], "body\n");
        assert!(split("title: a\n").front_matter.is_none());
        assert!(split("----\n").front_matter.is_none());
    }

    #[test]
    fn closes_with_dots_and_handles_crlf() {
        let text = "---\r\ntitle: a\r\n...\r\nbody";
        let layout = split(text);
        let fm = layout.front_matter.unwrap();
        assert_eq!(&text[fm.yaml], "title: a\r\n");
        assert_eq!(&text[fm.closer.unwrap()], "...");
        assert_eq!(&text[layout.body], "body");
    }

    /// The closer is the first line, as the line-by-line walk over `next_line` finds it, on
    /// every text of up to six characters of line breaks, delimiter characters and others.
    #[test]
    fn the_closer_is_the_first_delimiter_line_whatever_the_line_breaks() {
        let reference = |text: &str| {
            let mut line = next_line(text, 3);
            while line < text.len() {
                let closer = delimiter_at(text, line, "---").or_else(|| delimiter_at(text, line, "..."));
                if closer.is_some() {
                    return closer.map(|c| (line, c));
                }
                line = next_line(text, line);
            }
            None
        };
        let alphabet = ['-', '.', '\n', '\r', 'a', ' '];
        let mut texts = vec![String::from("---")];
        for _ in 0..6 {
            let longer: Vec<String> =
                texts.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            for text in &longer {
                let Some(fm) = split(text).front_matter else {
                    assert!(delimiter_at(text, 0, "---").is_none(), "{text:?}");
                    continue;
                };
                let found = fm.closer.map(|c| (fm.yaml.end, c));
                assert_eq!(found, reference(text), "{text:?}");
            }
            texts = longer;
        }
        assert_eq!(texts.len(), 6usize.pow(6));
    }

    #[test]
    fn unterminated_block_stops_at_prose() {
        let text = "---\ntitle: a\ntopics:\n  - AI\nThis is the body, not YAML.\n";
        let layout = split(text);
        let fm = layout.front_matter.unwrap();
        assert!(fm.closer.is_none());
        assert_eq!(&text[fm.yaml], "title: a\ntopics:\n  - AI\n");
    }

    #[test]
    fn segments_split_top_level_entries() {
        let text = "a: 1\n# note\nb:\n  - x\n- y\nc: {\n";
        let segs = segments(text, 0..text.len());
        let parts: Vec<&str> = segs.into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["a: 1\n# note\n", "b:\n  - x\n- y\n", "c: {\n"]);
    }
}
