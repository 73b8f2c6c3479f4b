//! The verification service (`seenty-keys serve`): its tests go here, one module per
//! area, against a real server process on a loopback port, with the builder and helpers
//! of `tests/common/`.
