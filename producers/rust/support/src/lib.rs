//! What the Rust producers (producers/rust) share.
//!
//! - [`config`]: seed, time scale and splitmix64 streams, with the same formulas as the C
//!   fixtures' kit (fixtures/monitor/src/config.c), so one seed gives one schedule in both.
//! - [`timer`]: a timer thread and a `Sleep` future (the clock starts at the first poll, and even
//!   a zero delay goes through the timer thread, as the C fixtures' `fx_sleep_poll` does).
//! - [`track`]: what the Rust producer can observe of its own futures, objects and foreign calls,
//!   the counters and leak checks of the control exports (`control_exports!`).
//! - [`misuse`]: the violation codes it reports, from AA_MISUSES in observe.h (build.rs).

pub mod config;
pub mod misuse;
pub mod timer;
pub mod track;
