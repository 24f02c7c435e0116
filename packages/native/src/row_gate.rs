//! Test-only row gate: makes "a running kernel stops at a row boundary" provable
//! without timing. Armed with a row `k`, the first cancellable kernel call (one
//! with an `AbortSignal`) that reaches row `k` marks the gate reached and waits,
//! before the row runs, until its own cancel flag is set; the driver then sees
//! the flag and returns `GVL_ABORTED` without running row `k`. A test arms the
//! gate, starts the call, waits for `reached`, aborts, and checks the outcome.
//!
//! Disarmed (the normal state) the cost per row is one relaxed atomic load.
//! Only calls that carry a cancel flag are ever held, so synchronous calls and
//! calls without a signal are never affected. The gate is process-wide: it is
//! exercised by `test/abort.test.ts` (one vitest process, tests in sequence),
//! not by `cargo test`, whose tests run concurrently.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// Row to hold, or -1 when disarmed.
static ARMED_ROW: AtomicI64 = AtomicI64::new(-1);
/// Whether rows are being counted (between `arm` and `disarm`).
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Whether a call reached the armed row and is waiting for its abort.
static REACHED: AtomicBool = AtomicBool::new(false);
/// Rows of cancellable calls that reached the driver since `arm` (the held row included).
static ROWS_SEEN: AtomicI64 = AtomicI64::new(0);

/// Upper bound on the wait, so a test that never aborts cannot hang the process.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Arm the gate at `row` and reset its state.
pub fn arm(row: i64) {
    REACHED.store(false, Ordering::SeqCst);
    ROWS_SEEN.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    ARMED_ROW.store(row, Ordering::SeqCst);
}

/// Disarm the gate and stop counting.
pub fn disarm() {
    ARMED_ROW.store(-1, Ordering::SeqCst);
    COUNTING.store(false, Ordering::SeqCst);
}

/// `(reached, rows_seen)`.
pub fn state() -> (bool, i64) {
    (
        REACHED.load(Ordering::SeqCst),
        ROWS_SEEN.load(Ordering::SeqCst),
    )
}

/// Called by the row driver before row `k` of a call with cancel flag `cancel`.
#[inline]
pub fn before_row(k: usize, cancel: Option<&AtomicBool>) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    let Some(flag) = cancel else { return };
    ROWS_SEEN.fetch_add(1, Ordering::SeqCst);
    if ARMED_ROW
        .compare_exchange(k as i64, -1, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        REACHED.store(true, Ordering::SeqCst);
        let give_up = Instant::now() + MAX_WAIT;
        while !flag.load(Ordering::SeqCst) && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
