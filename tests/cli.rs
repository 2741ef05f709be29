//! The real `article-lsp` binary as a process: exit codes, output formats, stdin, and `fix`.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-01-01T00:00:00Z";

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_article-lsp"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str], dir: &Path) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

const CLEAN: &str = "---\ntitle: \"Port reopens\"\npublishedDateTime: 2021-09-26T06:17:00Z\nwebUrl: \"https://harbour.example.com/a\"\nprovider:\n  name: Harbour\n  domain: harbour.example.com\n---\nBody.\n";

#[test]
fn examples_report_their_defects_and_exit_1() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let out = run(&["check", "--now", NOW, examples.to_str().unwrap()], Path::new("."));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("error[invalid-date]: `2023-02-30T08:00:00Z` cannot exist: February 2023 has 28 days"),
        "{text}"
    );
    assert!(text.contains("warning[mojibake]"), "{text}");
    assert!(text.contains("2021-09-embassy-page.txt:18:1: error[invalid-date]"), "{text}");
    let summary: Vec<&str> = text.lines().rev().take(2).collect();
    assert_eq!(summary, ["1 fixable with `article-lsp fix`", "found 6 errors, 4 warnings in 3 of 6 files"], "{text}");
    // The clean articles stay silent.
    assert!(!text.contains("2022-03-14-protein-folding.md:"), "{text}");
    assert!(!text.contains("2021-11-28-certificate-talks.md:"), "{text}");
}

#[test]
fn clean_file_exits_0_with_a_summary() {
    let dir = temp_with(&[("a.md", CLEAN.as_bytes())]);
    let out = run(&["check", "--now", NOW, "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "checked 1 file: no problems found\n");
}

#[test]
fn warnings_alone_exit_0() {
    let text = CLEAN.replace("Body.", "Fine, but the Organizationâ€™s name is mangled.");
    let dir = temp_with(&[("a.md", text.as_bytes())]);
    let out = run(&["check", "--now", NOW, "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("a.md:9:27: warning[mojibake]"), "{}", stdout(&out));
}

#[test]
fn json_lines_have_exclusive_ends_and_character_columns() {
    let text = CLEAN
        .replace("Body.", "Ζ 😀 2021-02-30")
        .replace("Body", "")
        .replace("Ζ 😀 2021-02-30", "2021-02-30 Ζ 😀 Lavrovâ€™s");
    let dir = temp_with(&[("a.md", text.as_bytes())]);
    let out = run(&["check", "--format", "json", "--now", NOW, "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    let date = &lines[0];
    assert_eq!(date["code"], "invalid-date");
    assert_eq!((date["line"].as_u64(), date["column"].as_u64()), (Some(9), Some(1)));
    assert_eq!((date["end_line"].as_u64(), date["end_column"].as_u64()), (Some(9), Some(11)));
    assert_eq!(date["severity"], "error");
    assert_eq!(date["path"], "a.md");
    let mojibake = &lines[1];
    assert_eq!(mojibake["code"], "mojibake");
    // "2021-02-30 Ζ 😀 Lavrov" is 21 characters: the run starts at column 22 and is 3 long.
    assert_eq!((mojibake["column"].as_u64(), mojibake["end_column"].as_u64()), (Some(22), Some(25)));
    assert!(mojibake["message"].as_str().unwrap().contains('’'));
}

#[test]
fn stdin_is_checked_as_dash() {
    let out = run_stdin(&["check", "--now", NOW, "-"], b"---\ntitle: x\n");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("-:1:1: error[unterminated-front-matter]"), "{text}");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = temp_with(&[("a.md", CLEAN.as_bytes())]);
    let out = run(&["check", "missing.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.md: no such file or directory"), "{}", stderr(&out));

    let out = run(&["check", "--format", "yaml", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["fix", "--only", "nonsense", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown code `nonsense`"), "{}", stderr(&out));

    std::os::unix::fs::symlink(dir.path().join("gone.md"), dir.path().join("dangling.md")).unwrap();
    let out = run(&["check", "dangling.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn binary_files_are_refused_clearly() {
    let dir = temp_with(&[("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")]);
    let out = run(&["check", "image.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("image.txt: binary file (NUL byte at offset 8)"), "{}", stderr(&out));
}

#[test]
fn legacy_encoded_files_get_not_utf8_and_fix_transcodes() {
    let dir = temp_with(&[("old.txt", b"Caf\xe9 in Z\xfcrich\n")]);
    let out = run(&["check", "old.txt"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("old.txt:1:4: error[not-utf8]"), "{}", stdout(&out));
    let out = run(&["fix", "--write", "old.txt"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("old.txt")).unwrap(), "Café in Zürich\n");
}

#[test]
fn bad_configuration_is_reported_with_its_location() {
    let dir = temp_with(&[("a.md", CLEAN.as_bytes()), ("article-lsp.toml", b"[severity]\nmojibake = \"loud\"\n")]);
    let out = run(&["check", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("article-lsp.toml:2:13: invalid severity `loud`"), "{err}");
}

#[test]
fn configuration_changes_severity_and_walks_only_articles() {
    let dir = temp_with(&[
        ("article-lsp.toml", b"[severity]\nmojibake = \"error\"\n[files]\ninclude = [\"*.md\"]\n"),
        ("news/a.md", CLEAN.replace("Body.", "cafÃ©").as_bytes()),
        ("news/notes.txt", b"2021-02-30 ignored: not an article under this configuration\n"),
        (".gitignore", b"ignored/\n"),
        ("ignored/b.md", b"---\nbroken: [\n---\n"),
    ]);
    let out = run(&["check", "--now", NOW, "."], dir.path());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("news/a.md:9:4: error[mojibake]"), "{text}");
    assert!(!text.contains("notes.txt") && !text.contains("b.md"), "{text}");
    assert!(text.ends_with("found 1 error, 0 warnings in 1 of 1 file\n1 fixable with `article-lsp fix`\n"), "{text}");
}

#[test]
fn fix_stdin_echoes_clean_input_byte_for_byte() {
    let input = b"no newline at the end \xe2\x80\x99 and \r\n CRLF";
    let out = run_stdin(&["fix", "-"], input);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, input);
}

#[test]
fn fix_stdin_repairs_mojibake_exactly() {
    let out = run_stdin(&["fix", "-"], "Organizationâ€™s members".as_bytes());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "Organization’s members");
}

#[test]
fn fix_only_touches_the_selected_codes() {
    let text = CLEAN.replace("2021-09-26T06:17:00Z", "2021-09-26 06:17:00+0300").replace("Body.", "cafÃ©");
    let out = run_stdin(&["fix", "--only", "mojibake", "-"], text.as_bytes());
    let fixed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(fixed, text.replace("cafÃ©", "café"));
    let out = run_stdin(&["fix", "-"], text.as_bytes());
    let fixed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(fixed, text.replace("cafÃ©", "café").replace("2021-09-26 06:17:00+0300", "2021-09-26T06:17:00+03:00"));
}

#[test]
fn fix_prints_a_diff_without_write_and_leaves_the_file() {
    let text = CLEAN.replace("Body.", "cafÃ©");
    let dir = temp_with(&[("a.md", text.as_bytes())]);
    let out = run(&["fix", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let diff = stdout(&out);
    assert!(diff.contains("--- a/a.md") && diff.contains("-cafÃ©") && diff.contains("+café"), "{diff}");
    assert!(stderr(&out).contains("would fix 1 problem in 1 file"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("a.md")).unwrap(), text);
}

#[test]
fn fix_write_is_atomic_and_keeps_bom_crlf_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let text = format!("\u{feff}{}", CLEAN.replace("Body.", "the ministerÃ¢â‚¬â„¢s words").replace('\n', "\r\n"));
    let dir = temp_with(&[("a.md", text.as_bytes())]);
    let path = dir.path().join("a.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(&["fix", "--write", "a.md"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(after, text.replace("Ã¢â‚¬â„¢", "’"));
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["a.md"], "no temporary file may be left behind");

    let again = run(&["fix", "--write", "a.md"], dir.path());
    assert!(stderr(&again).contains("fixed 0 problems in 0 files"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
}

#[test]
fn schema_is_json_schema_generated_from_the_field_table() {
    let dir = temp_with(&[(
        "c.toml",
        b"[schema]\nrequired = [\"title\", \"related.webUrl\"]\nextra-fields = [\"author\"]\n",
    )]);
    let out = run(&["schema"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["required"], serde_json::json!(["title", "publishedDateTime", "webUrl", "provider"]));
    assert_eq!(schema["properties"]["provider"]["required"], serde_json::json!(["name", "domain"]));
    assert_eq!(schema["properties"]["related"]["items"]["required"], serde_json::json!(["title", "webUrl"]));
    assert_eq!(schema["properties"]["publishedDateTime"]["format"], "date-time");
    assert_eq!(schema["properties"]["quality"]["type"], "integer");
    for field in article_lsp::analysis::schema::ARTICLE {
        assert!(schema["properties"][field.name]["description"].is_string(), "{}", field.name);
    }
    let out = run(&["schema", "--config", "c.toml"], dir.path());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["required"], serde_json::json!(["title"]));
    assert_eq!(schema["properties"]["related"]["items"]["required"], serde_json::json!(["webUrl"]));
    assert!(schema["properties"]["author"].is_object());
}
