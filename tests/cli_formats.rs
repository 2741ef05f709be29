//! `article-lsp check` output formats and options, through the real binary: golden files for the
//! GitHub and concise formats, SARIF validated against the official 2.1.0 schema, unreadable
//! files as records of every format, and the options people reach for by habit.
//! Run `UPDATE_EXPECT=1 cargo test --test cli_formats` to rewrite the golden files.

#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use expect_test::expect_file;

const NOW: &str = "2026-01-01T00:00:00Z";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cli")
}

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_article-lsp"));
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    dir
}

/// The golden articles plus a path that does not exist.
fn check_golden(format: &str) -> Output {
    run_in(&data_dir(), &["check", "--output-format", format, "--now", NOW, "articles", "missing.md"])
}

#[test]
fn github_format_matches_its_golden_file() {
    let out = check_golden("github");
    assert_eq!(out.status.code(), Some(2), "a missing path exits 2");
    expect_file!["data/cli/github.expected"].assert_eq(&stdout(&out));
}

#[test]
fn concise_format_matches_its_golden_file() {
    let out = check_golden("concise");
    assert_eq!(out.status.code(), Some(2));
    expect_file!["data/cli/concise.expected"].assert_eq(&stdout(&out));
    assert_eq!(stderr(&out), "error: missing.md: no such file or directory\n");
}

#[test]
fn github_escapes_what_would_break_a_workflow_command() {
    let dir = temp_with(&[("a,b:c.md", b"---\ntitle: [\n---\n")]);
    let out = run_in(dir.path(), &["check", "--format", "github", "--now", NOW, "a,b:c.md"]);
    let text = stdout(&out);
    assert!(text.starts_with("::error file=a%2Cb%3Ac.md,line="), "{text}");
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
}

fn sarif_schema() -> jsonschema::Validator {
    // The official OASIS SARIF 2.1.0 schema (as shipped in the serde-sarif crate's source).
    let text = std::fs::read_to_string(data_dir().join("sarif-schema-2.1.0.json")).unwrap();
    // The published schema's `run.language` pattern has a stray `]` that a strict meta-schema
    // check rejects as a regex; we never emit `language`, so mending it hides nothing.
    let text = text.replace("-[a-zA-Z]{2}]?$", "-[a-zA-Z]{2})?$").replace("^[a-zA-Z]{2}|^", "^([a-zA-Z]{2}|");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

fn assert_valid_sarif(log: &serde_json::Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_is_valid_and_has_what_code_scanning_needs() {
    let out = check_golden("sarif");
    assert_eq!(out.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&log);
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!sarif_schema().is_valid(&broken), "the schema check must be able to fail");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "article-lsp");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "mojibake" && r["helpUri"].as_str().unwrap().ends_with("#mojibake")));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{results:#?}");
    let date = &results[0];
    assert_eq!(date["ruleId"], "invalid-date");
    assert_eq!(date["level"], "error");
    assert_eq!(rules[date["ruleIndex"].as_u64().unwrap() as usize]["id"], "invalid-date");
    let location = &date["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "articles/2024-03-harbour-dredging.md");
    assert_eq!(location["region"]["startLine"], 3);
    assert_eq!(location["region"]["startColumn"], 20);
    assert_eq!(location["region"]["endColumn"], 40);
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(notification["message"]["text"], "no such file or directory");
    assert_eq!(notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "missing.md");
}

#[test]
fn sarif_of_a_clean_run_is_valid_and_successful() {
    let out = run_in(&data_dir(), &["check", "--format", "sarif", "--now", NOW, "articles/2024-03-tram-timetable.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn json_lines_carry_unreadable_files_as_io_error_records() {
    let dir = temp_with(&[("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\xff")]);
    let out = run_in(dir.path(), &["check", "--format", "json", "image.md", "gone.md"]);
    assert_eq!(out.status.code(), Some(2));
    let records: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(records[0]["code"], "io-error");
    assert_eq!(records[0]["path"], "gone.md");
    assert_eq!(records[0]["message"], "no such file or directory");
    assert_eq!(records[1]["code"], "io-error");
    assert_eq!(records[1]["path"], "image.md");
    assert!(records[1]["message"].as_str().unwrap().contains("binary file"), "{records:#?}");
}

#[test]
fn usage_errors_are_records_in_the_machine_formats_too() {
    let dir = temp_with(&[]);
    let out = run_in(dir.path(), &["check", "--format", "json", "--select", "nonsense", "."]);
    assert_eq!(out.status.code(), Some(2));
    let records: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["path"], serde_json::Value::Null);
    let message = records[0]["message"].as_str().unwrap();
    assert!(message.starts_with("usage: ") && message.contains("unknown code `nonsense`"), "{message}");
    assert!(stderr(&out).contains("unknown code `nonsense`"), "{}", stderr(&out));

    let out = run_in(dir.path(), &["check", "--output-format=sarif", "--bogus", "."]);
    assert_eq!(out.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid_sarif(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{log:#}");
    assert!(invocation.to_string().contains("--bogus"), "{log:#}");

    let out = run_in(dir.path(), &["check", "--format", "github", "--bogus", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).starts_with("::error") && stdout(&out).contains("--bogus"), "{}", stdout(&out));

    // People get clap's own message (with its usage line) and nothing on standard output.
    let out = run_in(dir.path(), &["check", "--bogus", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty() && stderr(&out).contains("Usage:"), "{}", stderr(&out));
}

#[test]
fn the_human_summary_never_says_no_problems_when_a_file_was_not_read() {
    let dir = temp_with(&[("a.md", b"---\ntitle: x\n---\n"), ("b.md", b"\x00\x01")]);
    let out = run_in(dir.path(), &["check", "--select", "invalid-date", "a.md", "b.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "checked 1 file; 1 file could not be read\n");
    assert!(stderr(&out).contains("error: b.md: binary file (NUL byte at offset 0)"), "{}", stderr(&out));
}

#[test]
fn select_and_ignore_choose_codes_and_decide_the_exit_status() {
    let out = run_in(
        &data_dir(),
        &["check", "--format", "concise", "--select", "mojibake,wrong-type", "--now", NOW, "articles"],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("[wrong-type]") && text.contains("[mojibake]"), "{text}");
    assert!(!text.contains("[invalid-date]") && !text.contains("[domain-mismatch]"), "{text}");

    let out = run_in(
        &data_dir(),
        &["check", "--format", "concise", "--ignore", "invalid-date,wrong-type", "--now", NOW, "articles"],
    );
    assert_eq!(out.status.code(), Some(0), "only warnings are left: {}", stdout(&out));
    assert!(stdout(&out).contains("found 0 errors, 2 warnings in 1 of 2 files"), "{}", stdout(&out));

    let out = run_in(&data_dir(), &["check", "--select", "nonsense", "articles"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown code `nonsense`"), "{}", stderr(&out));
}

#[test]
fn quiet_prints_findings_only_and_exit_zero_keeps_the_status_0() {
    let out = run_in(&data_dir(), &["check", "-q", "--format", "concise", "--now", NOW, "articles"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.lines().all(|l| l.starts_with("articles/2024-03-harbour-dredging.md:")), "{text}");

    let out = run_in(&data_dir(), &["check", "--exit-zero", "--now", NOW, "articles"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("found 2 errors"), "{}", stdout(&out));
    let out = run_in(&data_dir(), &["check", "--exit-zero", "articles", "missing.md"]);
    assert_eq!(out.status.code(), Some(2), "--exit-zero does not hide I/O errors");
}

#[test]
fn statistics_count_each_code_and_mark_what_fix_repairs() {
    let out = run_in(&data_dir(), &["check", "--statistics", "--now", NOW, "articles"]);
    assert_eq!(out.status.code(), Some(1));
    expect_file!["data/cli/statistics.expected"].assert_eq(&stdout(&out));

    let out = run_in(&data_dir(), &["check", "--statistics", "--format", "json", "--now", NOW, "articles"]);
    let rows: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.contains(&serde_json::json!({"code": "mojibake", "count": 1, "fixable": 1})), "{rows:#?}");

    let out = run_in(&data_dir(), &["check", "--statistics", "--format", "sarif", "articles"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn colour_follows_the_option_and_no_color() {
    let args = ["check", "--format", "concise", "--now", NOW, "articles/2024-03-harbour-dredging.md"];
    let colored = run_in(&data_dir(), &[&args[..], &["--color", "always"]].concat());
    assert!(stdout(&colored).contains("\x1b["), "{}", stdout(&colored));
    let plain = run_in(&data_dir(), &[&args[..], &["--color", "never"]].concat());
    assert!(!stdout(&plain).contains('\x1b'), "{}", stdout(&plain));
    // Not a terminal: `auto` stays plain; NO_COLOR is honoured and `always` still wins over it.
    let auto = run_in(&data_dir(), &args);
    assert!(!stdout(&auto).contains('\x1b'));
    let mut cmd = bin();
    cmd.env("NO_COLOR", "1").args([&args[..], &["--color", "always"]].concat()).current_dir(data_dir());
    assert!(stdout(&cmd.output().unwrap()).contains("\x1b["));
    // Machine formats are never coloured.
    let json = run_in(&data_dir(), &["check", "--format", "json", "--color", "always", "--now", NOW, "articles"]);
    assert!(!stdout(&json).contains('\x1b'));
}

#[test]
fn empty_files_get_a_warning_that_configuration_can_turn_off() {
    let dir = temp_with(&[("empty.md", b""), ("off.toml", b"[severity]\nempty-file = \"off\"\n")]);
    let out = run_in(dir.path(), &["check", "--format", "concise", "empty.md"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("empty.md:1:1: warning[empty-file]: the file is empty"), "{}", stdout(&out));
    let out = run_in(dir.path(), &["check", "--config", "off.toml", "empty.md"]);
    assert_eq!(stdout(&out), "checked 1 file: no problems found\n");
}

#[test]
fn a_utf16_file_with_a_bom_is_text_not_binary() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "---\ntitle: Zürich\n---\nBody.\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    let dir = temp_with(&[("utf16.md", &bytes)]);
    let out = run_in(dir.path(), &["check", "--format", "concise", "utf16.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("binary"), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("utf16.md:1:1: error[not-utf8]") && text.contains("UTF-16LE"), "{text}");
    assert!(text.contains("[missing-field]"), "the decoded text is checked: {text}");
}

#[test]
fn fix_shows_a_transcoding_as_one_line_plus_the_diff_of_the_decoded_text() {
    let article = b"---\ntitle: Caf\xe9 owners\npublishedDateTime: 2021-09-26 06:17:00+0300\n---\nZ\xfcrich.\n";
    let dir = temp_with(&[("plain.txt", b"Caf\xe9 in Z\xfcrich\n"), ("article.md", article)]);
    let out = run_in(dir.path(), &["fix", "plain.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "would convert plain.txt from windows-1252 to UTF-8\n");
    assert!(stderr(&out).contains("would fix 1 problem in 1 file"), "{}", stderr(&out));

    let out = run_in(dir.path(), &["fix", "article.md"]);
    let text = stdout(&out);
    assert!(text.starts_with("would convert article.md from windows-1252 to UTF-8\n--- a/article.md\n"), "{text}");
    assert!(
        text.contains("-publishedDateTime: 2021-09-26 06:17:00+0300\n+publishedDateTime: 2021-09-26T06:17:00+03:00\n"),
        "{text}"
    );
    assert!(text.contains(" title: Café owners\n"), "the diff shows the decoded text: {text}");
}

#[test]
fn fix_stdin_refuses_binary_input_like_a_file() {
    let out = run_stdin(&["fix", "-"], b"\x00\x01");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "binary input must not be echoed as if repaired");
    assert!(stderr(&out).contains("-: binary file (NUL byte at offset 0)"), "{}", stderr(&out));
}

/// Runs `check` with stdout going to a file, killing it if it has not finished in `limit`.
fn run_bounded(dir: &Path, args: &[&str], limit: std::time::Duration) -> (Option<i32>, String) {
    let out_path = dir.join("stdout.txt");
    let out_file = std::fs::File::create(&out_path).unwrap();
    let mut child = bin().args(args).current_dir(dir).stdout(out_file).stderr(Stdio::null()).spawn().unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("`check {args:?}` did not finish within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    (status.code(), std::fs::read_to_string(out_path).unwrap())
}

/// Issue 9 item 8: every finding on a long line used to recount the line from its start and
/// copy all of it, so 2,000 findings on a 4 MB line took minutes; now it is one pass. Not a
/// benchmark: the limit only catches the quadratic behaviour coming back.
#[test]
fn many_findings_on_one_long_line_render_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let line: String = (0..2000).map(|_| format!("{}\u{1}", "a".repeat(2000))).collect();
    std::fs::write(dir.path().join("wide.txt"), format!("Body: {line}\n")).unwrap();
    let (code, text) = run_bounded(dir.path(), &["check", "wide.txt"], std::time::Duration::from_secs(60));
    assert_eq!(code, Some(0));
    assert!(text.ends_with("found 0 errors, 2000 warnings in 1 of 1 file\n"), "{}", &text[text.len() - 200..]);
    // The last finding is located exactly: 1,999 runs of 2,001 characters, after "Body: ".
    let last_column = 6 + 1999 * 2001 + 2000 + 1;
    assert!(text.contains(&format!("wide.txt:1:{last_column}: warning[control-char]")), "{last_column}");
}

/// Issue 9 item 11: `check` used to keep every file's text until all were checked and print
/// nothing before the end. Now each chunk of files is printed, in order, as soon as it is
/// checked: here the first files' findings appear while standard input (the last input) is
/// still open, so nothing of theirs need be held.
#[test]
fn findings_are_printed_file_by_file_before_all_inputs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["check".to_string(), "--format".to_string(), "concise".to_string()];
    for i in 0..12 {
        let name = format!("f{i:02}.md");
        std::fs::write(dir.path().join(&name), "cafÃ©\n").unwrap();
        args.push(name);
    }
    args.push("-".to_string());
    let out_path = dir.path().join("stdout.txt");
    let mut child = bin()
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&out_path).unwrap().contains("f00.md:1:4:") {
        assert!(started.elapsed().as_secs() < 60, "nothing printed while standard input was open");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stdin.write_all(b"\x01").unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let text = std::fs::read_to_string(&out_path).unwrap();
    let names: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    let mut expected: Vec<String> = (0..12).map(|i| format!("f{i:02}.md")).collect();
    expected.extend(["-".to_string(), "found 0 errors, 13 warnings in 13 of 13 files".to_string()]);
    assert_eq!(names[..14], expected[..], "{text}");
}

#[test]
fn help_describes_every_option_and_only_the_server_takes_stdio() {
    for command in ["check", "fix", "schema"] {
        let text = stdout(&bin().args([command, "--help"]).output().unwrap());
        assert!(!text.contains("--stdio"), "{command}: {text}");
        // In the short help every option is one line: its name, then its description.
        let short = stdout(&bin().args([command, "-h"]).output().unwrap());
        let options = short.split("Options:").nth(1).unwrap();
        for line in options.lines().filter(|l| l.starts_with("  -")) {
            assert!(line.trim().contains("  "), "{command}: option without a description: {line}");
        }
    }
    let fix = stdout(&bin().args(["fix", "--help"]).output().unwrap());
    assert!(fix.contains("date notations"), "{fix}");
    let check = stdout(&bin().args(["check", "--help"]).output().unwrap());
    for option in ["--output-format", "--select", "--ignore", "--quiet", "--color", "--statistics", "--exit-zero"] {
        assert!(check.contains(option), "{option}: {check}");
    }
    let top = stdout(&bin().arg("--help").output().unwrap());
    assert!(top.contains("--stdio"), "{top}");
}

/// Bare `article-lsp` typed in a terminal says what it is doing instead of waiting silently;
/// started by an editor (stdin a pipe) it writes nothing but the protocol. `script` (util-linux,
/// essential on Debian) gives the process a terminal; its end of input ends the server.
#[test]
fn bare_invocation_on_a_terminal_explains_itself_then_serves() {
    let binary = env!("CARGO_BIN_EXE_article-lsp");
    let out = Command::new("script")
        .args(["-q", "-e", "-c", binary, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("`script` (util-linux) runs the server on a terminal");
    // The exit status is the server's (end of input without `shutdown`), not this test's concern.
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        shown.trim_end(),
        "article-lsp: a language server, waiting for LSP messages on standard input (see --help)"
    );

    let piped = bin().stdin(Stdio::null()).output().unwrap();
    assert!(piped.stderr.is_empty() && piped.stdout.is_empty(), "{}", stderr(&piped));
}
