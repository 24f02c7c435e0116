//! The task framework shared by every kernel: counters, panic guard, the
//! napi `AsyncTask` wrapper, and the sync entry point.
//!
//! A kernel is validated and computed in one call to [`Kernel::compute`], on
//! the thread that runs the task (the JS thread for `fooSync`, a libuv thread
//! for `foo`). Validation finishes before the parallel region starts. Panics
//! are caught here and become `GVL_NATIVE_PANIC` errors; nothing unwinds
//! across the FFI. No JS is called from pool threads: results reach JS only
//! through `resolve`, on the JS thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Task};

use crate::errors::{Code, GResult, GvlError};
use crate::pool::{self, Exec};

static STARTED: AtomicI64 = AtomicI64::new(0);
static COMPLETED: AtomicI64 = AtomicI64::new(0);
static CANCELLED: AtomicI64 = AtomicI64::new(0);
static FAILED: AtomicI64 = AtomicI64::new(0);
static IN_FLIGHT: AtomicI64 = AtomicI64::new(0);

/// Process-wide kernel counters. At rest,
/// `started == completed + cancelled + failed` and `in_flight == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterSnapshot {
    pub started: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub failed: i64,
    pub in_flight: i64,
}

pub fn snapshot() -> CounterSnapshot {
    CounterSnapshot {
        started: STARTED.load(Ordering::SeqCst),
        completed: COMPLETED.load(Ordering::SeqCst),
        cancelled: CANCELLED.load(Ordering::SeqCst),
        failed: FAILED.load(Ordering::SeqCst),
        in_flight: IN_FLIGHT.load(Ordering::SeqCst),
    }
}

/// How a kernel call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Cancelled,
    Failed,
}

/// Counts one kernel call: `started` on creation, exactly one outcome when it
/// finishes. A record dropped unfinished (work cancelled while queued, or
/// never run) counts as cancelled.
pub struct Record {
    done: bool,
}

impl Record {
    pub fn start() -> Record {
        STARTED.fetch_add(1, Ordering::SeqCst);
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Record { done: false }
    }

    pub fn finish(&mut self, outcome: Outcome) {
        if self.done {
            return;
        }
        self.done = true;
        match outcome {
            Outcome::Completed => COMPLETED.fetch_add(1, Ordering::SeqCst),
            Outcome::Cancelled => CANCELLED.fetch_add(1, Ordering::SeqCst),
            Outcome::Failed => FAILED.fetch_add(1, Ordering::SeqCst),
        };
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        self.finish(Outcome::Cancelled);
    }
}

/// Run `f`, turning a panic into a `GVL_NATIVE_PANIC` error.
pub fn guarded<T>(f: impl FnOnce() -> GResult<T>) -> GResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            Err(GvlError::new(
                Code::NativePanic,
                format!("a Rust panic was caught inside the kernel (a bug in @gvl/native; please report it): {what}"),
            ))
        }
    }
}

/// A kernel: validates and computes in `compute`, converts on the JS thread in `to_js`.
pub trait Kernel: Send + 'static {
    type Output: Send + 'static;
    type Js: ToNapiValue + TypeName;

    fn compute(&mut self, exec: &Exec) -> GResult<Self::Output>;
    fn make_js(&mut self, output: Self::Output) -> napi::Result<Self::Js>;
}

/// Compute `kernel` serially or on the pool, with panics caught and the
/// outcome recorded.
fn execute<K: Kernel>(
    kernel: &mut K,
    parallel: bool,
    cancel: Option<&AtomicBool>,
    record: &mut Record,
) -> GResult<K::Output> {
    let result = guarded(|| {
        if cancel.is_some_and(|c| c.load(Ordering::SeqCst)) {
            return Err(GvlError::aborted());
        }
        let pool = if parallel {
            Some(pool::global()?)
        } else {
            None
        };
        kernel.compute(&Exec { pool, cancel })
    });
    record.finish(match &result {
        Ok(_) => Outcome::Completed,
        Err(e) if e.code == Code::Aborted => Outcome::Cancelled,
        Err(_) => Outcome::Failed,
    });
    result
}

/// The synchronous entry point: runs on the calling (JS) thread.
pub fn run_sync<K: Kernel>(mut kernel: K, parallel: bool) -> napi::Result<K::Js> {
    let mut record = Record::start();
    let output = execute(&mut kernel, parallel, None, &mut record)?;
    kernel.make_js(output)
}

/// The asynchronous entry point: `compute` runs on a libuv thread.
pub struct KernelTask<K: Kernel> {
    kernel: K,
    parallel: bool,
    cancel: Arc<AtomicBool>,
    record: Record,
}

impl<K: Kernel> KernelTask<K> {
    pub fn new(kernel: K, parallel: bool, cancel: Arc<AtomicBool>) -> Self {
        KernelTask {
            kernel,
            parallel,
            cancel,
            record: Record::start(),
        }
    }
}

impl<K: Kernel> Task for KernelTask<K> {
    type Output = K::Output;
    type JsValue = K::Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        execute(
            &mut self.kernel,
            self.parallel,
            Some(&self.cancel),
            &mut self.record,
        )
        .map_err(Into::into)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        self.kernel.make_js(output)
    }
}
