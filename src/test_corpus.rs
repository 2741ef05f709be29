//! Texts the differential tests of the YAML readers run over: every article of the
//! repository's examples and test fixtures, and random edits of them.

use std::path::PathBuf;
use std::sync::OnceLock;

/// The text of every `.md` file under `examples/` and `tests/fixtures/` (read once).
pub fn articles() -> &'static [String] {
    static ARTICLES: OnceLock<Vec<String>> = OnceLock::new();
    ARTICLES.get_or_init(read_articles)
}

fn read_articles() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("examples"), root.join("tests/fixtures")];
    let mut texts = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                texts.extend(std::fs::read_to_string(&path).ok());
            }
        }
    }
    texts
}

/// Where the prefix tests cut `text`: every line end, and inside lines often enough to meet
/// every kind of token (every third byte that is a character boundary).
pub fn prefix_cuts(text: &str) -> impl Iterator<Item = usize> + '_ {
    (0..=text.len()).filter(|&cut| text.is_char_boundary(cut) && (cut % 3 == 0 || text[..cut].ends_with('\n')))
}

/// Characters with a meaning in YAML, and a few without, for [`mutated`].
pub const SIGNIFICANT: [&str; 28] = [
    ":", "-", "#", "\"", "'", "{", "}", "[", "]", "&", "*", "!", "|", ">", "?", "%", "@", "`", ",", "\\", "\t", " ",
    "  ", "\n", "\n  ", "é", "\u{2028}", "a",
];

/// One random edit: where (a fraction of the front matter), what kind (insert, delete,
/// replace a character) and which of [`SIGNIFICANT`].
pub type Edit = (proptest::sample::Index, u8, proptest::sample::Index);

/// `text` with each edit applied inside its front matter (the text up to its closing `---`
/// line, or all of it).
pub fn mutated(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_string();
    for (at, kind, what) in edits {
        let front = text.find("\n---").map_or(text.len(), |end| end + 1).max(4).min(text.len());
        let mut at = at.index(front.max(1));
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let next = text[at..].chars().next().map_or(0, char::len_utf8);
        let with = *what.get(&SIGNIFICANT);
        match kind % 3 {
            0 => text.insert_str(at, with),
            1 => drop(text.drain(at..at + next)),
            _ => text.replace_range(at..at + next, with),
        }
    }
    text
}
