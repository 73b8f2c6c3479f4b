//! The integration tests, as one test binary: each module is one area of the tool, run
//! against the real binary (`common`). One binary links once, where a binary per file
//! linked the library and the test dependencies into each of them.
//!
//! A module keeps process-wide state out of the tests (no `env::set_var`, no
//! `set_current_dir`): the tests of every module share this process.

mod common;

mod audit_flood;
mod batch;
mod batch_live;
mod bulk_revoke;
mod completions;
mod concurrency;
mod delivery;
mod edges_text;
mod export_import;
mod generate;
mod import_rules;
mod key_format;
mod log;
mod man;
mod messages;
mod names;
mod orgs;
mod output;
mod policy;
mod postgres;
mod postgres_outcomes;
mod prompts;
mod reliability_concurrency;
mod reliability_crash;
mod reliability_faults;
mod reliability_hostile;
mod reliability_operations;
mod reliability_parsers;
mod reliability_secrets;
mod reliability_store;
mod report;
mod revoke;
mod rotate;
mod scan;
mod scan_formats;
mod scan_git;
mod scan_memory;
mod scan_peers;
mod scan_precommit;
mod scan_search;
mod serve;
mod serve_leaks;
mod shipped_files;
mod sqlite_upgrade;
mod store;
mod terminal;
mod verify;
