//! The xorshift64 / hash4 PRNG used by the `FlankSample` insertion fill
//! (docs/read-semantics.md §3.6). All arithmetic is wrapping `u64`.

/// One round of xorshift64: `x ^= x << 13; x ^= x >> 7; x ^= x << 17`.
#[inline(always)]
pub fn xorshift64(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// `h = a; h = xs(h ^ b); h = xs(h ^ c); h = xs(h ^ d)`.
#[inline(always)]
pub fn hash4(a: u64, b: u64, c: u64, d: u64) -> u64 {
    xorshift64(xorshift64(xorshift64(a ^ b) ^ c) ^ d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift64_vectors() {
        assert_eq!(xorshift64(1), 1_082_269_761);
        assert_eq!(xorshift64(42), 45_454_805_674);
        assert_eq!(xorshift64(0xdead_beef), 4_018_790_486_776_397_394);
        assert_eq!(xorshift64(u64::MAX), 1_065_361_344);
        assert_eq!(xorshift64(0), 0);
    }

    #[test]
    fn hash4_vectors() {
        assert_eq!(hash4(1, 2, 3, 4), 11_323_120_931_611_735_037);
        assert_eq!(hash4(0, 0, 0, 0), 0);
    }
}
