//! Output memory that comes back: batch outputs handed to JS as external
//! `ArrayBuffer`s whose finalizer returns the allocation to a bounded free
//! list instead of freeing it.
//!
//! A new 1 MiB batch output from the allocator is cold: the allocator returns
//! freed memory to the kernel between garbage collections, so every batch
//! page-faults its output in again and writes it through cold caches. A
//! recycled buffer is already mapped and was written recently. JS semantics do
//! not change: each batch gets memory no live JS object can reach (a buffer is
//! recycled only after V8 has collected every view of it), so the caller owns
//! what it receives exactly as with a fresh allocation.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::Uint8Array;

use crate::batch;
use crate::errors::GResult;

/// Free buffers kept at most (bytes, summed over capacities).
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;
/// Free buffers kept at most (count): bounds the scan in [`Recycler::take`].
const MAX_BUFFERS: usize = 64;

/// A bounded free list of byte buffers (each `len == capacity`).
pub struct Recycler {
    max_bytes: usize,
    free: Mutex<Free>,
}

#[derive(Default)]
struct Free {
    buffers: Vec<Vec<u8>>,
    bytes: usize,
}

impl Recycler {
    pub fn new(max_bytes: usize) -> Arc<Recycler> {
        Arc::new(Recycler {
            max_bytes,
            free: Mutex::new(Free::default()),
        })
    }

    /// A buffer of at least `n` bytes (at most `n + n / 4` when recycled, so
    /// small batches do not pin large buffers), its contents unspecified but
    /// initialised: recycled bytes, or a new allocation with 1/8 headroom so
    /// that slightly larger ragged batches reuse it later.
    ///
    /// # Safety
    /// A new allocation is uninitialised ([`batch::uninit`]): the caller must
    /// write the first `n` bytes before reading or exposing any of them.
    pub unsafe fn take(&self, n: usize) -> GResult<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        {
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            let limit = n.saturating_add(n / 4);
            let best = f
                .buffers
                .iter()
                .enumerate()
                .filter(|(_, b)| b.len() >= n && b.len() <= limit)
                .min_by_key(|(_, b)| b.len())
                .map(|(i, _)| i);
            if let Some(i) = best {
                let b = f.buffers.swap_remove(i);
                f.bytes -= b.len();
                return Ok(b);
            }
        }
        batch::uninit::<u8>(n.saturating_add(n / 8))
    }

    /// Keeps `b` for a later batch, or frees it when the list is full.
    pub fn give(&self, b: Vec<u8>) {
        let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if b.is_empty() || f.buffers.len() >= MAX_BUFFERS || f.bytes + b.len() > self.max_bytes {
            return; // dropped after the lock is released
        }
        f.bytes += b.len();
        f.buffers.push(b);
    }

    /// Free bytes held (for tests).
    pub fn held_bytes(&self) -> usize {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }
}

/// Hands the first `n` bytes of `buf` to JS as a `Uint8Array` over the same
/// memory (no copy); when V8 collects it, the whole allocation returns to
/// `recycler`.
pub fn into_js(buf: Vec<u8>, n: usize, recycler: &Arc<Recycler>) -> Uint8Array {
    debug_assert!(n <= buf.len());
    if n == 0 {
        return Uint8Array::new(Vec::new());
    }
    let mut buf = std::mem::ManuallyDrop::new(buf);
    let (ptr, cap) = (buf.as_mut_ptr(), buf.capacity());
    let len = buf.len();
    let r = Arc::clone(recycler);
    // SAFETY: `ptr` owns `cap` bytes (`len == cap`, the first `n` written by
    // the kernel); ownership moves into the array, and the finalizer rebuilds
    // the same Vec exactly once, after JS can no longer reach it.
    unsafe {
        Uint8Array::with_external_data(ptr, n, move |p, _| {
            r.give(Vec::from_raw_parts(p, len, cap));
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_best_fit_within_a_quarter_and_bounds_what_it_keeps() {
        let r = Recycler::new(1000);
        r.give(vec![0u8; 100]);
        r.give(vec![0u8; 120]);
        r.give(vec![0u8; 400]);
        assert_eq!(r.held_bytes(), 620);
        // 110 fits 120 (within 137), not 100 (too small) nor 400 (too large)
        let b = unsafe { r.take(110) }.unwrap();
        assert_eq!(b.len(), 120);
        assert_eq!(r.held_bytes(), 500);
        // nothing within [300, 375]: a new allocation with 1/8 headroom
        let c = unsafe { r.take(300) }.unwrap();
        assert_eq!(c.len(), 337);
        assert_eq!(r.held_bytes(), 500);
        // over the byte bound: dropped, not kept
        r.give(vec![0u8; 600]);
        assert_eq!(r.held_bytes(), 500);
        r.give(b);
        assert_eq!(r.held_bytes(), 620);
    }

    #[test]
    fn keeps_at_most_max_buffers() {
        let r = Recycler::new(usize::MAX);
        for _ in 0..(MAX_BUFFERS + 10) {
            r.give(vec![1u8; 8]);
        }
        assert_eq!(r.held_bytes(), MAX_BUFFERS * 8);
    }
}
