//! `completions SHELL` and the hidden `generate-assets`: the shell scripts and man pages
//! of [`crate::assets`], printed or written to the repository.

use std::io::Write;
use std::path::Path;

use clap_complete::Shell;

use crate::assets;
use crate::error::{Exit, Result};

use super::print_line;

pub(crate) fn run(shell: Shell) -> Result<Exit> {
    let mut out = std::io::stdout().lock();
    out.write_all(&assets::completion(shell))?;
    out.flush()?;
    Ok(Exit::Success)
}

/// Writes `completions/` and `man/` under `dir`, one line per file on stdout.
pub(crate) fn generate_assets(dir: &Path) -> Result<Exit> {
    for path in assets::write_all(dir)? {
        print_line(&path.display().to_string())?;
    }
    Ok(Exit::Success)
}
