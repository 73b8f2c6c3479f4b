//! The key lifecycle between the commands and the store: the rules every change obeys,
//! once for both backends, and the import algorithm.

pub mod import;
pub mod rules;
