//! `scan`: finding keys in files, git history and standard input, its output formats, the
//! pre-commit hook, and the peer scanners taught Seenty keys.

mod command;
mod formats;
mod git;
mod memory;
mod peers;
mod precommit;
mod search;
