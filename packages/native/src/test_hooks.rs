//! Hooks for the addon's own tests, compiled only with the cargo feature `test-hooks`
//! (`pnpm --filter @gvl/native build:test`, a separate `.node` under `test-build/`): a
//! kernel that panics in one row (`debugPanic` / `debugPanicSync`) and the row gate
//! ([`crate::row_gate`]). The published addon has none of them.

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::api::spawn;
use crate::errors::GResult;
use crate::pool::Exec;
use crate::tasks::{self, Kernel, KernelTask};

/// The kernel used by tests to prove that panics never cross the FFI.
pub struct PanicKernel;

impl Kernel for PanicKernel {
    type Output = ();
    type Js = ();

    fn compute(&mut self, exec: &Exec) -> GResult<()> {
        let mut cells = vec![0u8; 64];
        exec.fixed_rows(&mut cells, 1, |k, _| {
            if k == 37 {
                panic!("debugPanic: deliberate panic in row {k}");
            }
        })
    }

    fn make_js(&mut self, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}

/// Test-only: a kernel that panics in one row; must reject with GVL_NATIVE_PANIC.
#[napi]
pub fn debug_panic_sync(parallel: bool) -> napi::Result<()> {
    tasks::run_sync(PanicKernel, parallel)
}

/// Test-only: the async form of `debugPanicSync`.
#[napi(ts_return_type = "Promise<void>")]
pub fn debug_panic(parallel: bool) -> AsyncTask<KernelTask<PanicKernel>> {
    spawn(PanicKernel, parallel, None)
}

/// Test-only: the state of the row gate armed by `debugRowGateArm`.
#[napi(object)]
pub struct RowGateState {
    /// A call reached the armed row and is held until its signal aborts.
    pub reached: bool,
    /// Rows of calls with a signal that reached the row driver since the gate was armed.
    pub rows_seen: i64,
}

/// Test-only: hold the first call with an AbortSignal that reaches row `row` (before
/// the row runs) until that call is aborted. Makes abort tests deterministic.
#[napi]
pub fn debug_row_gate_arm(row: u32) {
    crate::row_gate::arm(i64::from(row));
}

/// Test-only: disarm the row gate armed by `debugRowGateArm`.
#[napi]
pub fn debug_row_gate_disarm() {
    crate::row_gate::disarm();
}

/// Test-only: whether the armed row was reached, and rows seen since arming.
#[napi]
pub fn debug_row_gate_state() -> RowGateState {
    let (reached, rows_seen) = crate::row_gate::state();
    RowGateState { reached, rows_seen }
}
