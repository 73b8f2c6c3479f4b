//! The integration tests, as one test binary: each module is one area of the tool, run
//! against the real binary (`common`). One binary links once, where a binary per file
//! linked the library and the test dependencies into each of them.
//!
//! A module keeps process-wide state out of the tests (no `env::set_var`, no
//! `set_current_dir`): the tests of every module share this process.

mod common;

mod cli;
mod reliability;
mod scan;
mod serve;
mod serve_edge;
mod serve_leaks;
mod store;
