//! What must hold under stress: crashes and kills, full disks and faults, hostile input,
//! races, secrets that must never leak, and parsers fed anything.

mod concurrency;
mod crash;
mod faults;
mod hostile;
mod operations;
mod parsers;
mod secrets;
mod store;
