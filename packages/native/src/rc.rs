//! Reverse complement of byte rows and reversal of track rows, in place.

use crate::batch::data_offsets;
use crate::errors::{GResult, GvlError};
use crate::pool::Exec;

/// `A<->T`, `C<->G` (uppercase only); every other byte maps to itself.
pub const COMPLEMENT: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i as u8;
        i += 1;
    }
    t[b'A' as usize] = b'T';
    t[b'T' as usize] = b'A';
    t[b'C' as usize] = b'G';
    t[b'G' as usize] = b'C';
    t
};

/// Reverse a row, then complement it (uppercase ACGT only).
pub fn rc_row(row: &mut [u8]) {
    row.reverse();
    for b in row.iter_mut() {
        *b = COMPLEMENT[*b as usize];
    }
}

/// Validate `offsets` over `data_len` and the optional row mask.
pub fn validate_rows(offsets: &[i64], mask: &[u8], data_len: usize) -> GResult<Vec<usize>> {
    let offs = data_offsets("offsets", offsets, data_len)?;
    let n_rows = offs.len() - 1;
    if !mask.is_empty() && mask.len() != n_rows {
        return Err(GvlError::invalid(
            "rows.length",
            mask.len(),
            &format!("{n_rows} (one flag per row) or no mask"),
        ));
    }
    Ok(offs)
}

/// Apply `f` to every selected row (`mask[i] != 0`, or all rows without a mask).
pub fn for_selected<T: Send>(
    exec: &Exec,
    data: &mut [T],
    offsets: &[usize],
    mask: &[u8],
    f: fn(&mut [T]),
) -> GResult<()> {
    exec.rows(data, offsets, |i, row| {
        if mask.is_empty() || mask[i] != 0 {
            f(row);
        }
    })
}

/// Reverse a track row (no complement).
pub fn reverse_row(row: &mut [f32]) {
    row.reverse();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complements_uppercase_only() {
        let mut row = b"ACGTNacgtRA".to_vec();
        rc_row(&mut row);
        assert_eq!(&row, b"TRtgcaNACGT");
        for b in 0..=255u8 {
            let want = match b {
                b'A' => b'T',
                b'T' => b'A',
                b'C' => b'G',
                b'G' => b'C',
                x => x,
            };
            assert_eq!(COMPLEMENT[b as usize], want);
        }
    }

    #[test]
    fn selected_rows_only() {
        let mut data = b"AACGTTTG".to_vec();
        let offs = validate_rows(&[0, 3, 3, 8], &[1, 1, 0], data.len()).unwrap();
        for_selected(&Exec::serial(), &mut data, &offs, &[1, 1, 0], rc_row).unwrap();
        assert_eq!(&data, b"GTTGTTTG");
    }
}
