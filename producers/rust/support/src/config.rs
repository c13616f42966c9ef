//! Seed, time scale and splitmix64 streams: the same knobs and formulas as the C fixtures'
//! `asyncabi_fixture/config.h`, so that a seed picks the same jitter and the same workers here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::Duration;

// Relaxed throughout: the runner configures before a scenario starts; a stale read on another
// thread could only mis-scale a delay.
static SEED: AtomicU64 = AtomicU64::new(0);
static SCALE_BITS: AtomicU64 = AtomicU64::new(0x3ff0_0000_0000_0000); // 1.0
static CALL_COUNTER: AtomicU64 = AtomicU64::new(0);
static FROM_ENV: Once = Once::new();

/// Reads `ASYNCABI_SEED` (decimal or 0x-hex, default 0) and `ASYNCABI_TIME_SCALE` (default 1.0)
/// once, before the first use of any knob (the C kit reads them when the library loads).
fn ensure_env() {
    FROM_ENV.call_once(|| {
        let seed = std::env::var("ASYNCABI_SEED").ok().map_or(0, |s| parse_u64(&s));
        let scale = std::env::var("ASYNCABI_TIME_SCALE")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        store(seed, scale);
    });
}

/// strtoull(s, NULL, 0) for the forms the C kit documents: decimal or 0x-hex; junk gives 0.
fn parse_u64(s: &str) -> u64 {
    let s = s.trim();
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse::<u64>(),
    };
    parsed.unwrap_or(0)
}

fn store(seed: u64, time_scale: f64) {
    let scale = if time_scale >= 0.0 && time_scale.is_finite() { time_scale } else { 1.0 };
    SEED.store(seed, Ordering::Relaxed);
    SCALE_BITS.store(scale.to_bits(), Ordering::Relaxed);
    CALL_COUNTER.store(0, Ordering::Relaxed);
}

/// Sets seed and time scale and restarts the call counter (`asyncabi_fixture_configure`).
/// A negative, infinite or NaN scale is taken as 1.0.
pub fn configure(seed: u64, time_scale: f64) {
    ensure_env();
    store(seed, time_scale);
}

/// Restarts the call counter only (at `asyncabi_monitor_reset`).
pub fn restart_streams() {
    ensure_env();
    CALL_COUNTER.store(0, Ordering::Relaxed);
}

pub fn seed() -> u64 {
    ensure_env();
    SEED.load(Ordering::Relaxed)
}

pub fn time_scale() -> f64 {
    ensure_env();
    f64::from_bits(SCALE_BITS.load(Ordering::Relaxed))
}

/// `ms` milliseconds multiplied by the time scale (fx_scaled_ns).
pub fn scaled(ms: u64) -> Duration {
    let ns = ms as f64 * 1e6 * time_scale();
    if ns <= 0.0 {
        Duration::ZERO
    } else if ns >= 1.8e19 {
        Duration::from_nanos(u64::MAX)
    } else {
        Duration::from_nanos(ns as u64)
    }
}

/// A splitmix64 stream.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in [0, bound) (bound 0 gives 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }

    /// A stream derived from the seed and an explicit salt (fx_rng_from).
    pub fn from_salt(salt: u64) -> Rng {
        let mut mix = Rng { state: seed() ^ salt.wrapping_mul(0xd1b5_4a32_d192_ed03) };
        Rng { state: mix.next_u64() }
    }

    /// A fresh stream for one call: the seed and the next value of the call counter
    /// (fx_rng_next_stream).
    pub fn next_stream() -> Rng {
        ensure_env();
        let n = CALL_COUNTER.fetch_add(1, Ordering::Relaxed);
        Rng::from_salt(n.wrapping_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // splitmix64 from state 0: the published first outputs.
        let mut r = Rng { state: 0 };
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn streams_match_the_c_fixtures_kit() {
        // Values printed by fixtures/monitor/src/config.c after fx_config_set(5, 1.0):
        // fx_rng_from(0xec40 ^ 9), then the first two fx_rng_next_stream() streams.
        configure(5, 1.0);
        assert_eq!(Rng::from_salt(0xec40 ^ 9).next_u64(), 0xf787_eba4_f9e1_6715);
        assert_eq!(Rng::next_stream().next_u64(), 0x05b8_fa66_5234_7182);
        assert_eq!(Rng::next_stream().below(1000), 0x15b);
        assert_eq!(scaled(3), Duration::from_millis(3));
    }

    #[test]
    fn parse_accepts_decimal_and_hex() {
        assert_eq!(parse_u64("42"), 42);
        assert_eq!(parse_u64("0x2a"), 42);
        assert_eq!(parse_u64("nope"), 0);
    }
}
