//! The private rayon pool and the row driver every kernel runs through.
//!
//! The pool is a `ThreadPool` built at most once per process with an explicit
//! `num_threads` (never rayon's lazy global pool, never `RAYON_NUM_THREADS`).
//! Its size is fixed by the first `configure` call; the threads are spawned
//! lazily by the first parallel kernel.
//!
//! Kernels write one output row per task. Rows are carved from the output
//! with `split_at_mut` along monotone offsets, so every task owns a disjoint
//! `&mut` slice: no locks, no reductions, identical bytes for any thread count.
//! Serial mode runs the same per-row closure in a plain loop on the calling
//! thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::errors::{Code, GResult, GvlError};
#[cfg(feature = "test-hooks")]
use crate::row_gate::before_row;

/// Without the `test-hooks` feature the row gate does not exist: nothing runs before a row.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
fn before_row(_k: usize, _cancel: Option<&AtomicBool>) {}

/// Largest pool accepted by `configure`.
pub const MAX_THREADS: u32 = 1024;

#[derive(Clone, Debug)]
struct PoolConfig {
    num_threads: usize,
    source: String,
}

static CONFIG: OnceLock<PoolConfig> = OnceLock::new();
static POOL: OnceLock<Result<ThreadPool, String>> = OnceLock::new();

/// A snapshot of the pool's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolState {
    pub configured: bool,
    pub num_threads: usize,
    pub source: String,
    pub built: bool,
}

/// Fix the pool size. `explicit` requests fail with `GVL_POOL_CONFIGURED` when a
/// different size is already fixed; default requests accept the existing size.
pub fn configure(num_threads: u32, source: &str, explicit: bool) -> GResult<PoolState> {
    if num_threads == 0 || num_threads > MAX_THREADS {
        return Err(GvlError::invalid(
            "numThreads",
            num_threads,
            &format!("an integer in [1, {MAX_THREADS}]"),
        ));
    }
    let cfg = CONFIG.get_or_init(|| PoolConfig {
        num_threads: num_threads as usize,
        source: source.to_owned(),
    });
    if explicit && cfg.num_threads != num_threads as usize {
        let mut e = GvlError::new(
            Code::PoolConfigured,
            format!(
                "the pool is already configured with {} threads (source: {}); cannot reconfigure it \
                 to {num_threads}: call configurePool once, before the first kernel",
                cfg.num_threads, cfg.source
            ),
        );
        e.param = Some("numThreads".to_owned());
        e.value = Some((num_threads as i64).into());
        return Err(e);
    }
    Ok(state())
}

pub fn state() -> PoolState {
    match CONFIG.get() {
        Some(cfg) => PoolState {
            configured: true,
            num_threads: cfg.num_threads,
            source: cfg.source.clone(),
            built: matches!(POOL.get(), Some(Ok(_))),
        },
        None => PoolState {
            configured: false,
            num_threads: 0,
            source: String::new(),
            built: false,
        },
    }
}

/// The process pool, built on first use. Unconfigured native callers get
/// `std::thread::available_parallelism()` (which honours cgroup quotas).
pub fn global() -> GResult<&'static ThreadPool> {
    let cfg = CONFIG.get_or_init(|| PoolConfig {
        num_threads: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        source: "native-default".to_owned(),
    });
    let built = POOL.get_or_init(|| build(cfg.num_threads));
    match built {
        Ok(pool) => Ok(pool),
        Err(msg) => Err(GvlError::new(Code::PoolBuildFailed, msg.clone())),
    }
}

/// Build a private pool of exactly `n` threads.
pub fn build(n: usize) -> Result<ThreadPool, String> {
    // Test-only fault injection (the `test-hooks` build), read at build time: proves a
    // failed build is a typed error and never a process abort.
    #[cfg(feature = "test-hooks")]
    if std::env::var("GVL_NATIVE_FAULT").as_deref() == Ok("pool-build") {
        return Err(format!(
            "could not build the rayon pool with {n} threads: fault injected by GVL_NATIVE_FAULT=pool-build"
        ));
    }
    ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("gvl-native-{i}"))
        .build()
        .map_err(|e| format!("could not build the rayon pool with {n} threads: {e}"))
}

/// How a kernel runs: serially on the calling thread or on a pool, with an
/// optional cooperative cancellation flag checked between rows.
#[derive(Clone, Copy)]
pub struct Exec<'a> {
    pub pool: Option<&'a ThreadPool>,
    pub cancel: Option<&'a AtomicBool>,
}

impl<'a> Exec<'a> {
    pub fn serial() -> Exec<'static> {
        Exec {
            pool: None,
            cancel: None,
        }
    }

    #[inline]
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Run `f(row_index, row)` over the rows of `data` delimited by `offsets`
    /// (`offsets.len() == n_rows + 1`, validated monotone, in bounds).
    pub fn rows<T, F>(&self, data: &mut [T], offsets: &[usize], f: F) -> GResult<()>
    where
        T: Send,
        F: Fn(usize, &mut [T]) + Sync,
    {
        let n_rows = offsets.len().saturating_sub(1);
        if n_rows == 0 {
            return Ok(());
        }
        let mut rows: Vec<&mut [T]> = Vec::with_capacity(n_rows);
        let mut rest = &mut data[offsets[0]..offsets[n_rows]];
        for k in 0..n_rows {
            let (row, tail) = rest.split_at_mut(offsets[k + 1] - offsets[k]);
            rows.push(row);
            rest = tail;
        }
        self.each(rows, f)
    }

    /// Run `f(row_index, item)` once per item: the row driver behind
    /// [`Exec::rows`], and the entry point of kernels with several output
    /// columns, whose items bundle one row's disjoint `&mut` slices of each
    /// column (carved beforehand along monotone offsets). Serially: a plain
    /// loop on the calling thread; in parallel: one rayon task per item.
    /// The cancel flag is checked before every item.
    pub fn each<I, F>(&self, items: Vec<I>, f: F) -> GResult<()>
    where
        I: Send,
        F: Fn(usize, I) + Sync,
    {
        match self.pool {
            None => {
                for (k, item) in items.into_iter().enumerate() {
                    before_row(k, self.cancel);
                    if self.cancelled() {
                        return Err(GvlError::aborted());
                    }
                    f(k, item);
                }
                Ok(())
            }
            Some(pool) => pool.install(|| {
                items.into_par_iter().enumerate().try_for_each(|(k, item)| {
                    before_row(k, self.cancel);
                    if self.cancelled() {
                        return Err(GvlError::aborted());
                    }
                    f(k, item);
                    Ok(())
                })
            }),
        }
    }

    /// Rows of a fixed `width` (e.g. one `i32` per (query, haplotype)).
    pub fn fixed_rows<T, F>(&self, data: &mut [T], width: usize, f: F) -> GResult<()>
    where
        T: Send,
        F: Fn(usize, &mut [T]) + Sync,
    {
        if width == 0 {
            return Ok(());
        }
        match self.pool {
            None => {
                for (k, row) in data.chunks_mut(width).enumerate() {
                    before_row(k, self.cancel);
                    if self.cancelled() {
                        return Err(GvlError::aborted());
                    }
                    f(k, row);
                }
                Ok(())
            }
            Some(pool) => pool.install(|| {
                data.par_chunks_mut(width)
                    .enumerate()
                    .try_for_each(|(k, row)| {
                        before_row(k, self.cancel);
                        if self.cancelled() {
                            return Err(GvlError::aborted());
                        }
                        f(k, row);
                        Ok(())
                    })
            }),
        }
    }
}
