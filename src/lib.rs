//! seenty-keys: a command-line manager for Seenty organization API keys.
//!
//! The binary is a thin shell over [`run`]. Arguments are parsed by [`cli`] into a raw
//! form, validated into a configuration, and dispatched to one module per command, which
//! works through a [`lifecycle::Session`]: the rules and the write protocol, over the
//! [`store::Store`] trait, which only persists. Rules without I/O live in [`domain`],
//! output in [`render`], errors and exit codes in [`error`].
//!
//! The public surface is what the tests, benches, fuzz targets and a verification
//! service use; everything else is `pub(crate)`:
//! - [`run`], the command line;
//! - [`store::open`], [`store::create`], [`store::Location`] and [`store::Store`] (reads,
//!   the clock, `record_uses`), and [`store::sqlite::connection_with_functions`] for a
//!   test that reads a store file;
//! - [`lifecycle::Session`] (built from a location and an [`lifecycle::Actor`], `Send`, no
//!   terminal) and [`lifecycle::verify::Verification`], whose verdict `verify --json`
//!   prints as [`render::VerifyJson`];
//! - [`domain`], the types those take (key codec, ids, names, expirations, plans);
//! - [`cli`] and [`assets`], from which completions and man pages are generated, and
//!   [`error`], the error type every call returns.

#![forbid(unsafe_code)]

pub mod assets;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub mod domain;
pub mod error;
pub(crate) mod leak;
pub mod lifecycle;
pub(crate) mod os;
pub use os::forbid_core_dumps;
pub mod render;
pub(crate) mod serve;
pub mod store;
pub(crate) mod term;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Command, Opts};
use crate::config::{Config, Terminals};
use crate::error::Exit;

/// Runs the tool on `args` (the program name first) and returns the exit status.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_some_and(|a| a == "generate-assets") {
        return match cli::GenerateAssetsArgs::try_parse_from(&args[1..]) {
            Ok(opts) => finish(commands::completions::generate_assets(&opts.out_dir), false),
            Err(e) => parse_error(&e),
        };
    }
    let opts = match Opts::try_parse_from(args) {
        Ok(opts) => opts,
        Err(e) => return parse_error(&e),
    };
    // Completions need no store, so no store location either.
    if let Command::Completions(args) = &opts.command {
        return finish(commands::completions::run(args.shell), false);
    }
    let config = match Config::new(&opts, Terminals::detect()) {
        Ok(config) => config,
        Err(e) => return finish(Err(e), false),
    };
    let ctx = commands::Ctx::new(config);
    let result = commands::dispatch(&ctx, opts.command);
    finish(
        result.map_err(|e| commands::explain(&ctx, e)),
        ctx.config.color_stderr,
    )
}

/// Help and version exit 0; every parse error exits 2 (usage). clap quotes the
/// offending argument, which may be a pasted key: it is redacted.
fn parse_error(e: &clap::Error) -> u8 {
    // A flag value our own parser refused: printed as a command's error would be.
    if let Some(error) = std::error::Error::source(e).and_then(|s| s.downcast_ref::<error::Error>())
    {
        term::print_error(error, false);
        return error.exit() as u8;
    }
    // clap quotes the offending argument, which may be a pasted key or hold escapes.
    let text = e.render().to_string();
    if e.use_stderr() {
        term::print_usage_error(&text);
    } else {
        let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    }
    if e.use_stderr() {
        Exit::Usage as u8
    } else {
        Exit::Success as u8
    }
}

/// Prints the error, if any, and returns the exit status.
fn finish(result: error::Result<Exit>, color: bool) -> u8 {
    match result {
        Ok(exit) => exit as u8,
        Err(e) => {
            if !e.is_silent() {
                term::print_error(&e, color);
            }
            e.exit() as u8
        }
    }
}
