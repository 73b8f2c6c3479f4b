//! The terminal: prompts (dialoguer, on stderr) and the `error:` / `warning:` lines.
//!
//! Prompts are only ever shown when [`crate::config::Terminals::can_prompt`] holds; the
//! commands check that first and fall back to a flag or a usage error. Every text shown
//! here passes through [`render::message`]: a key quoted in a message shows as its hint,
//! and a control character typed into an argument is shown escaped.

use std::io::Write;

use dialoguer::console::Term;
use dialoguer::{Confirm, Input, Password, Select};
use zeroize::Zeroizing;

use crate::domain::plan::Plan;
use crate::error::{Error, Result};
use crate::render::{self, plan_terms};

fn prompt_error(e: dialoguer::Error) -> Error {
    Error::Prompt(e.to_string())
}

/// A yes/no question; Enter (or Esc) answers no.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    let answer = Confirm::new()
        .with_prompt(render::message(question))
        .default(false)
        .interact_on_opt(&Term::stderr())
        .map_err(prompt_error)?;
    Ok(answer.unwrap_or(false))
}

/// Asks for a line of text until `validate` accepts it.
pub(crate) fn ask_text<V>(question: &str, validate: V) -> Result<String>
where
    V: Fn(&str) -> Result<String, String>,
{
    let answer: String = Input::new()
        .with_prompt(render::message(question))
        .validate_with(|text: &String| validate(text).map(|_| ()).map_err(|e| render::message(&e)))
        .interact_text_on(&Term::stderr())
        .map_err(prompt_error)?;
    validate(&answer).map_err(Error::Prompt)
}

/// A secret, typed without echo; Enter submits. Wiped when dropped.
pub(crate) fn ask_secret(question: &str) -> Result<Zeroizing<Vec<u8>>> {
    // The prompt turns echo off only after it is shown: a key pasted the moment the
    // prompt appears would be echoed in between. Off before it, back as it was after.
    let _quiet = NoEcho::start();
    let answer = Zeroizing::new(
        Password::new()
            .with_prompt(question)
            .allow_empty_password(true)
            .interact_on(&Term::stderr())
            .map_err(prompt_error)?,
    );
    Ok(Zeroizing::new(answer.as_bytes().to_vec()))
}

/// The terminal's echo, off while this lives (on the terminal the prompt reads: standard
/// input when it is one, else `/dev/tty`). Nothing to undo when there is no terminal.
struct NoEcho {
    tty: Option<std::fs::File>,
    saved: rustix::termios::Termios,
}

impl NoEcho {
    fn start() -> Option<Self> {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let stdin = std::io::stdin();
        let tty = if rustix::termios::isatty(&stdin) {
            None
        } else {
            Some(std::fs::File::open("/dev/tty").ok()?)
        };
        let saved = match &tty {
            Some(file) => tcgetattr(file),
            None => tcgetattr(&stdin),
        }
        .ok()?;
        let mut quiet = saved.clone();
        quiet.local_modes -= LocalModes::ECHO;
        let set = match &tty {
            Some(file) => tcsetattr(file, OptionalActions::Now, &quiet),
            None => tcsetattr(&stdin, OptionalActions::Now, &quiet),
        };
        set.ok().map(|()| Self { tty, saved })
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        use rustix::termios::{OptionalActions, tcsetattr};
        let _ = match &self.tty {
            Some(file) => tcsetattr(file, OptionalActions::Now, &self.saved),
            None => tcsetattr(std::io::stdin(), OptionalActions::Now, &self.saved),
        };
    }
}

/// Picks one of `plans`; the first that can have keys is the default.
pub(crate) fn choose_plan(plans: &[Plan]) -> Result<&Plan> {
    let labels: Vec<String> = plans
        .iter()
        .map(|p| format!("{} ({})", p.name, plan_terms(p)))
        .collect();
    let default = plans.iter().position(|p| p.api_access).unwrap_or(0);
    let index = Select::new()
        .with_prompt("Plan")
        .items(&labels)
        .default(default)
        .interact_on(&Term::stderr())
        .map_err(prompt_error)?;
    plans.get(index).ok_or(Error::Declined)
}

/// The columns of the terminal on stdout: its size, else `COLUMNS`, else 80.
pub(crate) fn stdout_width() -> usize {
    Term::stdout()
        .size_checked()
        .map(|(_, cols)| usize::from(cols))
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .filter(|&cols| cols > 0)
        .unwrap_or(80)
}

/// `error: <what>` and, where one helps, a line with the fix.
pub(crate) fn print_error(error: &Error, color: bool) {
    let mut stderr = std::io::stderr().lock();
    let label = if color {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    };
    let _ = writeln!(stderr, "{label} {}", render::message(&error.to_string()));
    if let Some(hint) = error.hint() {
        let _ = writeln!(stderr, "  {}", render::message(&hint));
    }
}

pub(crate) fn print_warning(message: &str, color: bool) {
    let label = if color {
        "\x1b[1;33mwarning:\x1b[0m"
    } else {
        "warning:"
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "{label} {}",
        render::message(message)
    );
}

/// A parse error as clap renders it (several lines: the error, the usage, a pointer to
/// `--help`), each line passed through [`render::message`].
pub(crate) fn print_usage_error(text: &str) {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&render::message(line));
        out.push('\n');
    }
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}
