//! Normal forms used as index keys: URLs (so `https://WWW.x.org/a/` and `https://x.org/a` are
//! one article) and topics (so `AI`, `ai` and `Politica`/`Política` meet as variants).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// A URL compared as the `url` crate normalises it (case of scheme and host, IDNA, default port,
/// percent-encoding), then without `www.` and a trailing slash. Borrowed when the key is the
/// (trimmed) URL as written, as nearly every URL is: indexing takes the key of every related
/// entry's URL, and a copy of each was a visible share of it.
pub(crate) fn url_key(url: &str) -> Cow<'_, str> {
    let url = url.trim();
    if let Some(key) = plain_url_key(url) {
        return key;
    }
    Cow::Owned(parsed_url_key(url))
}

/// The key of a plain http(s) URL written in a form the `url` crate leaves as it is but for the
/// case of scheme and host: ASCII letters, digits, `-` and `.` in the host (whose last label is
/// letters, so not an IP address), no port, user or `xn--` label, and nothing after the host
/// that the parser would encode or resolve (no dot segment, backslash, quote, space, ...).
/// Such URLs are nearly all of them, and this costs a copy instead of a parse (a hint or link
/// per related entry). `None` for anything else. `tests::plain_keys_equal_parsed_keys`
/// compares both over many odd URLs.
fn plain_url_key(url: &str) -> Option<Cow<'_, str>> {
    let mut key = String::new();
    match plain_url_key_into(url, &mut key)? {
        true => Some(Cow::Owned(key)),
        false => Some(Cow::Borrowed(url)),
    }
}

/// [`url_key`] of `url`, borrowed from it or written into `buf` (whatever it held before): the
/// index keys the `webUrl` and `originalUrl` of every file only to hash the key, and nearly
/// every one written with `www.` cost an allocation.
pub(crate) fn url_key_into<'a>(url: &'a str, buf: &'a mut String) -> &'a str {
    let url = url.trim();
    match plain_url_key_into(url, buf) {
        Some(false) => url,
        Some(true) => buf.as_str(),
        None => {
            *buf = parsed_url_key(url);
            buf.as_str()
        }
    }
}

/// The key of a plain URL as [`plain_url_key`] finds it: `Some(false)` when it is the URL as
/// written, `Some(true)` when written into `key` (cleared first).
fn plain_url_key_into(url: &str, key: &mut String) -> Option<bool> {
    // The scheme ends at the first `:` (a scheme with a `:` in it is not http(s) anyway).
    let colon = memchr::memchr(b':', url.as_bytes())?;
    let (written, rest) = (&url[..colon], url[colon..].strip_prefix("://")?);
    let scheme = ["http", "https"].into_iter().find(|s| s.eq_ignore_ascii_case(written))?;
    let PlainHost { length, capitals } = plain_host(rest.as_bytes())?;
    let (host, tail) = rest.split_at(length);
    let path_end = plain_path_end(tail.as_bytes())?;
    let (path, after) = tail.split_at(path_end);
    let host = host.get(..4).filter(|w| w.eq_ignore_ascii_case("www.")).map_or(host, |_| &host[4..]);
    let unchanged = written == scheme
        && host.len() + 3 + written.len() + tail.len() == url.len()
        && !capitals
        && !path.ends_with('/');
    if unchanged {
        return Some(false);
    }
    // Room of the right size at once (`format!` grows its buffer step by step).
    key.clear();
    key.reserve(url.len());
    key.push_str(scheme);
    key.push_str("://");
    let host_at = key.len();
    key.push_str(host);
    key[host_at..].make_ascii_lowercase();
    key.push_str(path.trim_end_matches('/'));
    key.push_str(after);
    Some(true)
}

/// Where the path of `tail` (what follows a plain URL's host) ends, when the parser keeps all
/// of `tail` as it is: every byte one it leaves alone, and no dot segment in the path (`/.`,
/// or a `.` encoded as `%2e`), which it would resolve. One pass over the bytes, one table
/// lookup for each but the few that may matter (every related entry's URL is keyed when a
/// workspace is indexed).
fn plain_path_end(tail: &[u8]) -> Option<usize> {
    let mut path_end = tail.len();
    let mut escape = false;
    for (at, &b) in tail.iter().enumerate() {
        match PATH_BYTES[usize::from(b)] {
            PathByte::Kept => {}
            PathByte::Refused => return None,
            PathByte::EndsPath => {
                path_end = at;
                break;
            }
            PathByte::Dot if at > 0 && tail[at - 1] == b'/' => return None,
            PathByte::Dot => {}
            PathByte::Percent => escape = true,
        }
    }
    // The query and fragment need only be kept as they are.
    if !tail[path_end..].iter().all(|&b| PATH_BYTES[usize::from(b)] != PathByte::Refused) {
        return None;
    }
    let path = &tail[..path_end];
    let encoded_dot = escape && path.windows(3).any(|w| w.eq_ignore_ascii_case(b"%2e"));
    (!encoded_dot).then_some(path_end)
}

/// What a byte after a plain URL's host means to [`plain_path_end`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum PathByte {
    /// Kept as it is, and nothing more.
    Kept,
    /// Not kept as it is by the parser (see [`is_kept_byte`]).
    Refused,
    /// `?` or `#`.
    EndsPath,
    Dot,
    Percent,
}

/// [`PathByte`] of every byte, read once per byte of every URL keyed.
const PATH_BYTES: [PathByte; 256] = {
    let mut table = [PathByte::Refused; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = match byte {
            b'?' | b'#' => PathByte::EndsPath,
            b'.' => PathByte::Dot,
            b'%' => PathByte::Percent,
            _ if is_kept_byte(byte) => PathByte::Kept,
            _ => PathByte::Refused,
        };
        b += 1;
    }
    table
};

/// The host at the start of what follows `://`, when it is a domain name the URL parser only
/// lowercases: labels of ASCII letters, digits and `-`, none empty or `xn--`, the last of
/// letters alone (so not an IP address). It ends at `/`, `?`, `#` or the end; anything else
/// (a port, a user, other characters) is not plain.
struct PlainHost {
    length: usize,
    capitals: bool,
}

/// [`PlainHost`] in one pass over the bytes (every related entry's URL is keyed).
fn plain_host(rest: &[u8]) -> Option<PlainHost> {
    let mut capitals = false;
    let (mut label_start, mut letters_only) = (0, true);
    let mut length = rest.len();
    for (at, &b) in rest.iter().enumerate() {
        match b {
            b'a'..=b'z' => {}
            b'A'..=b'Z' => capitals = true,
            b'0'..=b'9' | b'-' => letters_only = false,
            b'.' if plain_label(&rest[label_start..at]) => (label_start, letters_only) = (at + 1, true),
            b'/' | b'?' | b'#' => {
                length = at;
                break;
            }
            _ => return None,
        }
    }
    let last = &rest[label_start..length];
    (letters_only && plain_label(last)).then_some(PlainHost { length, capitals })
}

fn plain_label(label: &[u8]) -> bool {
    !label.is_empty() && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
}

/// A byte of a path, query or fragment that the URL parser keeps as it is.
const fn is_kept_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'%'
                | b'?'
                | b'#'
        )
}

/// The key through the `url` crate's parse (see [`url_key`]).
fn parsed_url_key(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else { return lenient_url_key(url) };
    let Some(host) = parsed.host_str() else { return lenient_url_key(url) };
    let host = host.strip_prefix("www.").unwrap_or(host);
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = parsed.path().trim_end_matches('/');
    let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
    let fragment = parsed.fragment().map(|f| format!("#{f}")).unwrap_or_default();
    format!("{}://{host}{port}{path}{query}{fragment}", parsed.scheme())
}

/// The key of text that is not an absolute URL (`x.org/a`): still lowercased and trimmed alike,
/// so a bad URL still meets its copies.
fn lenient_url_key(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => (url[..at].to_ascii_lowercase(), &url[at + 3..]),
        None => (String::new(), url),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..host_end].to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = rest[host_end..].trim_end_matches('/');
    format!("{scheme}://{host}{path}")
}

/// A topic compared without case, diacritics or repeated/outer whitespace.
pub(crate) fn topic_key(topic: &str) -> String {
    let mut out = String::with_capacity(topic.len());
    for word in topic.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            // What the loop below makes of ASCII (no marks, nothing to decompose), without
            // its per-character decomposition: nearly every topic indexed is ASCII.
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            continue;
        }
        // Canonical decomposition splits `é` into `e` + U+0301; the marks are then dropped.
        for c in word.nfd().filter(|&c| !is_diacritic(c)).flat_map(char::to_lowercase) {
            out.push(without_stroke(c));
        }
    }
    out
}

/// Marks of the Combining Diacritical Marks blocks: accents, not (as every combining mark would
/// be) the vowel signs of Indic scripts, which make a different word.
fn is_diacritic(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// Letters whose diacritic is part of the letter (no decomposition): their base letter.
fn without_stroke(c: char) -> char {
    match c {
        'đ' => 'd',
        'ħ' => 'h',
        'ı' => 'i',
        'ŀ' | 'ł' => 'l',
        'ŉ' => 'n',
        'ø' => 'o',
        'ŧ' => 't',
        _ => c,
    }
}

/// Text that reads back as the same string when written as a plain YAML scalar.
pub(crate) fn is_plain_safe(text: &str) -> bool {
    let first = text.chars().next();
    let special_start = first.is_none_or(|c| "-?:,[]{}#&*!|>'\"%@` \t".contains(c));
    !special_start
        && !text.ends_with([' ', '\t'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.chars().any(char::is_control)
}

/// `text` as a YAML double-quoted scalar.
pub(crate) fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path table refuses exactly the bytes the parser would not keep, and singles out the
    /// four that end the path or may make it one the parser resolves.
    #[test]
    fn path_bytes_follow_the_kept_bytes() {
        for byte in 0..=u8::MAX {
            let class = PATH_BYTES[usize::from(byte)];
            assert_eq!(class == PathByte::Refused, !is_kept_byte(byte), "{byte:#x}");
            let special = matches!(byte, b'?' | b'#' | b'.' | b'%');
            assert_eq!(matches!(class, PathByte::EndsPath | PathByte::Dot | PathByte::Percent), special, "{byte:#x}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(url_key("HTTPS://WWW.Rferl.org/a/1.html/"), url_key("https://rferl.org/a/1.html"));
        assert_ne!(url_key("https://x.org/A"), url_key("https://x.org/a"));
        assert_eq!(url_key("x.org"), "://x.org");
        assert_eq!(url_key("https://x.org:443/a"), url_key("https://x.org/a"));
        assert_ne!(url_key("https://x.org:8443/a"), url_key("https://x.org/a"));
        assert_eq!(url_key("https://Bücher.example/a"), url_key("https://xn--bcher-kva.example/a"));
        assert_eq!(url_key("https://x.org/política"), url_key("https://x.org/pol%C3%ADtica"));
        assert_eq!(url_key("https://x.org/a?b=1"), "https://x.org/a?b=1");
    }

    /// Every URL the plain path takes gets the key the parse gives, over the product of
    /// schemes, hosts, paths, queries and fragments chosen to trip it; and the common forms do
    /// take it (so the comparison is not vacuous).
    #[test]
    fn plain_keys_equal_parsed_keys() {
        let schemes = ["http://", "https://", "HTTPS://", "hTTp://", "ftp://", "https:/", "https:///"];
        let hosts = [
            "example.com",
            "WWW.Example.COM",
            "www.x.org",
            "a-b.c",
            "-a.org",
            "a_b.org",
            "1.2.3.4",
            "0x7f.1",
            "x.0x1",
            "xn--bcher-kva.example",
            "XN--x.org",
            "bücher.example",
            "a..b",
            "example.com.",
            ".example.com",
            "",
            "localhost",
            "user@x.org",
            "x.org:443",
            "x.org:80",
            "x.org:8080",
            "[::1]",
            "x%41.org",
        ];
        let paths = [
            "",
            "/",
            "/a",
            "/a/",
            "/a//",
            "/a/./b",
            "/a/../b",
            "/.",
            "/%2e/",
            "/%2E%2E/",
            "/a b",
            "/a\"b",
            "/a<b>",
            "/a`b",
            "/a{b}",
            "/a|b",
            "/a^b",
            "/a\\b",
            "/política",
            "/a%20b",
            "/a%zz",
            "/a'b",
            "/~user",
            "/a;b=c",
            "/a:b@c",
            "/.well-known",
            "/a\tb",
            "/a[1]",
        ];
        let queries = ["", "?", "?a=1", "?a='1'", "?a b", "?a=%ZZ", "?a`b", "?a=/b/", "?a=b?c", "?a=\"b\""];
        let fragments = ["", "#", "#x", "#a b", "#a`b", "#a'b", "#a#b", "#/x/"];
        let mut plain = 0;
        let mut buf = String::new();
        for scheme in schemes {
            for host in hosts {
                for path in paths {
                    for query in queries {
                        for fragment in fragments {
                            let url = format!("{scheme}{host}{path}{query}{fragment}");
                            // The buffer still holds the previous key.
                            assert_eq!(url_key_into(&url, &mut buf), url_key(&url), "{url}");
                            if let Some(key) = plain_url_key(&url) {
                                plain += 1;
                                assert_eq!(key, parsed_url_key(&url), "{url}");
                            }
                        }
                    }
                }
            }
        }
        assert!(plain > 5_000, "{plain}");
        for common in ["https://www.example.com/a/b-1.html", "http://x.org/?q=1#top", "https://r7.example.com/a"] {
            assert!(plain_url_key(common).is_some(), "{common}");
        }
        // The key of a URL that is its own key is the URL itself, without a copy.
        for own in ["https://example.com/a/b-1.html", "http://x.org/a?q=1#top", "https://r7.example.com"] {
            assert!(matches!(url_key(own), Cow::Borrowed(key) if key == own), "{own}");
        }
        for other in
            ["HTTPS://x.org/a", "https://X.org/a", "https://www.x.org/a", "https://x.org/a/", " https://x.org/a "]
        {
            assert!(matches!(url_key(other), Cow::Owned(_)) || other.trim() != other, "{other}");
        }
    }

    /// The ASCII shortcut of `topic_key` gives what decomposing each character gives.
    #[test]
    fn ascii_topic_keys_equal_the_decomposed_keys() {
        let decomposed = |word: &str| -> String {
            word.nfd().filter(|&c| !is_diacritic(c)).flat_map(char::to_lowercase).map(without_stroke).collect()
        };
        for byte in 0x21u8..0x7f {
            let word = format!("Ab{}Z", char::from(byte));
            assert_eq!(topic_key(&word), decomposed(&word), "{word}");
        }
        assert_eq!(topic_key("Public Health AI"), "public health ai");
    }

    #[test]
    fn topics() {
        assert_eq!(topic_key(" Public  Health "), "public health");
        assert_eq!(topic_key("Política"), "politica");
        assert_eq!(topic_key("Poli\u{301}tica"), "politica");
        assert_eq!(topic_key("AI"), topic_key("ai"));
        assert_eq!(topic_key("Việt Nam"), "viet nam");
        assert_eq!(topic_key("Πολιτική"), "πολιτικη");
        assert_eq!(topic_key("Łódź Ørsted"), "lodz orsted");
        assert_eq!(topic_key("ÉTÉ"), "ete");
        assert_ne!(topic_key("किताब"), topic_key("कताब"));
    }

    #[test]
    fn scalars() {
        assert!(is_plain_safe("Public Health"));
        assert!(!is_plain_safe("Breaking: news"));
        assert!(!is_plain_safe("- x"));
        assert_eq!(double_quoted("a \"b\" \\"), r#""a \"b\" \\""#);
    }
}
