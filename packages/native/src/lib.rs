//! gvl-native: rayon kernels behind napi-rs for gvl-ts.
//!
//! Semantics mirror the Python peer `genvarloader` (docs/read-semantics.md §3).
//! Pure kernels live in their own modules and operate on slices; `api`
//! holds the napi surface; `tasks` the AsyncTask/sync framework; `pool` the
//! private rayon pool and the row driver.

#![deny(clippy::all)]

pub mod api;
pub mod batch;
pub mod diffs;
pub mod encode;
pub mod errors;
pub mod fs;
pub mod fused;
pub mod fused_batch;
pub mod fused_reference;
pub mod fused_tracks;
pub mod haplotypes;
pub mod limits;
pub mod mmap;
pub mod pool;
pub mod prng;
pub mod rc;
pub mod realign;
pub mod recycle;
pub mod reference;
pub mod region_order;
#[cfg(feature = "test-hooks")]
pub mod row_gate;
pub mod source_api;
pub mod source_dataset_api;
pub mod tasks;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;
pub mod tracks;
pub mod variants;

#[cfg(test)]
mod fused_batch_tests;
#[cfg(test)]
mod parity_tests;
