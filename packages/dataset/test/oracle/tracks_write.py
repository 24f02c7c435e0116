"""Test oracle: the Python genvarloader writing and reading tracks.

Usage:
  python tracks_write.py write OUT BED SPEC_JSON      peer `write` of tracks only
  python tracks_write.py update DATASET SPEC_JSON     peer `update` (adds tracks in place)
  python tracks_write.py compare OURS PEERS SPEC_JSON open both, compare every track read
  python tracks_write.py rle DATASET TRACK OUT_DIR    expected transformed track files

SPEC_JSON: {"max_jitter": int,
            "bigwigs": {name: {sample: path}},
            "tables": {name: {"path": bedGraph, "sample_column": bool}},
            "annot": {name: path (bigWig or BED5)},
            "tracks": [names to compare]}
The peer gets one track category per call (tracks, then annotation tracks through
`update`): given both at once it runs them in worker processes and cannot pickle a
`Table`. A table is read with polars into the peer's long form (sample_id, chrom, start, end,
value) and given as `Table(name, df)`. `rle` paints the existing track of every (region,
sample) over its stored window (regions.npy) with the peer's `intervals_to_tracks`,
applies `where(x > 0.5, 2x + 1, 0)` in float32 and encodes the result with the peer's
`tracks_to_intervals`, writing starts/ends/values/offsets as raw arrays. Prints JSON.
Never a dependency of @gvl/dataset.
"""

import json
import sys
from pathlib import Path

import genvarloader as gvl
import numpy as np
import polars as pl
from genvarloader._dataset._intervals import intervals_to_tracks, tracks_to_intervals
from genvarloader._table import Table


def read_table(spec: dict) -> pl.DataFrame:
    cols = ["chrom", "start", "end", "value"]
    if spec["sample_column"]:
        cols.append("sample_id")
    return pl.read_csv(
        spec["path"],
        separator="\t",
        has_header=False,
        new_columns=cols,
        schema_overrides={"chrom": pl.Utf8, "start": pl.Int64, "end": pl.Int64},
    )


def sources(spec: dict):
    tracks = [gvl.BigWigs(name, paths) for name, paths in spec.get("bigwigs", {}).items()]
    for name, t in spec.get("tables", {}).items():
        tracks.append(Table(name, read_table(t)))
    annot = spec.get("annot") or None
    return (tracks or None), annot


def main() -> None:
    mode = sys.argv[1]
    if mode == "write":
        out, bed, spec_json = sys.argv[2:5]
        spec = json.loads(spec_json)
        tracks, annot = sources(spec)
        # One track category per call: with both, the peer runs them in worker processes
        # and cannot pickle a Table (its Rust store).
        gvl.write(out, bed, tracks=tracks, max_jitter=spec.get("max_jitter", 0), overwrite=True)
        if annot:
            gvl.update(out, annot_tracks=annot)
        print(json.dumps({"version": gvl.__version__}))
    elif mode == "update":
        ds, spec_json = sys.argv[2:4]
        spec = json.loads(spec_json)
        tracks, annot = sources(spec)
        if tracks:
            gvl.update(ds, tracks=tracks)
        if annot:
            gvl.update(ds, annot_tracks=annot)
        print(json.dumps({"version": gvl.__version__}))
    elif mode == "compare":
        ours, peers, spec_json = sys.argv[2:5]
        spec = json.loads(spec_json)
        a = gvl.Dataset.open(ours).with_tracks(spec["tracks"]).with_len("ragged")
        b = gvl.Dataset.open(peers).with_tracks(spec["tracks"]).with_len("ragged")
        n = 0
        bad = []
        for r in range(a.n_regions):
            for s in a.samples:
                x = a[r, s]
                y = b[r, s]
                for t in range(len(spec["tracks"])):
                    xa = np.asarray(x[t].to_numpy() if hasattr(x[t], "to_numpy") else x[t])
                    ya = np.asarray(y[t].to_numpy() if hasattr(y[t], "to_numpy") else y[t])
                    n += 1
                    if xa.shape != ya.shape or not np.array_equal(xa, ya, equal_nan=True):
                        bad.append([r, s, spec["tracks"][t]])
        print(json.dumps({"compared": n, "mismatches": bad[:10], "samples": a.samples}))
    elif mode == "rle":
        ds, track, out = sys.argv[2:5]
        meta = json.loads((Path(ds) / "metadata.json").read_text())
        S = len(meta["samples"])
        regions = np.load(Path(ds) / "regions.npy")
        tdir = Path(ds) / "intervals" / track
        starts = np.fromfile(tdir / "starts.npy", np.int32)
        ends = np.fromfile(tdir / "ends.npy", np.int32)
        values = np.fromfile(tdir / "values.npy", np.float32)
        offsets = np.fromfile(tdir / "offsets.npy", np.int64)
        R = len(regions)
        lens = np.repeat(regions[:, 2] - regions[:, 1], S).astype(np.int64)
        out_offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        dense = np.zeros(int(out_offsets[-1]), np.float32)
        intervals_to_tracks(
            np.arange(R * S, dtype=np.int64),
            np.repeat(regions[:, 1], S).astype(np.int32),
            starts,
            ends,
            values,
            offsets,
            dense,
            out_offsets,
        )
        new = np.where(dense > np.float32(0.5), dense * np.float32(2) + np.float32(1), np.float32(0)).astype(np.float32)
        q = np.stack(
            [np.repeat(regions[:, 0], S), np.repeat(regions[:, 1], S), np.repeat(regions[:, 2], S)],
            axis=1,
        ).astype(np.int32)
        s2, e2, v2, o2 = tracks_to_intervals(q, new, out_offsets)
        Path(out).mkdir(parents=True, exist_ok=True)
        np.asarray(s2, np.int32).tofile(Path(out) / "starts.npy")
        np.asarray(e2, np.int32).tofile(Path(out) / "ends.npy")
        np.asarray(v2, np.float32).tofile(Path(out) / "values.npy")
        np.asarray(o2, np.int64).tofile(Path(out) / "offsets.npy")
        print(json.dumps({"intervals": int(len(s2))}))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
