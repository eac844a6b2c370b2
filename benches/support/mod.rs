//! What every bench of this directory shares: criterion set up for a 2-core machine, and the
//! `PLUX_BENCH_QUICK` smoke mode.

use std::time::Duration;

use criterion::Criterion;

/// Whether `PLUX_BENCH_QUICK` asks for a smoke run (every measurement shortened).
pub fn quick() -> bool {
    std::env::var_os("PLUX_BENCH_QUICK").is_some()
}

/// Criterion with short warm-ups and measurements (2 s per bench, 0.1 s when quick), then the
/// command line's own settings.
pub fn criterion() -> Criterion {
    let (warm_up, measurement, samples) = if quick() {
        (Duration::from_millis(50), Duration::from_millis(100), 10)
    } else {
        (Duration::from_millis(500), Duration::from_secs(2), 30)
    };
    Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measurement)
        .sample_size(samples)
        .configure_from_args()
}
