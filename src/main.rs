//! The `article-lsp` binary: argument parsing and dispatch, nothing else.

use std::path::PathBuf;
use std::process::ExitCode;

use article_lsp::analysis::Code;
use article_lsp::cli::{self, CheckOptions, FixOptions, Format};
use clap::{Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

#[derive(Parser)]
#[command(
    name = "article-lsp",
    version,
    about = "Checks and repairs news-article files; a language server for editing them"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Report problems in article files (exit 1 on any error-severity finding, 2 on usage or IO errors).
    Check {
        /// Files, directories (walked recursively, honouring .gitignore) or `-` for stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Use this configuration file instead of the nearest article-lsp.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Pretend the current time is this RFC 3339 instant (reproducible future-date checks).
        #[arg(long, value_name = "RFC3339", hide = true)]
        now: Option<Timestamp>,
    },
    /// Apply safe repairs (mojibake, transcoding to UTF-8): print a diff, or rewrite with --write.
    Fix {
        /// Files, directories or `-` (stdin to stdout).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Only apply fixes for these codes (comma separated), e.g. `--only mojibake`.
        #[arg(long, value_delimiter = ',', value_parser = parse_code)]
        only: Option<Vec<Code>>,
        /// Rewrite the files in place (atomically) instead of printing a diff.
        #[arg(long)]
        write: bool,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[arg(long, value_name = "RFC3339", hide = true)]
        now: Option<Timestamp>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
}

fn parse_code(name: &str) -> Result<Code, String> {
    Code::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown code `{name}`; known codes: {}", known.join(", "))
    })
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            let usage_error = err.use_stderr();
            return ExitCode::from(if usage_error {
                cli::EXIT_TROUBLE
            } else {
                cli::EXIT_CLEAN
            });
        }
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let status = match args.command {
        Some(Command::Check {
            paths,
            format,
            config,
            now,
        }) => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
            };
            let options = CheckOptions {
                paths,
                format,
                config,
                now: now.unwrap_or_else(Timestamp::now),
            };
            cli::check(&options, &mut out, &mut err)
        }
        Some(Command::Fix {
            paths,
            only,
            write,
            config,
            now,
        }) => {
            let options = FixOptions {
                paths,
                only,
                write,
                config,
                now: now.unwrap_or_else(Timestamp::now),
            };
            cli::fix(&options, &mut out, &mut err)
        }
        None => {
            let _ = <Args as clap::CommandFactory>::command().print_help();
            cli::EXIT_TROUBLE
        }
    };
    ExitCode::from(status)
}
