//! `fix --only mojibake`, the line path, against the general path (`--whole-text`, hidden):
//! the same bytes on standard output, the same messages and the same exit status, through the
//! real binary, for every fixture and corpus text, standard input as a file and as a pipe, file
//! arguments with and without `--write`, and the inputs where streaming could go wrong.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const LINE: &[&str] = &["fix", "--only", "mojibake"];
const GENERAL: &[&str] = &["fix", "--only", "mojibake", "--whole-text"];

fn bin(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_article-lsp"));
    cmd.env("NO_COLOR", "1").args(args);
    cmd
}

/// Standard input from a pipe.
fn piped(args: &[&str], input: &[u8]) -> Output {
    let mut child =
        bin(args).arg("-").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A writer thread: the child may write output before it has read all of its input.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Standard input redirected from a regular file (the streamed case).
fn redirected(args: &[&str], path: &Path) -> Output {
    bin(args).arg("-").stdin(File::open(path).unwrap()).output().unwrap()
}

fn with_args(args: &[&str], files: &[&Path]) -> Output {
    bin(args).args(files).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Both paths agree: stdout byte for byte, stderr, exit status.
fn assert_same(line: &Output, general: &Output, what: &str) {
    assert_eq!(line.status.code(), general.status.code(), "{what}: exit status; {}", text(&line.stderr));
    assert!(line.stdout == general.stdout, "{what}: stdout\n{}\n---\n{}", text(&line.stdout), text(&general.stdout));
    assert_eq!(text(&line.stderr), text(&general.stderr), "{what}: stderr");
}

/// Runs `input` through both paths in every way it can arrive; returns the line path's
/// output for standard input.
fn both_ways(input: &[u8], what: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    std::fs::write(&path, input).unwrap();
    let line = redirected(LINE, &path);
    assert_same(&line, &redirected(GENERAL, &path), &format!("{what} (stdin from a file)"));
    assert_same(&piped(LINE, input), &piped(GENERAL, input), &format!("{what} (stdin from a pipe)"));
    assert_same(&with_args(LINE, &[&path]), &with_args(GENERAL, &[&path]), &format!("{what} (diff)"));
    line
}

/// `fix --write` on a copy of `input` through each path: the same file afterwards, the same
/// messages.
fn assert_same_write(input: &[u8], what: &str) -> Vec<u8> {
    let mut results = Vec::new();
    for args in [LINE, GENERAL] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("article.txt");
        std::fs::write(&path, input).unwrap();
        let out = bin(args).arg("--write").arg(&path).output().unwrap();
        results.push((out, std::fs::read(&path).unwrap()));
    }
    assert_same(&results[0].0, &results[1].0, &format!("{what} (--write)"));
    assert!(results[0].1 == results[1].1, "{what}: the written files differ");
    results.swap_remove(0).1
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every input file under `dir`, recursively (not the expected outputs beside them).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(inputs(&path));
        } else if path.extension().is_some_and(|e| e == "md" || e == "txt") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// UTF-8 read as Windows-1252 (the five undefined bytes as C1 controls, as browsers do).
fn mangled(line: &str) -> String {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(line.as_bytes()).0.into_owned()
}

#[test]
fn fixtures_and_corpus_texts_give_the_same_output() {
    let mut files = inputs(&root().join("tests/fixtures"));
    files.extend(inputs(&root().join("tests/data/mojibake")));
    files.extend(inputs(&root().join("examples")));
    assert!(files.len() > 40, "fixtures went missing: {}", files.len());
    let mut changed = 0;
    for path in &files {
        let input = std::fs::read(path).unwrap();
        let out = both_ways(&input, &path.display().to_string());
        changed += usize::from(out.stdout != input);
    }
    assert!(changed >= 7, "only {changed} inputs were repaired: the comparison proves little");
}

#[test]
fn mangled_corpus_sentences_give_the_same_output() {
    let corpus = std::fs::read_to_string(root().join("tests/data/mojibake/sentences.txt")).unwrap();
    let sentences: Vec<&str> =
        corpus.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('\t')).map(|(_, s)| s).collect();
    // Once, twice, clean and mangled lines side by side, with every line ending.
    let mut input = String::new();
    for (i, sentence) in sentences.iter().enumerate() {
        let once = mangled(sentence);
        let ending = ["\n", "\r\n", "\r"][i % 3];
        input.push_str(&format!("{sentence}{ending}{once}{ending}{}{ending}", mangled(&once)));
    }
    let out = both_ways(input.as_bytes(), "mangled sentences");
    assert!(out.stdout != input.as_bytes(), "nothing was repaired");
    assert_same_write(input.as_bytes(), "mangled sentences");
}

#[test]
fn line_endings_and_a_last_line_without_a_newline_are_kept() {
    let input = "caf\u{c3}\u{a9}\r\nna\u{c3}\u{af}ve\rZ\u{c3}\u{bc}rich\n\r\n\u{e2}\u{20ac}\u{2122}end".as_bytes();
    let out = both_ways(input, "line endings");
    assert_eq!(text(&out.stdout), "café\r\nnaïve\rZürich\n\r\n’end");
    assert_eq!(assert_same_write(input, "line endings"), "café\r\nnaïve\rZürich\n\r\n’end".as_bytes());
}

#[test]
fn a_crlf_across_a_block_boundary_stays_one_line_break() {
    // The streamed blocks are 256 KiB: put `\r` as the last byte of the first one.
    let mut input = "x".repeat(256 * 1024 - 1);
    input.push_str("\r\ncaf\u{c3}\u{a9}\r\n");
    let out = both_ways(input.as_bytes(), "CRLF across blocks");
    assert!(text(&out.stdout).ends_with("\r\ncafé\r\n"));
}

#[test]
fn a_huge_single_line_is_repaired_whole() {
    // One 3 MB line, mangled at both ends and in the middle: longer than any block.
    let filler = "Zürich and naïve café text, ".repeat(50_000);
    let input =
        format!("caf\u{c3}\u{a9} {filler}na\u{c3}\u{af}ve {filler}\u{e2}\u{20ac}\u{153}end\u{e2}\u{20ac}\u{9d}");
    let out = both_ways(input.as_bytes(), "huge line");
    assert_eq!(text(&out.stdout), format!("café {filler}naïve {filler}“end”"));
    assert_same_write(input.as_bytes(), "huge line");
}

#[test]
fn invalid_utf8_late_in_the_input_is_echoed_unchanged_with_a_warning() {
    // Mojibake first: a stream that had already written its repair could not take it back.
    let mut input = format!("caf\u{c3}\u{a9}\n{}", "plain line\n".repeat(100_000)).into_bytes();
    input.extend_from_slice(b"Caf\xe9 au lait\n");
    let out = both_ways(&input, "invalid UTF-8");
    assert!(out.stdout == input, "the input must come back unchanged");
    assert!(text(&out.stderr).contains("not UTF-8; add not-utf8 to --only"), "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
    // With not-utf8 selected, both transcode and repair.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin.txt");
    std::fs::write(&path, &input).unwrap();
    let with_transcoding = ["fix", "--only", "mojibake,not-utf8"];
    let line = redirected(&with_transcoding, &path);
    let general = redirected(&[&with_transcoding[..], &["--whole-text"]].concat(), &path);
    assert_same(&line, &general, "transcoded");
    assert!(text(&line.stdout).starts_with("café\n") && text(&line.stdout).ends_with("Café au lait\n"));
}

#[test]
fn a_nul_byte_late_in_the_input_writes_nothing_and_fails() {
    let mut input = format!("caf\u{c3}\u{a9}\n{}", "plain line\n".repeat(100_000)).into_bytes();
    input.extend_from_slice(b"end\0\n");
    let out = both_ways(&input, "NUL byte");
    assert!(out.stdout.is_empty());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("binary file (NUL byte at offset"), "{}", text(&out.stderr));
}

#[test]
fn mojibake_in_front_matter_is_repaired_as_in_the_body() {
    let input = "---\ntitle: \"Caf\u{c3}\u{a9} owner\u{e2}\u{20ac}\u{2122}s story\"\ntopics: [na\u{c3}\u{af}ve]\n---\nBody: Z\u{c3}\u{bc}rich.\n";
    let out = both_ways(input.as_bytes(), "front matter");
    assert_eq!(text(&out.stdout), "---\ntitle: \"Café owner’s story\"\ntopics: [naïve]\n---\nBody: Zürich.\n");
    assert_same_write(input.as_bytes(), "front matter");
}

#[test]
fn several_files_give_the_same_diffs_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["a.txt", "b.txt", "c.txt"];
    let contents: [&[u8]; 3] = [b"clean\n", "caf\u{c3}\u{a9}\n".as_bytes(), b"caf\xe9\n"];
    for (name, content) in names.iter().zip(contents) {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let line = with_args(LINE, &refs);
    assert_same(&line, &with_args(GENERAL, &refs), "three files");
    assert!(text(&line.stderr).contains("would fix 1 problem in 1 file"), "{}", text(&line.stderr));
}

/// A long text where kernel-side copies matter: clean spans of several blocks, repaired lines
/// between them, every line ending.
fn long_mixed_text() -> String {
    let mut input = String::new();
    for i in 0..40 {
        let ending = ["\n", "\r\n", "\r"][i % 3];
        input.push_str(&format!("plain line {i} and Zürich, naïve{ending}").repeat(2000));
        input.push_str(&format!("caf\u{c3}\u{a9} number {i}{ending}"));
    }
    input
}

/// [`long_mixed_text`] written to `article.txt` in a new temporary directory.
fn long_mixed_article() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    let input = long_mixed_text();
    std::fs::write(&path, &input).unwrap();
    (dir, path, input)
}

/// Standard output to a regular file (where unchanged spans are copied by the kernel), opened
/// for writing and for appending after what it holds: the same bytes as through a pipe.
#[test]
fn standard_output_to_a_file_gets_the_same_bytes_as_a_pipe() {
    let (dir, path, input) = long_mixed_article();
    let expected = redirected(GENERAL, &path);
    assert!(expected.stdout != input.as_bytes() && expected.status.success());
    assert_same(&redirected(LINE, &path), &expected, "stdout to a pipe");
    for append in [false, true] {
        let out_path = dir.path().join(format!("out-{append}.txt"));
        std::fs::write(&out_path, "already there\n").unwrap();
        let out = std::fs::OpenOptions::new().write(true).append(append).truncate(!append).open(&out_path).unwrap();
        let status = bin(LINE).arg("-").stdin(File::open(&path).unwrap()).stdout(out).status().unwrap();
        assert!(status.success(), "append: {append}");
        let mut wanted = if append { b"already there\n".to_vec() } else { Vec::new() };
        wanted.extend_from_slice(&expected.stdout);
        assert!(std::fs::read(&out_path).unwrap() == wanted, "append: {append}: the output file differs");
    }
}

/// Standard output to a regular file is written as the input is read, and taken back when the
/// input turns out to be binary (a NUL byte) or not UTF-8 at its end: the file then holds what
/// it held before and nothing of a repair, and then the general path's answer (the input
/// echoed, or nothing), whether the file was empty or already held text the output follows.
#[test]
fn output_to_a_file_is_taken_back_when_the_end_of_the_input_is_not_plain_text() {
    let start = format!("caf\u{c3}\u{a9}\n{}", "plain line and Zürich\n".repeat(100_000)).into_bytes();
    let cases: [(&[u8], &str); 2] = [(b"Caf\xe9 au lait\n", "not UTF-8"), (b"end\0\n", "NUL byte")];
    for (end, what) in cases {
        let input = [&start[..], end].concat();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("article.txt");
        std::fs::write(&path, &input).unwrap();
        let expected = redirected(GENERAL, &path);
        for before in [&b""[..], b"already there\n"] {
            let out_path = dir.path().join("out.txt");
            std::fs::write(&out_path, before).unwrap();
            let mut out = std::fs::OpenOptions::new().write(true).open(&out_path).unwrap();
            std::io::Seek::seek(&mut out, std::io::SeekFrom::End(0)).unwrap();
            let run = bin(LINE).arg("-").stdin(File::open(&path).unwrap()).stdout(out).output().unwrap();
            assert_eq!(run.status.code(), expected.status.code(), "{what}: {}", text(&run.stderr));
            assert_eq!(text(&run.stderr), text(&expected.stderr), "{what}");
            let wanted = [before, &expected.stdout[..]].concat();
            assert!(std::fs::read(&out_path).unwrap() == wanted, "{what}, {} bytes before", before.len());
        }
    }
}

/// Standard input shares its offset with the caller: it is repaired from where the caller
/// left it to its end, and left at its end.
#[test]
fn standard_input_is_read_from_its_offset_to_its_end() {
    use std::io::{Read, Seek};
    let (dir, path, input) = long_mixed_article();
    let skip = input.find('\n').unwrap() + 1;
    let rest = dir.path().join("rest.txt");
    std::fs::write(&rest, &input[skip..]).unwrap();
    let expected = redirected(GENERAL, &rest);
    let mut file = File::open(&path).unwrap();
    file.read_exact(&mut vec![0; skip]).unwrap();
    let out = bin(LINE).arg("-").stdin(file.try_clone().unwrap()).output().unwrap();
    assert_same(&out, &expected, "stdin from an offset");
    assert_eq!(file.stream_position().unwrap(), input.len() as u64, "stdin is left at its end");
}
