//! A deterministic corpus of generated news-article files, for benchmarks.
//!
//! `cargo run --release --example gen-corpus -- --articles 100000 --seed 1 OUT` writes
//! `OUT/dNNN/aNNNNNNN.md` (front matter articles, 0–50 related entries) and `.txt` (plain-text
//! pages), 1,000 files per directory. Providers and topics follow a long-tailed (Zipf-like)
//! distribution, and about 1% of the articles carry each defect the checks know (mojibake,
//! impossible or future dates, scheme-less URLs, provider/domain mismatches, broken YAML, ...).
//! `--special` also writes `OUT/special/`: a typical article, a 10 MB plain-text article, a
//! 10 MB article with a large front matter and an article with 2,000 related entries.
//!
//! Every word is made up from syllables by a seeded PRNG, so the same arguments always give
//! the same bytes, and article `i` does not depend on how many articles are written.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gen-corpus: {message}\nusage: gen-corpus [--articles N] [--seed S] [--special] OUT");
            return ExitCode::from(2);
        }
    };
    match write_corpus(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gen-corpus: {err}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    articles: usize,
    seed: u64,
    special: bool,
    out: PathBuf,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let (mut articles, mut seed, mut special, mut out) = (0, 1, false, None);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--articles" => articles = value("--articles")?.parse().map_err(|e| format!("--articles: {e}"))?,
                "--seed" => seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--special" => special = true,
                flag if flag.starts_with("--") => return Err(format!("unknown flag `{flag}`")),
                path => out = Some(PathBuf::from(path)),
            }
        }
        let out = out.ok_or("no output directory given")?;
        Ok(Options { articles, seed, special, out })
    }
}

fn write_corpus(options: &Options) -> std::io::Result<()> {
    for i in 0..options.articles {
        let dir = options.out.join(format!("d{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        let article = Generator::new(options.seed, i as u64).article(i);
        std::fs::write(dir.join(format!("a{i:07}.{}", article.extension)), article.bytes)?;
    }
    if options.special {
        write_special(&options.out.join("special"), options.seed)?;
    }
    println!(
        "wrote {} articles{} to {}",
        options.articles,
        if options.special { " and the special files" } else { "" },
        options.out.display()
    );
    Ok(())
}

/// The files of the latency scenarios.
fn write_special(dir: &Path, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut g = Generator::new(seed, u64::MAX);
    std::fs::write(dir.join("typical.md"), g.front_matter_article(5, Defect::None) + &g.body(6))?;
    std::fs::write(dir.join("plain-10mb.txt"), g.plain_text_of_size(10 << 20))?;
    let mut large = g.front_matter_article(200, Defect::None);
    let body_size = (10 << 20) - large.len();
    large.push_str(&g.body_of_size(body_size));
    std::fs::write(dir.join("front-matter-10mb.md"), large)?;
    std::fs::write(dir.join("related-2000.md"), g.front_matter_article(2_000, Defect::None))?;
    Ok(())
}

/// A generated file: its bytes (not always UTF-8) and extension.
struct Article {
    bytes: Vec<u8>,
    extension: &'static str,
}

/// Defects, each given to about 1% of the articles (in this order, by one roll per article).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Defect {
    None,
    Mojibake,
    ImpossibleDate,
    FutureDate,
    SchemelessUrl,
    DomainMismatch,
    BrokenYaml,
    MissingTitle,
    UnknownField,
    Yaml11Boolean,
    WrongType,
    DuplicateUrl,
    TopicVariant,
    ReplacementChar,
    ControlChar,
    NotUtf8,
    Unterminated,
    Empty,
}

const DEFECTS: [Defect; 17] = [
    Defect::Mojibake,
    Defect::ImpossibleDate,
    Defect::FutureDate,
    Defect::SchemelessUrl,
    Defect::DomainMismatch,
    Defect::BrokenYaml,
    Defect::MissingTitle,
    Defect::UnknownField,
    Defect::Yaml11Boolean,
    Defect::WrongType,
    Defect::DuplicateUrl,
    Defect::TopicVariant,
    Defect::ReplacementChar,
    Defect::ControlChar,
    Defect::NotUtf8,
    Defect::Unterminated,
    Defect::Empty,
];

/// One in this many articles is a plain-text page.
const PLAIN_TEXT_EVERY: u64 = 8;
const PROVIDERS: u64 = 5_000;
const TOPICS: u64 = 2_000;
const SYLLABLES: [&str; 32] = [
    "ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "bri", "dum", "es", "fa", "gor", "hal", "is", "jun", "ke",
    "lan", "mor", "ne", "os", "pra", "qui", "ros", "sti", "tu", "ul", "vin", "wa", "xe", "yor", "zen",
];
const COMMON: [&str; 24] = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "said",
    "on",
    "for",
    "with",
    "minister",
    "talks",
    "vaccine",
    "election",
    "report",
    "new",
    "government",
    "people",
    "city",
    "after",
    "week",
    "plans",
    "says",
    "market",
];
/// Accented words, as real news carries them; mangled through Windows-1252 for mojibake.
const ACCENTED: [&str; 8] = ["Zürich", "café", "naïve", "São Paulo", "Kraków", "Škoda", "Ærø", "résumé"];
const PROVIDER_SUFFIXES: [&str; 8] = ["Times", "Post", "Herald", "News", "Daily", "Tribune", "Radio", "Monitor"];

/// SplitMix64: small, fast and good enough for test data.
struct Generator {
    state: u64,
}

impl Generator {
    fn new(seed: u64, article: u64) -> Generator {
        let mut g = Generator { state: seed ^ article.wrapping_mul(0x9E37_79B9_7F4A_7C15) };
        g.next();
        g
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A rank in `0..n` with a long tail: rank r has weight about 1/(r+1).
    fn zipf(&mut self, n: u64) -> u64 {
        ((n as f64 + 1.0).powf(self.unit()) - 1.0) as u64 % n
    }

    fn article(&mut self, i: usize) -> Article {
        let defect = self.defect();
        if defect == Defect::Empty {
            return Article { bytes: b"\n \n".to_vec(), extension: "md" };
        }
        if self.below(PLAIN_TEXT_EVERY) == 0 {
            let mut text = self.plain_text_page(i);
            if defect == Defect::Mojibake {
                text.push_str(&format!("{}\n", mangle("Reported from Zürich — “naïve” hopes.")));
            }
            return Article { bytes: text.into_bytes(), extension: "txt" };
        }
        let related = self.related_count();
        let mut text = self.front_matter_article(related, defect);
        let paragraphs = self.below(4) as usize;
        text.push_str(&self.body(paragraphs));
        let bytes = match defect {
            // Latin-1 bytes: `ü` as 0xFC, invalid in UTF-8.
            Defect::NotUtf8 => [text.as_bytes(), b"M\xfcnchen\n"].concat(),
            _ => text.into_bytes(),
        };
        Article { bytes, extension: "md" }
    }

    fn defect(&mut self) -> Defect {
        let roll = self.below(100) as usize;
        DEFECTS.get(roll).copied().unwrap_or(Defect::None)
    }

    /// 0–50 related entries: two articles in three have none (as in most real files), the
    /// others a long tail (mean about 4.6 over all articles).
    fn related_count(&mut self) -> usize {
        (self.unit().powi(10) * 51.0) as usize
    }

    fn word(&mut self) -> String {
        if self.below(3) == 0 {
            return COMMON[self.below(COMMON.len() as u64) as usize].to_string();
        }
        let syllables = 1 + self.below(3);
        (0..syllables).map(|_| SYLLABLES[self.below(SYLLABLES.len() as u64) as usize]).collect()
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut out = String::new();
        for n in 0..words {
            if n > 0 {
                out.push(' ');
            }
            if self.below(40) == 0 {
                out.push_str(ACCENTED[self.below(ACCENTED.len() as u64) as usize]);
            } else {
                out.push_str(&self.word());
            }
        }
        capitalised(&out)
    }

    /// A sentence of `least` to `least + spread - 1` words.
    fn sentence_of(&mut self, least: usize, spread: u64) -> String {
        let words = least + self.below(spread) as usize;
        self.sentence(words)
    }

    fn provider(&mut self) -> (String, String) {
        let rank = self.zipf(PROVIDERS);
        name_of_rank(rank, "provider")
    }

    fn topic(&mut self) -> String {
        let rank = self.zipf(TOPICS);
        let mut words = Generator::new(rank, 7);
        let n = 1 + words.below(2);
        (0..n).map(|_| capitalised(&words.word())).collect::<Vec<_>>().join(" ")
    }

    fn date(&mut self) -> String {
        format!(
            "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
            15 + self.below(10),
            1 + self.below(12),
            1 + self.below(28),
            self.below(24),
            self.below(60)
        )
    }

    fn path(&mut self) -> String {
        let words: Vec<String> = (0..3).map(|_| self.word()).collect();
        format!("{}/{}.html", words.join("-"), self.below(100_000_000))
    }

    /// A front matter article with `related` entries and one defect, without a body.
    fn front_matter_article(&mut self, related: usize, defect: Defect) -> String {
        let (provider, domain) = self.provider();
        let path = self.path();
        let url = match defect {
            Defect::SchemelessUrl => format!("www.{domain}/a/{path}"),
            // The URL of an article a few numbers away (same seed), so duplicates meet.
            Defect::DuplicateUrl => "https://shared.example.org/a/duplicate.html".to_string(),
            _ => format!("https://www.{domain}/a/{path}"),
        };
        let date = match defect {
            Defect::ImpossibleDate => "2021-02-30T10:00:00Z".to_string(),
            Defect::FutureDate => "2099-05-01T10:00:00Z".to_string(),
            _ => self.date(),
        };
        let domain = if defect == Defect::DomainMismatch { format!("other-{domain}") } else { domain };
        let mut excerpt = self.sentence_of(12, 20);
        match defect {
            Defect::Mojibake => excerpt.push_str(&format!(" {}", mangle("The minister’s “naïve” plan"))),
            Defect::ReplacementChar => excerpt.push_str(" Stra\u{FFFD}e"),
            Defect::ControlChar => excerpt.push_str(" tab\u{8}bed"),
            _ => {}
        }
        let mut out = String::from("---\ncategory: news\n");
        if defect != Defect::MissingTitle {
            let title = self.sentence_of(4, 8);
            if defect == Defect::BrokenYaml {
                let _ = writeln!(out, "title: \"{title}");
            } else {
                let _ = writeln!(out, "title: \"{title}\"");
            }
        }
        let _ = writeln!(out, "excerpt: \"{excerpt}\"\npublishedDateTime: {date}");
        let _ = writeln!(out, "originalUrl: \"{url}\"\nwebUrl: \"{url}\"\ntype: article");
        let _ = writeln!(
            out,
            "quality: {}",
            if defect == Defect::WrongType { "high".into() } else { self.below(100).to_string() }
        );
        let _ = writeln!(out, "published: {}", if defect == Defect::Yaml11Boolean { "yes" } else { "false" });
        if defect == Defect::UnknownField {
            out.push_str("titel: \"A misspelt key\"\n");
        }
        let _ = write!(out, "\nprovider:\n  name: {provider}\n  domain: {domain}\n\ntopics:\n");
        for n in 0..1 + self.below(3) {
            let topic = self.topic();
            let topic = if defect == Defect::TopicVariant && n == 0 { topic.to_lowercase() } else { topic };
            let _ = writeln!(out, "  - {topic}");
        }
        if related > 0 {
            out.push_str("\nrelated:\n");
            for _ in 0..related {
                self.related_entry(&mut out);
            }
        }
        if defect != Defect::Unterminated {
            out.push_str("---\n");
        }
        out
    }

    fn related_entry(&mut self, out: &mut String) {
        let (provider, domain) = self.provider();
        let title = self.sentence_of(5, 6);
        let excerpt = self.sentence_of(10, 20);
        let date = self.date();
        let path = self.path();
        let _ = write!(
            out,
            "  - title: \"{title}\"\n    excerpt: \"{excerpt}\"\n    publishedDateTime: {date}\n    webUrl: \"https://{domain}/{path}\"\n    type: article\n    provider:\n      name: {provider}\n      domain: {domain}\n"
        );
        if self.below(4) == 0 {
            let _ = write!(
                out,
                "    images:\n      - url: \"https://{domain}/img/{}.jpg\"\n        width: {}\n        height: {}\n",
                self.below(1_000_000),
                320 + self.below(1600),
                200 + self.below(900)
            );
        }
    }

    fn body(&mut self, paragraphs: usize) -> String {
        let mut out = String::new();
        for _ in 0..paragraphs {
            let _ = write!(out, "\n{}.\n", self.sentence_of(30, 40));
        }
        out
    }

    fn body_of_size(&mut self, size: usize) -> String {
        let mut out = String::with_capacity(size + 1000);
        while out.len() < size {
            let _ = write!(out, "\n{}.\n", self.sentence_of(30, 40));
        }
        truncate_at_line(out, size)
    }

    /// A scraped page: a dated first line, dated entries, paragraphs.
    fn plain_text_page(&mut self, i: usize) -> String {
        let mut out = format!(
            " date {} {} ({}) - {}.\n\n",
            &self.date()[..10],
            self.word().to_uppercase(),
            self.word(),
            self.sentence(10)
        );
        for _ in 0..1 + self.below(4) {
            let _ = write!(
                out,
                "{:02}.{:02}.20{:02} - {}\n\n",
                1 + self.below(28),
                1 + self.below(12),
                15 + self.below(10),
                self.sentence(8)
            );
            let _ = write!(out, "{}.\n\n", self.sentence(40 + (i % 30)));
        }
        out
    }

    fn plain_text_of_size(&mut self, size: usize) -> String {
        let mut out = String::with_capacity(size + 1000);
        while out.len() < size {
            let _ = write!(out, "{:02}.{:02}.2021 - {}\n\n", 1 + self.below(28), 1 + self.below(12), self.sentence(8));
            let _ = write!(out, "{}.\n\n", self.sentence_of(40, 40));
        }
        truncate_at_line(out, size)
    }
}

/// A provider's name and domain: the same for the same rank in every article.
fn name_of_rank(rank: u64, salt: &str) -> (String, String) {
    let mut g = Generator::new(rank, salt.len() as u64);
    let stem = capitalised(&g.word());
    let suffix = PROVIDER_SUFFIXES[g.below(PROVIDER_SUFFIXES.len() as u64) as usize];
    let name = format!("{stem} {suffix} {rank}");
    let domain = format!("{}{}{rank}.example.com", stem.to_lowercase(), suffix.to_lowercase());
    (name, domain)
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// UTF-8 text read back as Windows-1252 (`’` becomes `â€™`): the usual mojibake.
fn mangle(text: &str) -> String {
    text.bytes().map(windows_1252).collect()
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// `text` cut at the last line end at or before `size` bytes.
fn truncate_at_line(mut text: String, size: usize) -> String {
    let cut = text.as_bytes()[..size.min(text.len())].iter().rposition(|&b| b == b'\n').map_or(text.len(), |at| at + 1);
    text.truncate(cut);
    text
}
