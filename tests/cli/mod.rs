//! The command line, command by command: what each prints, refuses and stores, run
//! against the real binary on the suite's backend.

mod audit_flood;
mod batch;
mod batch_live;
mod bulk_revoke;
mod completions;
mod delivery;
mod edges_text;
mod exec_reads;
mod export_import;
mod generate;
mod grace_names;
mod import_batches;
mod import_rules;
mod key_format;
mod log;
mod man;
mod messages;
mod names;
mod orgs;
mod output;
mod policy;
mod prompts;
mod report;
mod reservations;
mod revoke;
mod rotate;
mod rotation_chains;
mod shipped_files;
mod systemd_unit;
mod terminal;
mod verify;
