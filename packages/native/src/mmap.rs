//! Memory-mapped files handed to JS as ArrayBuffers without a copy.
//!
//! `map_file_or_errno` opens a file read-only and maps it private
//! (copy-on-write: `MAP_PRIVATE`, `PROT_READ | PROT_WRITE`). The mapping is the
//! backing store of an external ArrayBuffer whose finalizer unmaps it, so the
//! bytes live in the OS page cache, shared by every thread and process that
//! maps the same file, and cost no JS heap.
//!
//! Why private and writable rather than `PROT_READ`: a JS ArrayBuffer is always
//! writable, and a store into a read-only page would kill the process with
//! SIGSEGV. With a private mapping a stray store copies that one page into
//! anonymous memory of this process; the file, opened `O_RDONLY`, is never
//! written. The one hazard left is the one of every file mapping (numpy's
//! `memmap` included): if another process truncates the file while it is
//! mapped, touching a page past the new end raises SIGBUS.
//!
//! I/O failures are returned as an errno and the failed system call, not
//! thrown: the TypeScript wrapper (`src-ts/mmap.ts`) turns them into errors
//! shaped like `node:fs` ones, and callers fall back to reading the file.

use std::fs::File;

use memmap2::{MmapMut, MmapOptions};
use napi::bindgen_prelude::{ArrayBuffer, Either};
use napi::Env;
use napi_derive::napi;

/// Why a file could not be mapped: the errno and the system call that failed.
#[napi(object)]
pub struct MapFailure {
    /// `errno` of the failed call (e.g. 2 ENOENT, 19 ENODEV when the file
    /// system cannot map, 12 ENOMEM).
    pub errno: i32,
    /// `'open'`, `'fstat'` or `'mmap'`.
    pub syscall: String,
}

fn failure(e: &std::io::Error, syscall: &str) -> MapFailure {
    MapFailure {
        // 5 = EIO: an error without an OS code (never expected here).
        errno: e.raw_os_error().unwrap_or(5),
        syscall: syscall.to_owned(),
    }
}

/// Opens `path` read-only and maps the whole file. `Err` carries the errno.
pub fn map(path: &str) -> Result<MmapMut, MapFailure> {
    let file = File::open(path).map_err(|e| failure(&e, "open"))?;
    let len = file.metadata().map_err(|e| failure(&e, "fstat"))?.len();
    let len = usize::try_from(len).map_err(|_| MapFailure {
        errno: 75, // EOVERFLOW
        syscall: "mmap".to_owned(),
    })?;
    // SAFETY: the mapping is private (copy-on-write), so neither this process nor
    // JS can change the file through it. Another process truncating the file
    // while it is mapped is the documented SIGBUS hazard of every file mapping.
    unsafe { MmapOptions::new().len(len).map_copy(&file) }.map_err(|e| failure(&e, "mmap"))
}

/// Maps the file at `path` (opened read-only; private copy-on-write mapping,
/// so a store from JS never reaches the file) and returns it as an
/// ArrayBuffer whose memory is the mapping: no copy, no JS heap; the pages are
/// the OS page cache, shared with every other mapping of the file. The
/// mapping is released when the ArrayBuffer is garbage-collected. An empty
/// file gives an empty (ordinary) ArrayBuffer. On failure returns
/// `{ errno, syscall }` instead. Use the `mapFile` wrapper of `@gvl/native`.
#[napi]
pub fn map_file_or_errno<'env>(
    env: &'env Env,
    path: String,
) -> napi::Result<Either<ArrayBuffer<'env>, MapFailure>> {
    let mut mapping = match map(&path) {
        Ok(m) => m,
        Err(f) => return Ok(Either::B(f)),
    };
    let len = mapping.len();
    if len == 0 {
        return Ok(Either::A(ArrayBuffer::copy_from(env, [])?));
    }
    let ptr = mapping.as_mut_ptr();
    // SAFETY: `ptr` points at `len` bytes owned by `mapping`, which moves into
    // the finalizer and is dropped (unmapped) only when V8 collects the buffer.
    let buf = unsafe { ArrayBuffer::from_external(env, ptr, len, mapping, |_, m| drop(m)) }?;
    Ok(Either::A(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("gvl-mmap-{name}-{}", std::process::id()))
    }

    #[test]
    fn maps_the_bytes_of_the_file() {
        let p = scratch("bytes");
        let want: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::File::create(&p).unwrap().write_all(&want).unwrap();
        let m = map(p.to_str().unwrap()).unwrap_or_else(|f| panic!("errno {}", f.errno));
        assert_eq!(&m[..], &want[..]);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn a_store_into_the_mapping_never_reaches_the_file() {
        let p = scratch("cow");
        std::fs::write(&p, [1u8, 2, 3, 4]).unwrap();
        let mut m = map(p.to_str().unwrap()).unwrap_or_else(|f| panic!("errno {}", f.errno));
        m[0] = 99;
        assert_eq!(m[0], 99);
        drop(m);
        assert_eq!(std::fs::read(&p).unwrap(), vec![1u8, 2, 3, 4]);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn empty_file_maps_to_no_bytes() {
        let p = scratch("empty");
        std::fs::write(&p, []).unwrap();
        let m = map(p.to_str().unwrap()).unwrap_or_else(|f| panic!("errno {}", f.errno));
        assert_eq!(m.len(), 0);
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn missing_file_is_enoent_from_open() {
        let f = map(scratch("missing").to_str().unwrap()).unwrap_err();
        assert_eq!(f.errno, 2);
        assert_eq!(f.syscall, "open");
    }

    #[test]
    fn a_directory_cannot_be_mapped() {
        let f = map(std::env::temp_dir().to_str().unwrap()).unwrap_err();
        assert_ne!(f.errno, 0);
    }
}
