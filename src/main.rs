//! The `article-lsp` binary: argument parsing and dispatch, nothing else.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use article_lsp::analysis::Code;
use article_lsp::cli::{self, CheckOptions, ColorChoice, FixOptions, Format};
use clap::{Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

#[derive(Parser)]
#[command(
    name = "article-lsp",
    version,
    about = "Checks and repairs news-article files; a language server for editing them",
    long_about = "Checks and repairs news-article files (YAML front matter articles and plain-text \
scraped articles). Without a command (or with --stdio, or `serve`) it runs the language server \
over standard input and output.",
    after_help = "Exit status of check and fix: 0 clean (warnings allowed), 1 an error-severity finding, \
2 usage or I/O errors."
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run the language server over standard input and output (the default; accepted because
    /// editor clients pass it).
    #[arg(long)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server over standard input and output (the default).
    Serve {
        /// Accepted for editor clients that pass it; the server always uses stdio.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Report problems in article files.
    #[command(after_help = "Exit status: 0 no error-severity finding (warnings allowed), 1 at least one \
error (0 with --exit-zero), 2 usage or I/O errors (a missing, unreadable or binary file, a bad \
configuration); every format reports those too.")]
    Check {
        /// Files, directories (walked recursively, honouring .gitignore) or `-` for stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format: `human` (a code frame per finding), `concise` (one line per finding),
        /// `json` (JSON Lines), `github` (GitHub Actions annotations), `sarif` (SARIF 2.1.0).
        #[arg(long, visible_alias = "format", value_enum, default_value_t = FormatArg::Human, value_name = "FORMAT")]
        output_format: FormatArg,
        /// Report only these codes (comma separated), e.g. `--select invalid-date,mojibake`.
        #[arg(long, value_delimiter = ',', value_parser = parse_code, value_name = "CODE,...")]
        select: Option<Vec<Code>>,
        /// Never report these codes (comma separated); wins over --select.
        #[arg(long, value_delimiter = ',', value_parser = parse_code, value_name = "CODE,...")]
        ignore: Vec<Code>,
        /// Print only the findings, no summary.
        #[arg(short, long)]
        quiet: bool,
        /// Colour human and concise output: `auto` on a terminal unless NO_COLOR is set.
        #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
        color: ColorArg,
        /// Print a count per code (with `[*]` where `fix` repairs them all) instead of the findings.
        #[arg(long)]
        statistics: bool,
        /// Exit 0 even when error-severity findings are reported (I/O errors still exit 2).
        #[arg(long)]
        exit_zero: bool,
        /// Use this configuration file instead of the nearest article-lsp.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Pretend the current time is this RFC 3339 instant (reproducible future-date checks).
        #[arg(long, value_name = "RFC3339", hide = true)]
        now: Option<Timestamp>,
    },
    /// Apply the safe repairs (mojibake, transcoding to UTF-8, date notations of the same instant):
    /// print a diff, or rewrite the files with --write.
    #[command(long_about = "Apply the safe repairs: mojibake, transcoding a non-UTF-8 file to UTF-8, and \
date notations that denote exactly the same instant (`2021-09-26 06:17:00+0300` -> \
`2021-09-26T06:17:00+03:00`). Without --write it prints a unified diff of every change (a \
transcoding as one line, `would convert FILE from windows-1252 to UTF-8`); with --write it \
rewrites each file atomically, keeping its byte-order mark, line endings, owner and mode. \
`fix -` reads standard input and writes the repaired text to standard output.")]
    Fix {
        /// Files, directories or `-` (stdin to stdout).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Only apply fixes for these codes (comma separated), e.g. `--only mojibake`.
        #[arg(long, value_delimiter = ',', value_parser = parse_code, value_name = "CODE,...")]
        only: Option<Vec<Code>>,
        /// Rewrite the files in place (atomically) instead of printing a diff.
        #[arg(long)]
        write: bool,
        /// With --write: also rewrite read-only files, and hard-linked files in place.
        #[arg(long, requires = "write")]
        force: bool,
        /// Use this configuration file instead of the nearest article-lsp.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Pretend the current time is this RFC 3339 instant.
        #[arg(long, value_name = "RFC3339", hide = true)]
        now: Option<Timestamp>,
        /// Analyse whole texts even when --only names only line-local fixes (for tests).
        #[arg(long, hide = true)]
        whole_text: bool,
    },
    /// Print the front matter schema as JSON Schema (draft 2020-12), e.g. for yaml-language-server.
    Schema {
        /// Take required and extra fields from this configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Human,
    Concise,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn parse_code(name: &str) -> Result<Code, String> {
    Code::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown code `{name}`; known codes: {}", known.join(", "))
    })
}

/// The machine format a `check` command line asked for, read from the raw arguments because
/// clap could not parse them: usage errors must reach a JSON or SARIF consumer too.
fn requested_machine_format() -> Option<Format> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "check") {
        return None;
    }
    let value = args.iter().enumerate().find_map(|(i, arg)| {
        let (flag, inline) = arg.split_once('=').map_or((arg.as_str(), None), |(f, v)| (f, Some(v)));
        let is_format = flag == "--output-format" || flag == "--format";
        is_format.then(|| inline.map(str::to_string).or_else(|| args.get(i + 1).cloned())).flatten()
    })?;
    match FormatArg::from_str(&value, true).ok()? {
        FormatArg::Human | FormatArg::Concise => None,
        machine => Some(format(machine)),
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Human => Format::Human,
        FormatArg::Concise => Format::Concise,
        FormatArg::Json => Format::Json,
        FormatArg::Github => Format::Github,
        FormatArg::Sarif => Format::Sarif,
    }
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            if let Some(format) = err.use_stderr().then(requested_machine_format).flatten() {
                let rendered = err.to_string();
                let message = rendered.lines().next().unwrap_or("").trim_start_matches("error: ");
                let status = cli::usage_error(format, message, &mut std::io::stdout(), &mut std::io::stderr());
                return ExitCode::from(status);
            }
            let _ = err.print();
            let usage_error = err.use_stderr();
            return ExitCode::from(if usage_error { cli::EXIT_TROUBLE } else { cli::EXIT_CLEAN });
        }
    };
    // Locked per command: the server writes stdout from another thread and must not find it
    // locked here.
    let (out, err) = (std::io::stdout(), std::io::stderr());
    let status = match args.command {
        Some(Command::Check {
            paths,
            output_format,
            select,
            ignore,
            quiet,
            color,
            statistics,
            exit_zero,
            config,
            now,
        }) => {
            if statistics && matches!(output_format, FormatArg::Github | FormatArg::Sarif) {
                eprintln!("error: --statistics works with the human, concise and json formats");
                return ExitCode::from(cli::EXIT_TROUBLE);
            }
            let color = match color {
                ColorArg::Auto => ColorChoice::Auto,
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
            };
            let options = CheckOptions {
                paths,
                format: format(output_format),
                config,
                now: now.unwrap_or_else(Timestamp::now),
                select,
                ignore,
                quiet,
                color: color.enabled(),
                statistics,
                exit_zero,
            };
            cli::check(&options, &mut out.lock(), &mut err.lock())
        }
        Some(Command::Fix { paths, only, write, force, config, now, whole_text }) => {
            let now = now.unwrap_or_else(Timestamp::now);
            let options = FixOptions { paths, only, write, force, config, now, whole_text };
            cli::fix(&options, &mut out.lock(), &mut err.lock())
        }
        Some(Command::Schema { config }) => print_schema(config.as_deref()),
        Some(Command::Serve { .. }) | None => serve(),
    };
    ExitCode::from(status)
}

/// Runs the language server until the client sends `exit` (or closes the stream), then stops
/// without waiting for background work: a client that asked us to exit wants us gone. Exits
/// with 0 after `shutdown`, 1 without it.
fn serve() -> u8 {
    // Someone who typed `article-lsp` in a terminal should not face a silent wait.
    if std::io::stdin().is_terminal() {
        eprintln!("article-lsp: a language server, waiting for LSP messages on standard input (see --help)");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return cli::EXIT_TROUBLE;
        }
    };
    let outcome = runtime.block_on(article_lsp::server::serve_stdio());
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    outcome.exit_code()
}

fn print_schema(config: Option<&std::path::Path>) -> u8 {
    let config = match config.map(article_lsp::config::Config::load).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(err) => {
            eprintln!("error: {err}");
            return cli::EXIT_TROUBLE;
        }
    };
    let schema = cli::schema::json_schema(&config);
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => {
            println!("{text}");
            cli::EXIT_CLEAN
        }
        Err(err) => {
            eprintln!("error: {err}");
            cli::EXIT_TROUBLE
        }
    }
}
