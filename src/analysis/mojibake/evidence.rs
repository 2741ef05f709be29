//! When is a run of valid UTF-8-in-disguise really mojibake?
//!
//! Any text in a legacy encoding's repertoire can be *read* as UTF-8 bytes now and then
//! (`CAFÉ”` is C9 94), so a run is only accepted with enough evidence. Long runs and three- or
//! four-byte sequences are strong evidence by themselves; a lone two-byte sequence needs the
//! lead byte that dominates real damage (`Ã`, `Â`, ...) in a tell-tale place, or strong
//! damage elsewhere on its line. Everything here errs on the side of leaving text alone: a
//! miss costs a warning, a false repair corrupts someone's correct text.

use super::chars::{
    apostrophe, is_box, is_cyrillic, ordinary_letter, plausible_alone, script, scriptless, space_like, typographic,
};
use super::scan::{Run, Seq};
use super::tables::Table;

/// The characters just outside a run (`None` at the edge of the text).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Around {
    pub prev: Option<char>,
    pub next: Option<char>,
}

impl Around {
    fn prev_is(&self, f: impl Fn(char) -> bool) -> bool {
        self.prev.is_some_and(f)
    }

    fn next_is(&self, f: impl Fn(char) -> bool) -> bool {
        self.next.is_some_and(f)
    }

    fn inside_word(&self) -> bool {
        self.prev_is(char::is_alphabetic) && self.next_is(char::is_alphabetic)
    }
}

/// How sure a run is mojibake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Not enough evidence: leave it.
    Reject,
    /// A lone two-byte sequence whose surroundings do not give it away (`Ð²` between mangled
    /// Russian words); accepted only if its line holds strong damage in the same table and,
    /// when the mangled characters could be a real word (`word`), in the same script.
    Defer { word: bool },
    /// Mojibake on its own merits; `strong` if it can vouch for deferred runs.
    Accept { strong: bool },
}

/// Is `run` (whose mangled characters are `mangled`) mojibake rather than real text?
pub(super) fn judge(run: &Run, mangled: &[char], around: Around) -> Verdict {
    let word = looks_like_a_word(run, mangled, around);
    let sure = |ok: bool| {
        if ok && !word { Verdict::Accept { strong: true } } else { Verdict::Reject }
    };
    match (run.seqs.as_slice(), mangled) {
        ([seq], [_, _]) if !plausible_alone(seq.decoded) => Verdict::Reject,
        ([seq], [_, cont]) if !word && lone_two(run.table, seq, *cont, around) => Verdict::Accept { strong: false },
        ([_], [_, _]) => Verdict::Defer { word },
        ([seq], [lead, c1, c2]) => sure(lone_three(seq.decoded, [*lead, *c1, *c2], around)),
        // Tag characters only make sense inside an emoji flag sequence.
        ([seq], _) => sure(u32::from(seq.decoded) < 0xE_0000),
        (seqs, _) => sure(!mangled.iter().all(|&c| is_box(c)) || box_mojibake(seqs, around)),
    }
}

/// A run made only of box-drawing characters is cp437 text art unless it decodes to letters
/// of one script (`╨╝╨╛╨▓╨░` is `мова`, `─│┌┐` is not `ĳڿ`) or sits in a word.
fn box_mojibake(seqs: &[Seq], around: Around) -> bool {
    let first_script = seqs.first().map(|s| script(s.decoded));
    let letters = seqs.iter().all(|s| s.decoded.is_alphabetic() && Some(script(s.decoded)) == first_script);
    let repetitive = seqs.windows(2).all(|p| p[0].decoded == p[1].decoded);
    let alphabetic = |c: char| c.is_alphabetic() && script(c) < 3;
    (letters && !repetitive) || around.prev_is(alphabetic) || around.next_is(alphabetic)
}

/// The mangled characters are ordinary letters whose case pattern, together with the
/// neighbouring letters, is that of a real word in one script (`Відповідь`, `ВІДІЙТИ`,
/// `NĂŞTE`, `дії`, `ciężą`). Mojibake breaks the case pattern (`РЎРѕ`, `dĂłb`), mixes
/// scripts (`ΓÇÖ`, `Tiбєїng`) or contains non-letters.
fn looks_like_a_word(run: &Run, mangled: &[char], around: Around) -> bool {
    if !mangled.iter().all(|&c| ordinary_letter(run.table, c)) || a_breve_pair(run, mangled) {
        return false;
    }
    let word: Vec<char> = around
        .prev
        .filter(|c| c.is_alphabetic())
        .into_iter()
        .chain(mangled.iter().copied())
        .chain(around.next.filter(|c| c.is_alphabetic()))
        .collect();
    // Vietnamese letters mangled among ASCII letters (`Tiáşżng`): a Latin word would need
    // three letters from as many languages in a row.
    let vietnamese =
        run.seqs.iter().all(|s| matches!(u32::from(s.decoded), 0x1E00..=0x1EFF)) && word.len() > mangled.len();
    if vietnamese || !word.windows(2).all(|p| script(p[0]) == script(p[1])) {
        return false;
    }
    let Some((first, rest)) = word.split_first() else {
        return false;
    };
    let all_lower = rest.iter().all(|c| c.is_lowercase());
    let all_upper = rest.iter().all(|c| c.is_uppercase());
    (all_lower && (first.is_lowercase() || first.is_uppercase())) || (all_upper && first.is_uppercase())
}

/// `Â`/`Ă` followed by a continuation letter other than Romanian `Ş`/`ş` (`ĂĽ`, `ÂŁ`): no
/// language has such a word, so Windows-1250 and ISO-8859-2 damage is not mistaken for one.
fn a_breve_pair(run: &Run, mangled: &[char]) -> bool {
    let latin2 = matches!(run.table, Table::Windows1250 | Table::Iso8859_2);
    match (run.seqs.as_slice(), mangled) {
        ([seq], [_, cont]) => latin2 && matches!(seq.lead, 0xC2 | 0xC3) && !matches!(cont, 'Ş' | 'ş'),
        _ => false,
    }
}

fn lone_two(table: Table, seq: &Seq, cont: char, around: Around) -> bool {
    let lead = seq.lead;
    let c2_or_c3 = matches!(lead, 0xC2 | 0xC3);
    match table {
        Table::Western | Table::Windows1250 | Table::Iso8859_2 if c2_or_c3 => latin_a_tilde(table, cont, around),
        Table::Western | Table::Windows1250 | Table::Iso8859_2 => {
            !ordinary_letter(table, cont)
                && (around.prev_is(char::is_lowercase) || (!space_like(cont) && around.next_is(char::is_lowercase)))
        }
        // Lead bytes are Cyrillic capitals here: only Latin text mangled in a non-Cyrillic
        // environment (`cafГ©`, `25 В°C`, `И™i`) is safe to claim.
        Table::Windows1251 => {
            matches!(lead, 0xC2..=0xCF)
                && !around.prev_is(is_cyrillic)
                && !around.next_is(is_cyrillic)
                && (!cont.is_alphabetic() || around.next_is(|c| c.is_ascii_alphabetic()))
                && latin_neighbour(cont, around)
        }
        // `√` and `¬` (MacRoman), `├` and `┬` (cp437) are symbols that real text never puts
        // right next to a letter or digit; `ƒ`/`≈` and `─`/`┼` (Latin Extended-A) are allowed
        // straight after a lowercase letter.
        Table::MacRoman if c2_or_c3 => {
            let letter_ok = around.next_is(char::is_alphabetic) && script(cont) == 0;
            (!ordinary_letter(table, cont) || letter_ok) && latin_neighbour(cont, around)
        }
        Table::Cp437 if c2_or_c3 => latin_neighbour(cont, around),
        Table::MacRoman | Table::Cp437 => {
            matches!(lead, 0xC4 | 0xC5)
                && around.prev_is(|c| c.is_ascii_lowercase())
                && (cont.is_alphabetic() || around.next_is(char::is_alphabetic))
        }
    }
}

/// A letter or digit right before the sequence, or (unless the sequence ends in a quote or
/// space) an ASCII letter or digit right after it.
fn latin_neighbour(cont: char, around: Around) -> bool {
    around.prev_is(|c| c.is_ascii_alphanumeric() || c.is_alphabetic() && !is_cyrillic(c))
        || (!typographic(cont) && around.next_is(|c| c.is_ascii_alphanumeric()))
}

/// `Ã©`, `Â°`, `Ă©`: lead C2/C3 in the Latin tables, by far the most common damage. The
/// traps are real uppercase words ending in `Ã`/`Ă`/`Â` (`AMANHÃ”`, `IRMÃ…`) and Romanian
/// `Ăş`/`ÂŞ`, the only letters a real word puts after them in the continuation range.
fn latin_a_tilde(table: Table, cont: char, around: Around) -> bool {
    let romanian = table != Table::Western && matches!(cont, 'Ş' | 'ş');
    if romanian || (table == Table::Western && ordinary_letter(table, cont)) {
        // `dĂşb`, not `Ăştia` or `NĂŞTE`.
        return around.prev_is(char::is_lowercase);
    }
    if around.prev_is(char::is_uppercase) {
        // `HÃ”TEL`, `MÃ¼ller` are mojibake, `AMANHÃ”` is a quoted Portuguese word.
        return !space_like(cont) && around.next_is(char::is_alphabetic);
    }
    true
}

/// A lone three-byte sequence is strong evidence, except when
/// - its continuation characters are what follows a word-final lowercase letter in real
///   text: `réglé »` (é NBSP »), `è”…`, or the Ukrainian apostrophe in `п’є`, `з’їзд`;
/// - it is all punctuation (a list of symbols: `„†•`) decoding to CJK, where real damage
///   has a letter;
/// - it decodes to a character of another script than its neighbours (`äöüßÄÖÜ`, where `ßÄÖ`
///   in cp437 reads as Ethiopic).
fn lone_three(decoded: char, mangled: [char; 3], around: Around) -> bool {
    let [_, c1, c2] = mangled;
    if typographic(c1) && typographic(c2) && !around.inside_word() && !scriptless(decoded) {
        return false;
    }
    let foreign = |c: char| c.is_alphabetic() && script(c) != script(decoded);
    !(apostrophe(c1) && c2.is_alphabetic())
        && (mangled.iter().any(|c| c.is_alphabetic()) || scriptless(decoded) || script(decoded) == 0)
        && (scriptless(decoded) || !(around.prev_is(foreign) || around.next_is(foreign)))
}
