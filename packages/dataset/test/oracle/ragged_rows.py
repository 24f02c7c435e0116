"""Helpers the oracle scripts share to turn the peer's awkward outputs into JSON rows."""

import math


def rows_of(nested):
    """Flatten nested lists down to the innermost rows (lists of scalars)."""
    if not nested or not isinstance(nested[0], list):
        return [nested]
    out = []
    for x in nested:
        out.extend(rows_of(x))
    return out


def plain(v):
    """A JSON-safe scalar: bytes decoded, NaN as None."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v
