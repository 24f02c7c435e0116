//! File-system primitives Node.js has no binding for.
//!
//! `exchange_paths_errno` swaps two paths in one `renameat2(RENAME_EXCHANGE)`
//! system call, so a directory can be replaced with no instant at which its
//! path is missing. The errno is returned, not thrown: the TypeScript wrapper
//! (`src-ts/fs.ts`) maps it to `true`, `false` (not supported here) or a typed
//! error, with the errno names Node.js already knows.

use std::ffi::CString;

use napi_derive::napi;

use crate::errors::GvlError;

/// Returned when the platform has no exchange primitive at all (not Linux).
pub const UNSUPPORTED_PLATFORM: i32 = -1;

fn c_path(param: &str, path: &str) -> Result<CString, GvlError> {
    CString::new(path).map_err(|_| GvlError::invalid(param, path, "a path without NUL bytes"))
}

/// Atomically exchanges `a` and `b` (both must exist; files or directories, on
/// one file system). Returns 0 on success, the `errno` of the failed
/// `renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)` otherwise, or -1 when
/// the platform has no such call.
pub fn exchange(a: &str, b: &str) -> Result<i32, GvlError> {
    let ca = c_path("a", a)?;
    let cb = c_path("b", b)?;
    Ok(exchange_c(&ca, &cb))
}

#[cfg(target_os = "linux")]
fn exchange_c(a: &CString, b: &CString) -> i32 {
    // SAFETY: both pointers are NUL-terminated strings alive for the call; the
    // raw syscall avoids depending on the libc wrapper (absent in old glibc/musl).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        0
    } else {
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO)
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange_c(_a: &CString, _b: &CString) -> i32 {
    UNSUPPORTED_PLATFORM
}

/// Atomically exchanges the paths `a` and `b` (`renameat2` with
/// `RENAME_EXCHANGE`). Returns 0 on success, the errno on failure (e.g. 22
/// EINVAL when the file system cannot exchange, 38 ENOSYS on old kernels), or
/// -1 on platforms without the call. Blocks the calling thread for one system
/// call. Use the `exchangePaths` wrapper of `@gvl/native`.
#[napi]
pub fn exchange_paths_errno(a: String, b: String) -> napi::Result<i32> {
    Ok(exchange(&a, &b)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn scratch(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("gvl-fs-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn exchanges_two_directories() {
        let d = scratch("xchg");
        let (a, b) = (d.join("a"), d.join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("from-a"), "A").unwrap();
        fs::write(b.join("from-b"), "B").unwrap();
        let rc = exchange(a.to_str().unwrap(), b.to_str().unwrap()).unwrap();
        if rc == libc::EINVAL || rc == libc::ENOSYS {
            eprintln!("renameat2 exchange unsupported on this file system (errno {rc})");
            return;
        }
        assert_eq!(rc, 0);
        assert_eq!(fs::read_to_string(a.join("from-b")).unwrap(), "B");
        assert_eq!(fs::read_to_string(b.join("from-a")).unwrap(), "A");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn missing_path_is_enoent_and_changes_nothing() {
        let d = scratch("enoent");
        let a = d.join("a");
        fs::create_dir(&a).unwrap();
        let rc = exchange(a.to_str().unwrap(), d.join("missing").to_str().unwrap()).unwrap();
        assert_eq!(rc, libc::ENOENT);
        assert!(a.is_dir());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn nul_byte_is_an_invalid_argument() {
        let e = exchange("a\0b", "c").unwrap_err();
        assert_eq!(e.code.as_str(), "GVL_INVALID_ARGUMENT");
        assert_eq!(e.param.as_deref(), Some("a"));
    }
}
