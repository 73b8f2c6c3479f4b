//! The store underneath the commands: the SQLite file (its modes, upgrades), PostgreSQL
//! (connections, skewed clocks, lost commits), and concurrent writers on either.

mod concurrency;
mod files;
mod postgres;
mod postgres_delivery;
mod postgres_outcomes;
mod sqlite_upgrade;
