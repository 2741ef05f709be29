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
    about = "Checks and repairs news-article files; a language server for editing them",
    long_about = "Checks and repairs news-article files. Without a command (or with --stdio, or `serve`) it runs the language server over standard input and output."
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run the language server over stdio (the default; accepted because editor clients pass it).
    #[arg(long, global = true)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server over standard input and output (the default).
    Serve,
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
        /// With --write: also rewrite read-only files, and hard-linked files in place.
        #[arg(long, requires = "write")]
        force: bool,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[arg(long, value_name = "RFC3339", hide = true)]
        now: Option<Timestamp>,
    },
    /// Print the front matter schema as JSON Schema (draft 2020-12), e.g. for yaml-language-server.
    Schema {
        /// Take required and extra fields from this configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
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
            return ExitCode::from(if usage_error { cli::EXIT_TROUBLE } else { cli::EXIT_CLEAN });
        }
    };
    // Locked per command: the server writes stdout from another thread and must not find it
    // locked here.
    let (out, err) = (std::io::stdout(), std::io::stderr());
    let status = match args.command {
        Some(Command::Check { paths, format, config, now }) => {
            let format = match format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
            };
            let options = CheckOptions { paths, format, config, now: now.unwrap_or_else(Timestamp::now) };
            cli::check(&options, &mut out.lock(), &mut err.lock())
        }
        Some(Command::Fix { paths, only, write, force, config, now }) => {
            let options = FixOptions { paths, only, write, force, config, now: now.unwrap_or_else(Timestamp::now) };
            cli::fix(&options, &mut out.lock(), &mut err.lock())
        }
        Some(Command::Schema { config }) => print_schema(config.as_deref()),
        Some(Command::Serve) | None => serve(),
    };
    ExitCode::from(status)
}

/// Runs the language server until the client sends `exit` (or closes the stream), then stops
/// without waiting for background work: a client that asked us to exit wants us gone.
fn serve() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return cli::EXIT_TROUBLE;
        }
    };
    runtime.block_on(article_lsp::server::serve_stdio());
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    cli::EXIT_CLEAN
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
