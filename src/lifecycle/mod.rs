//! The key lifecycle, between the front doors (the command line in [`crate::commands`],
//! and a service that holds a [`Session`] with no terminal) and the store, which only
//! persists: a [`Session`] (the open store, its clock, role and actor; organization and
//! KEYREF resolution), the write protocol every change goes through, the rules each
//! change obeys ([`rules`]), the verdict on a key ([`verify`]) and imports ([`import`]).

pub(crate) mod import;
pub(crate) mod rules;
mod session;
pub mod verify;
mod write;

pub use session::{Actor, InGrace, Session};
