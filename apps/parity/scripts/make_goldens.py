#!/usr/bin/env python3
"""Goldens for apps/parity, from two sources independent of gvl-ts.

    make_goldens.py bcftools  SPEC_JSON OUT_DIR   # bcftools consensus/query + samtools faidx
    make_goldens.py peer      SPEC_JSON OUT_DIR   # the Python genvarloader (requirements.txt)
    make_goldens.py peer-write SPEC_JSON OUT_DIR  # the peer writes the datasets itself
    make_goldens.py bcftools-batch SPEC_JSON MODE_ID REGION   # one batch, full rows, JSON
    make_goldens.py peer-batch     SPEC_JSON MODE_ID REGION
    make_goldens.py peer-version   SPEC_JSON

SPEC_JSON is written by `src/make-goldens.ts` (or the checker with --live) from
`src/spec.ts`: the datasets (dataset directory written by gvl-ts `write()`, a scratch copy
of the reference for the peer, which writes a `.gvlfa` cache beside it, the BED, the VCF,
`max_jitter`) and the modes (sequence kind, output length, tracks, golden samples).

Rows and batches are the checker's: one batch per region (input BED order) with the
mode's golden samples, as `ds[region, samples]`; rows in (sample, [track,] [haplotype])
order inside a batch. A golden stores per row its length (elements; -1 when the row is
excluded) and the first 16 bytes of the SHA-256 of its bytes (ASCII for sequences,
float32 LE for tracks, int32 LE for haplotype lengths and variant counts; variants
serialized per variant as int32 LE start, int32 LE ilen, int32 LE ALT length, ALT bytes;
an annotated haplotype of n bases as its n bytes, n int32 LE variant indices, n int32 LE
reference coordinates), plus a few full rows. A mode reads `ds[region, samples]`, or
`haplotype_lengths`/`n_variants` (one int32 row of ploidy values per (region, sample)),
under its settings (`unphased_union`, `dummy_variant`). Token modes (`tokenAlphabet`)
encode the ASCII haplotypes: tokens as uint8 (byte `alphabet[i]` -> i, any other byte
-> `unknownToken`), one-hot (`oneHot`) as float32 LE, per base one value per alphabet
byte (1.0 where the base is that byte); the bcftools side encodes the consensus rows with
a table of its own, the peer side its own ASCII rows through its `build_token_lut`.

The bcftools side needs only the standard library, bcftools and samtools. Read settings
match the peer's defaults: jitter 0, deterministic, reverse complement of `-` strands.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

DIGEST_BYTES = 16
PLOIDY = 2
FULL_ROWS = 3
COMPLEMENT = bytes.maketrans(b"ACGT", b"TGCA")


def rc(seq: bytes) -> bytes:
    """Reverse complement, uppercase A/C/G/T only (other bytes unchanged)."""
    return seq[::-1].translate(COMPLEMENT)


def run(args: list[str], **kw) -> str:
    out = subprocess.run(args, check=True, capture_output=True, **kw).stdout
    return out.decode("utf-8", errors="replace")


def read_bed(path: str) -> list[dict]:
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            c = line.rstrip("\n").split("\t")
            rows.append(
                {
                    "chrom": c[0],
                    "start": int(c[1]),
                    "end": int(c[2]),
                    "name": c[3] if len(c) > 3 else None,
                    "strand": -1 if len(c) > 5 and c[5] == "-" else 1,
                    "score": c[4] if len(c) > 4 else None,
                }
            )
    return rows


def splice_of(mode: dict):
    """The splice columns of a spliced mode (`spliceInfo`), or None."""
    return settings_of(mode).get("spliceInfo")


def units_of(spec: dict, mode: dict) -> list[dict]:
    """The batches' regions of a mode: the BED windows, or for a spliced mode its
    transcripts (windows grouped by the `score` column in order of first appearance, as
    `spliceInfo: ['score', 'name']`), each with `windows`: its window indices in genome
    order, and `length`: the sum of their lengths."""
    bed = read_bed(spec["datasets"][mode["dataset"]]["bed"])
    if not splice_of(mode):
        return [{**b, "windows": [i], "length": b["end"] - b["start"]} for i, b in enumerate(bed)]
    assert splice_of(mode) == ["score", "name"], splice_of(mode)
    groups: dict[str, list[int]] = {}
    for i, b in enumerate(bed):
        groups.setdefault(b["score"], []).append(i)
    units = []
    for ws in groups.values():
        ws = sorted(ws, key=lambda i: bed[i]["start"])
        assert len({bed[i]["strand"] for i in ws}) == 1
        units.append(
            {
                "chrom": bed[ws[0]]["chrom"],
                "start": bed[ws[0]]["start"],
                "end": bed[ws[-1]]["end"],
                "strand": bed[ws[0]]["strand"],
                "windows": ws,
                "length": sum(bed[i]["end"] - bed[i]["start"] for i in ws),
            }
        )
    return units


def bcftools_spliced(spec: dict, mode: dict, inputs, only_region: int | None = None):
    """A spliced mode's rows from the unspliced rows of its windows: per (transcript,
    sample, haplotype) the windows' forward-strand rows joined in genome order, reverse
    complemented on `-` transcripts; excluded when any of its windows' rows is."""
    assert mode["length"] == "ragged" and call_of(mode) == "get"
    units = units_of(spec, mode)
    bed = read_bed(spec["datasets"][mode["dataset"]]["bed"])
    base = {**mode, "settings": {k: v for k, v in settings_of(mode).items() if k != "spliceInfo"}}
    picked = range(len(units)) if only_region is None else [only_region]
    windows = sorted({w for t in picked for w in units[t]["windows"]})
    if only_region is None:
        _, per_window = bcftools_mode(spec, base, inputs)
    else:
        per_window = {w: bcftools_mode(spec, base, inputs, only_region=w)[1][w] for w in windows}
    sink = PartSink("uint8")
    full = FullRows()
    batches: dict[int, list] = {}
    for t in picked:
        u = units[t]
        n_rows = len(per_window[u["windows"][0]])
        batches[t] = []
        for i in range(n_rows):
            parts = [per_window[w][i] for w in u["windows"]]
            if any(x is None for x in parts):
                sink.exclude("a row of one of its exons is excluded")
                batches[t].append(None)
                continue
            fwd = b"".join(rc(x) if bed[w]["strand"] == -1 else x for w, x in zip(u["windows"], parts))
            data = rc(fwd) if u["strand"] == -1 else fwd
            full.pick(sink, len(sink.lengths), data, len(data), u, True)
            sink.add(data, len(data))
            batches[t].append(data)
    return sink, batches


def parts_of(mode: dict) -> list[str]:
    if call_of(mode) != "get":
        return ["seqs"]
    parts = []
    if mode["seqs"] is not None:
        parts.append("seqs")
    if mode["tracks"]:
        parts.append("tracks")
    return parts


def call_of(mode: dict) -> str:
    """The dataset method a mode reads: get (ds[...]), haplotypeLengths or nVariants."""
    return mode.get("call", "get")


def settings_of(mode: dict) -> dict:
    return mode.get("settings") or {}


def ploidy_of(mode: dict) -> int:
    """Haplotypes per (region, sample): 1 for the reference and under unphased_union."""
    return 1 if mode["seqs"] == "reference" or settings_of(mode).get("unphasedUnion") else PLOIDY


def rows_per_sample(mode: dict, part: str) -> int:
    if part == "tracks":
        return len(mode["tracks"]) * (PLOIDY if mode["seqs"] == "haplotypes" else 1)
    return ploidy_of(mode) if call_of(mode) == "get" else 1


class PartSink:
    """Accumulates the rows of one part of one mode."""

    def __init__(self, dtype: str):
        self.dtype = dtype
        self.lengths: list[int] = []
        self.digests = bytearray()
        self.shapes: list[str] = []
        self.excluded: dict[str, int] = {}
        self.excluded_batches: list[int] = []
        self.full: list[dict] = []

    def add(self, data: bytes, length: int) -> None:
        self.lengths.append(length)
        self.digests += hashlib.sha256(data).digest()[:DIGEST_BYTES]

    def exclude(self, reason: str) -> None:
        self.lengths.append(-1)
        self.digests += bytes(DIGEST_BYTES)
        self.excluded[reason] = self.excluded.get(reason, 0) + 1

    def keep_full(self, row: int, data: bytes) -> None:
        if len(self.full) < FULL_ROWS and all(f["row"] != row for f in self.full):
            self.full.append({"row": row, "data": base64.b64encode(data).decode()})

    def to_json(self) -> dict:
        lengths = struct.pack(f"<{len(self.lengths)}i", *self.lengths)
        out = {
            "dtype": self.dtype,
            "rows": len(self.lengths),
            "shapes": rle(self.shapes) if self.shapes else None,
            "lengths": base64.b64encode(lengths).decode(),
            "digests": base64.b64encode(bytes(self.digests)).decode(),
            "excluded": {
                "rows": sum(self.excluded.values()),
                "reasons": self.excluded,
                "batches": self.excluded_batches,
            },
            "fullRows": self.full,
        }
        return out


def rle(items: list[str]) -> str:
    """`a*3;b` for [a, a, a, b]: compact per-batch shapes."""
    out: list[str] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j] == items[i]:
            j += 1
        out.append(items[i] if j - i == 1 else f"{items[i]}*{j - i}")
        i = j
    return ";".join(out)


def shape_str(shape) -> str:
    return ",".join("~" if d is None else str(int(d)) for d in shape)


def golden_doc(oracle: str, spec: dict, mode: dict, sinks: dict, extra: dict) -> dict:
    ds = spec["datasets"][mode["dataset"]]
    return {
        "format": "gvl-parity-golden/1",
        "oracle": oracle,
        "mode": mode,
        "dataset": mode["dataset"],
        "regions": len(units_of(spec, mode)),
        "samples": mode["goldenSamples"],
        "rowOrder": "region (input BED order), sample, [track,] [haplotype]",
        "digest": f"sha256, first {DIGEST_BYTES} bytes per row, base64 of the concatenation",
        "command": spec["command"],
        **extra,
        "parts": {p: s.to_json() for p, s in sinks.items()},
    }


def write_json(path: str, doc: dict) -> None:
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


# ----------------------------------------------------------------------------- bcftools


class Records:
    """One sample's records on one contig from `bcftools query`, per haplotype."""

    def __init__(self, vcf: str, sample: str, chrom: str):
        text = run(
            ["bcftools", "query", "-r", chrom, "-s", sample, "-f", "%POS\t%REF\t%ALT[\t%GT]\n", vcf]
        )
        self.by_hap: list[list[tuple[int, bytes, bytes]]] = [[] for _ in range(PLOIDY)]
        for line in text.splitlines():
            pos, ref, alt, gt = line.split("\t")
            alleles = gt.replace("/", "|").split("|")
            for p in range(PLOIDY):
                if p < len(alleles) and alleles[p] == "1":
                    self.by_hap[p].append((int(pos) - 1, ref.encode(), alt.encode()))


class Inputs:
    """Per dataset: an uppercase plain copy of the reference (the peer uppercases the
    reference; `bcftools consensus` keeps the FASTA's case) and cached records."""

    def __init__(self, scratch: str):
        self.scratch = scratch
        self.fastas: dict[str, str] = {}
        self.records: dict[tuple, Records] = {}
        self.vcfs: dict[tuple, str] = {}
        self.consensus: dict[tuple, list[bytes]] = {}

    def sample_vcf(self, ds: dict, sample: str) -> str:
        """The VCF restricted to one sample (`bcftools view -s`): same records, and
        `bcftools consensus` runs several times faster than on 300 samples."""
        key = (ds["vcf"], sample)
        if key not in self.vcfs:
            path = os.path.join(self.scratch, f"{len(self.vcfs)}.{sample}.vcf.gz")
            run(["bcftools", "view", "-s", sample, "-Oz", "-o", path, ds["vcf"]])
            run(["bcftools", "index", "-t", path])
            self.vcfs[key] = path
        return self.vcfs[key]

    def haplotypes(self, fasta: str, vcf: str, sample: str, hap: int, slices) -> list[bytes]:
        key = (fasta, vcf, sample, hap, tuple(slices))
        if key not in self.consensus:
            self.consensus[key] = consensus(fasta, vcf, sample, hap, slices, self.scratch)
        return self.consensus[key]

    def fasta(self, ds_id: str, ds: dict) -> str:
        if ds_id not in self.fastas:
            path = os.path.join(self.scratch, f"{ds_id}.upper.fa")
            opener = gzip.open if ds["reference"].endswith(".gz") else open
            with opener(ds["reference"], "rb") as src, open(path, "wb") as dst:
                for line in src:
                    dst.write(line if line.startswith(b">") else line.upper())
            subprocess.run(["samtools", "faidx", path], check=True)
            self.fastas[ds_id] = path
        return self.fastas[ds_id]

    def hap_records(self, ds: dict, sample: str, chrom: str) -> Records:
        key = (ds["vcf"], sample, chrom)
        if key not in self.records:
            self.records[key] = Records(self.sample_vcf(ds, sample), sample, chrom)
        return self.records[key]


def crosses(recs, point: int) -> bool:
    """Whether a carried record's REF span strictly contains the boundary `point`."""
    return any(p < point < p + len(ref) for p, ref, _ in recs)


def contig_lengths(fasta: str) -> dict[str, int]:
    with open(fasta + ".fai") as f:
        return {c[0]: int(c[1]) for c in (line.split("\t") for line in f)}


def slices_file(slices, path: str) -> str:
    with open(path, "w") as f:
        for chrom, a, b in slices:
            f.write(f"{chrom}:{a + 1}-{b}\n")
    return path


def parse_fasta(raw: bytes) -> list[bytes]:
    return [b"".join(rec.split(b"\n")[1:]) for rec in raw.split(b">")[1:]]


def consensus(fasta: str, vcf: str, sample: str, hap: int, slices, scratch: str) -> list[bytes]:
    """`bcftools consensus -H hap+1 -s sample` over `samtools faidx` slices (0-based, half-open)."""
    regs = slices_file(slices, os.path.join(scratch, "slices.txt"))
    sliced = os.path.join(scratch, "slices.fa")
    with open(sliced, "w") as f:
        subprocess.run(["samtools", "faidx", fasta, "-r", regs], check=True, stdout=f)
    out = subprocess.run(
        ["bcftools", "consensus", "-H", str(hap + 1), "-s", sample, "-f", sliced, vcf],
        check=True,
        capture_output=True,
    ).stdout
    seqs = parse_fasta(out)
    if len(seqs) != len(slices):
        raise RuntimeError(f"bcftools consensus returned {len(seqs)} of {len(slices)} sequences")
    return seqs


def faidx(fasta: str, slices, scratch: str) -> list[bytes]:
    regs = slices_file(slices, os.path.join(scratch, "ref.txt"))
    out = subprocess.run(
        ["samtools", "faidx", fasta, "-r", regs], check=True, capture_output=True
    ).stdout
    return parse_fasta(out)


def walk_variants(recs, q_start: int, q_end: int):
    """A haplotype's stored records for the write window [q_start, q_end): every record
    whose REF span overlaps it (upstream deletions too), then downstream records kept
    while the haplotype is shorter than the window (extend_to_length, semantics §2.6)."""
    q_len = q_end - q_start
    written = 0
    last_end = q_start
    kept = []
    for pos, ref, alt in recs:
        ilen = len(alt) - len(ref)
        v_end = pos - min(0, ilen) + 1
        if v_end <= q_start:
            continue
        if pos >= q_start:
            written += pos - last_end
            if pos >= q_end and written >= q_len:
                break
            written += max(0, ilen) + 1
            kept.append((pos, ilen, alt))
            last_end = max(last_end, v_end)
            if pos >= q_end and written >= q_len:
                break
        else:
            kept.append((pos, ilen, alt))
            last_end = max(last_end, v_end)
    return kept


def serialize_variants(variants, strand: int, extra=(), info: Info | None = None) -> bytes:
    """Per variant int32 LE start, ilen, ALT length, ALT; then per `extra` field REF
    (int32 LE length + bytes, reverse-complemented like ALT) or an INFO value (float32 LE)."""
    out = bytearray()
    for pos, ilen, alt in variants:
        a = rc(alt) if strand == -1 else alt
        out += struct.pack("<iii", pos, ilen, len(a)) + a
        for f in extra:
            rec = info.by_key[(pos, ilen, alt)]
            if f == "ref":
                r = rc(rec[0]) if strand == -1 else rec[0]
                out += struct.pack("<i", len(r)) + r
            else:
                out += struct.pack("<f", rec[1 + info.fields.index(f)])
    return bytes(out)


def dummy_of(mode: dict):
    """The dummy variant of a mode's settings as (start, ilen, alt), or None. Defaults
    are the peer's DummyVariant: start -1, ilen 0, ALT "N"."""
    d = settings_of(mode).get("dummyVariant")
    if d is None:
        return None
    return (d.get("start", -1), d.get("ilen", 0), d.get("alt", "N").encode())


def extra_fields(mode: dict) -> list[str]:
    """Variant fields serialized after start, ilen and ALT (`ref`, INFO names)."""
    return [f for f in settings_of(mode).get("varFields", []) if f not in ("start", "ilen", "alt")]


def f32(x: float) -> float:
    """`x` rounded to float32."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def af_filter(mode: dict):
    """(min, max) AF bounds of a mode as float32 values (None when unset), or None."""
    st = settings_of(mode)
    if "minAf" not in st and "maxAf" not in st:
        return None
    return tuple(None if st.get(k) is None else f32(st[k]) for k in ("minAf", "maxAf"))


class Info:
    """Per record (POS-1, ilen, ALT) of a VCF (the full file, the dataset's source): its
    REF and INFO values from `bcftools query`."""

    def __init__(self, vcf: str, chrom: str, fields: list[str]):
        self.fields = fields
        fmt = "%POS\t%REF\t%ALT" + "".join(f"\t%INFO/{f}" for f in fields) + "\n"
        self.by_key: dict[tuple, list] = {}
        for line in run(["bcftools", "query", "-r", chrom, "-f", fmt, vcf]).splitlines():
            pos, ref, alt, *vals = line.split("\t")
            key = (int(pos) - 1, len(alt) - len(ref), alt.encode())
            assert key not in self.by_key, f"two records {key}"
            self.by_key[key] = [ref.encode(), *(float("nan") if v == "." else float(v) for v in vals)]


def encoding_of(mode: dict):
    """(alphabet bytes, unknown token, one-hot) of a token mode, or None."""
    st = settings_of(mode)
    if "tokenAlphabet" not in st:
        return None
    return st["tokenAlphabet"].encode("ascii"), st.get("unknownToken"), bool(st.get("oneHot"))


def encode_ascii(mode: dict, seq: bytes) -> bytes:
    """A consensus row encoded as the mode's tokens (uint8) or one-hot rows (float32 LE),
    with this script's own table (standard library only)."""
    alphabet, unknown, one_hot = encoding_of(mode)
    if one_hot:
        one, zero = struct.pack("<f", 1.0), struct.pack("<f", 0.0)
        return b"".join(one if b == a else zero for b in seq for a in alphabet)
    index = {a: i for i, a in enumerate(alphabet)}
    if max([unknown, *index.values()]) > 255:
        raise ValueError("token modes here use uint8 tokens")
    return bytes(index.get(b, unknown) for b in seq)


def int32_row(values) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


class FullRows:
    """Picks the few full rows a golden keeps: the first row, the first row of a `-`
    strand region, and the first row whose length differs from its region's."""

    def __init__(self):
        self.minus = False
        self.indel = False

    def pick(self, sink: PartSink, row: int, data: bytes, n: int, region: dict, ragged: bool) -> None:
        if row == 0:
            sink.keep_full(row, data)
        elif region["strand"] == -1 and not self.minus:
            self.minus = True
            sink.keep_full(row, data)
        elif ragged and not self.indel and n != region.get("length", region["end"] - region["start"]):
            self.indel = True
            sink.keep_full(row, data)


def bcftools_mode(spec: dict, mode: dict, inputs: Inputs, only_region: int | None = None):
    """Rows of the seqs part of one mode from bcftools/samtools: (sink, {region: [row
    bytes or None when excluded]})."""
    if splice_of(mode):
        return bcftools_spliced(spec, mode, inputs, only_region)
    ds = spec["datasets"][mode["dataset"]]
    bed = read_bed(ds["bed"])
    fasta = inputs.fasta(mode["dataset"], ds)
    contig_len = contig_lengths(fasta)
    jitter = ds["maxJitter"]
    samples = mode["goldenSamples"]
    kind = mode["bcftools"]["kind"]
    length = mode["length"]
    fixed = isinstance(length, int)
    regions = list(range(len(bed))) if only_region is None else [only_region]
    chroms = sorted({bed[r]["chrom"] for r in regions})
    # cells[r][s][p] = (row bytes, variant count) or (None, why excluded)
    cells = {r: [[None] * PLOIDY for _ in samples] for r in regions}

    if kind == "faidx":
        ref = faidx(fasta, [(bed[r]["chrom"], bed[r]["start"], bed[r]["end"]) for r in regions], inputs.scratch)
        for i, r in enumerate(regions):
            seq = rc(ref[i]) if bed[r]["strand"] == -1 else ref[i]
            for s in range(len(samples)):
                cells[r][s] = [(seq, None)]
    elif kind == "query":
        union = bool(settings_of(mode).get("unphasedUnion"))
        dummy = dummy_of(mode)
        extra = extra_fields(mode)
        bounds = af_filter(mode)
        info_fields = sorted({f for f in extra if f != "ref"} | ({"AF"} if bounds else set()))
        infos = {c: Info(ds["vcf"], c, info_fields) for c in chroms} if extra or bounds else {}
        for s, name in enumerate(samples):
            for chrom in chroms:
                recs = inputs.hap_records(ds, name, chrom)
                info = infos.get(chrom)
                for r in (r for r in regions if bed[r]["chrom"] == chrom):
                    b = bed[r]
                    haps = [
                        walk_variants(recs.by_hap[p], b["start"] - jitter, b["end"] + jitter)
                        for p in range(PLOIDY)
                    ]
                    if bounds is not None:  # read-time AF filter on the stored records
                        lo, hi = bounds
                        at = 1 + info_fields.index("AF")
                        haps = [
                            [
                                v
                                for v in h
                                if (lo is None or f32(info.by_key[v][at]) >= lo)
                                and (hi is None or f32(info.by_key[v][at]) <= hi)
                            ]
                            for h in haps
                        ]
                    if union:  # hap 0's variants then hap 1's, no sort, no dedup
                        haps = [[v for h in haps for v in h]]
                    if call_of(mode) == "nVariants":
                        cells[r][s] = [(int32_row([len(h) for h in haps]), len(haps))]
                        continue
                    for p, kept in enumerate(haps):
                        if not kept and dummy is not None:
                            kept = [dummy]
                        cells[r][s][p] = (serialize_variants(kept, b["strand"], extra, info), len(kept))
                    cells[r][s] = cells[r][s][: len(haps)]
    else:  # consensus
        for s, name in enumerate(samples):
            for chrom in chroms:
                recs = inputs.hap_records(ds, name, chrom)
                rs = [r for r in regions if bed[r]["chrom"] == chrom]
                for p in range(PLOIDY):
                    carried = recs.by_hap[p]
                    slices, why = [], {}
                    for r in rs:
                        b = bed[r]
                        end = b["end"]
                        if crosses(carried, b["start"]):
                            why[r] = "a carried deletion spans the window start"
                        if fixed:
                            # Left-anchored output: a slice past the end, never cutting a record.
                            end = b["start"] + length + 256
                            while crosses(carried, end):
                                end = max(q + len(ref) for q, ref, _ in carried if q < end < q + len(ref))
                            end = min(end, contig_len[chrom])
                        elif crosses(carried, b["end"]):
                            why[r] = "a carried deletion spans the window end"
                        slices.append((chrom, b["start"], end))
                    seqs = inputs.haplotypes(fasta, inputs.sample_vcf(ds, name), name, p, slices)
                    for i, r in enumerate(rs):
                        if r in why:
                            cells[r][s][p] = (None, why[r])
                            continue
                        seq = seqs[i]
                        if fixed:
                            seq = seq[:length] + b"N" * max(0, length - len(seq))
                        cells[r][s][p] = (rc(seq) if bed[r]["strand"] == -1 else seq, None)

        if call_of(mode) == "haplotypeLengths":
            # One int32 row of the haplotypes' lengths per (region, sample), excluded
            # when any of its haplotypes is.
            for r in regions:
                for s in range(len(samples)):
                    hs = cells[r][s]
                    bad = next((why for data, why in hs if data is None), None)
                    cells[r][s] = [
                        (None, bad) if bad else (int32_row([len(data) for data, _ in hs]), PLOIDY)
                    ]

    dtype = "uint8" if kind != "query" else ("variantFields" if extra_fields(mode) else "variants")
    if call_of(mode) != "get":
        dtype = "int32"
    encoding = encoding_of(mode)
    if encoding is not None and encoding[2]:
        dtype = "float32"
    sink = PartSink(dtype)
    full = FullRows()
    batches: dict[int, list] = {}
    for r in regions:
        flat = [cell for per_sample in cells[r] for cell in per_sample]
        if length == "variable":
            if any(data is None for data, _ in flat):
                flat = [(None, "the batch width depends on an excluded row") for _ in flat]
                sink.excluded_batches.append(r)
            else:
                width = max(len(d) for d, _ in flat)
                flat = [(d + b"N" * (width - len(d)), None) for d, _ in flat]
        batches[r] = []
        for data, extra in flat:
            if data is None:
                sink.exclude(extra)
                batches[r].append(None)
                continue
            n = extra if kind == "query" or call_of(mode) != "get" else len(data)
            if encoding is not None:
                data = encode_ascii(mode, data)
            full.pick(sink, len(sink.lengths), data, n, bed[r], dtype == "uint8" and kind == "consensus" and length == "ragged")
            sink.add(data, n)
            batches[r].append(data)
    return sink, batches


def bcftools_version() -> str:
    b = run(["bcftools", "--version"]).splitlines()
    s = run(["samtools", "--version"]).splitlines()
    return f"{b[0]} ({b[1]}), {s[0]}"


METHODS = {
    "faidx": "samtools faidx of each window (reference uppercased), reverse-complemented on - strands",
    "query": (
        "bcftools query -r CHROM -s SAMPLE -f '%POS\\t%REF\\t%ALT[\\t%GT]\\n' (carriers: allele == 1); "
        "per haplotype the records whose REF span overlaps the window padded by max_jitter, then "
        "downstream records while the haplotype is shorter than the window (extend_to_length); "
        "ALT reverse-complemented on - strands"
    ),
    "consensus": (
        "bcftools consensus -H P -s SAMPLE -f SLICES VCF_OF_SAMPLE, SLICES from samtools faidx of the "
        "uppercased reference, VCF_OF_SAMPLE = bcftools view -s SAMPLE; ragged/variable: the slice is "
        "the window, and a row is excluded when a record its haplotype carries spans a window edge (a "
        "consensus over a slice cannot clip it); variable: rows N-padded to the batch's longest, the "
        "batch excluded if any of its rows is; fixed L: the slice is [start, start+L+256) moved past any "
        "carried record it would cut, the first L bytes, N-padded, rows with a carried deletion "
        "across the window start excluded; reverse complement on - strands"
    ),
}


def method_of(mode: dict) -> str:
    """How a mode's bcftools golden is made: the oracle's method and what the mode adds."""
    out = METHODS[mode["bcftools"]["kind"]]
    if call_of(mode) == "haplotypeLengths":
        out += "; the row of a (region, sample) is the lengths of its haplotypes' consensus sequences (int32)"
    if settings_of(mode).get("unphasedUnion"):
        out += "; unphased union: one row per (region, sample), haplotype 0's records then haplotype 1's"
    if call_of(mode) == "nVariants":
        out += "; the row of a (region, sample) is the count of each haplotype's records (int32)"
    if dummy_of(mode) is not None:
        out += "; an empty haplotype gets the dummy variant (start -1, ilen 0, ALT N unless set)"
    if splice_of(mode):
        out += (
            "; spliced (splice_info score, name): per (transcript, sample, haplotype) its exons' rows, "
            "forward strand, joined in genome order, reverse complemented on - transcripts; excluded "
            "when any exon's row is"
        )
    if extra_fields(mode):
        out += (
            f"; each variant followed by {', '.join(extra_fields(mode))} from bcftools query of the VCF "
            "(REF reverse-complemented on - strands, INFO as float32)"
        )
    if af_filter(mode) is not None:
        lo, hi = af_filter(mode)
        out += f"; records kept when {lo if lo is not None else '-inf'} <= AF <= {hi if hi is not None else 'inf'} (float32)"
    encoding = encoding_of(mode)
    if encoding is not None:
        alphabet, unknown, one_hot = encoding
        out += (
            f"; rows one-hot encoded: float32 LE, per base {len(alphabet)} values, 1.0 where it is "
            f"{alphabet.decode()}[c]"
            if one_hot
            else f"; rows encoded as uint8 tokens: {alphabet.decode()}[i] -> i, any other byte -> {unknown}"
        )
    return out


def cmd_bcftools(spec: dict, out_dir: str) -> None:
    oracle = bcftools_version()
    with tempfile.TemporaryDirectory(prefix="parity-bcftools-") as scratch:
        inputs = Inputs(scratch)
        for mode in spec["modes"]:
            if mode["bcftools"]["kind"] == "none":
                continue
            sink, _ = bcftools_mode(spec, mode, inputs)
            extra = {"source": "bcftools", "method": method_of(mode)}
            doc = golden_doc(oracle, spec, mode, {"seqs": sink}, extra)
            write_json(os.path.join(out_dir, f"bcftools.{mode['id']}.json"), doc)
            log(f"bcftools {mode['id']}: {len(sink.lengths)} rows, {sum(sink.excluded.values())} excluded")


def cmd_bcftools_batch(spec: dict, mode_id: str, region: int) -> None:
    mode = next(m for m in spec["modes"] if m["id"] == mode_id)
    with tempfile.TemporaryDirectory(prefix="parity-bcftools-") as scratch:
        _, batches = bcftools_mode(spec, mode, Inputs(scratch), only_region=region)
    rows = batches[region]
    json.dump({"seqs": [None if r is None else base64.b64encode(r).decode() for r in rows]}, sys.stdout)


def log(msg: str) -> None:
    print(f"[make_goldens] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- the peer


def annotated_rows(haps, var_idxs, ref_coords, offsets) -> list:
    """Rows of annotated haplotypes: per row the bases, their variant indices (int32 LE),
    their reference coordinates (int32 LE)."""
    import numpy as np

    haps = np.asarray(haps).view(np.uint8)
    var_idxs = np.asarray(var_idxs, dtype="<i4")
    ref_coords = np.asarray(ref_coords, dtype="<i4")
    rows = []
    for i in range(len(offsets) - 1):
        a, b = int(offsets[i]), int(offsets[i + 1])
        data = haps[a:b].tobytes() + var_idxs[a:b].tobytes() + ref_coords[a:b].tobytes()
        rows.append((data, b - a))
    return rows


# Integer dtypes other than int32 the peer returned for the current mode.
PEER_INT_DTYPES: set[str] = set()


def peer_alleles(field):
    """(bytes, per-variant byte offsets) of a peer allele field (ALT, REF)."""
    import numpy as np

    chars = field.to_chars()
    # Per-variant byte boundaries of the alleles (the inner offsets of the char view).
    off = np.asarray(chars._layout.offsets[-1])
    data = np.asarray(chars.data).tobytes()
    assert int(off[-1]) == len(data)
    return data, off


def peer_part(x, is_variants: bool, extra=()):
    """(shape, dtype, [(bytes, length)]) of one part of a peer output; `extra`: variant
    fields serialized after each ALT (`ref`: int32 LE length + bytes; INFO: float32 LE)."""
    import numpy as np

    if hasattr(x, "var_idxs") and hasattr(x, "ref_coords"):  # (Ragged)AnnotatedHaps
        if isinstance(x.haps, np.ndarray):
            L = x.haps.shape[-1]
            n = x.haps.size // L if L else 0
            flat = [np.ascontiguousarray(a).reshape(-1) for a in (x.haps, x.var_idxs, x.ref_coords)]
            return tuple(x.shape), "annotated", annotated_rows(*flat, [i * L for i in range(n + 1)])
        offsets = np.asarray(x.haps.offsets)
        rows = annotated_rows(x.haps.data, x.var_idxs.data, x.ref_coords.data, offsets)
        return tuple(x.shape), "annotated", rows

    if is_variants:
        x = x.to_packed()
        offsets = np.asarray(x.offsets)
        start = np.asarray(x.start.data, dtype="<i4")
        ilen = np.asarray(x.ilen.data, dtype="<i4")
        alt, alt_off = peer_alleles(x.alt)
        assert len(alt_off) == int(offsets[-1]) + 1
        columns = []
        for f in extra:
            if f == "ref":
                columns.append(("ref", peer_alleles(x.ref)))
            else:
                values = np.asarray(x[f].data)
                assert values.dtype == np.float32, (f, values.dtype)
                columns.append(("info", values.astype("<f4")))
        rows = []
        for i in range(len(offsets) - 1):
            out = bytearray()
            for k in range(int(offsets[i]), int(offsets[i + 1])):
                a = alt[int(alt_off[k]) : int(alt_off[k + 1])]
                out += struct.pack("<iii", int(start[k]), int(ilen[k]), len(a)) + a
                for kind, col in columns:
                    if kind == "ref":
                        data, off = col
                        r = data[int(off[k]) : int(off[k + 1])]
                        out += struct.pack("<i", len(r)) + r
                    else:
                        out += col[k : k + 1].tobytes()
            rows.append((bytes(out), int(offsets[i + 1] - offsets[i])))
        return tuple(x.shape), "variantFields" if extra else "variants", rows
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "iu" and x.dtype != np.int32:
            # Integer outputs are compared as int32 values (the peer documents int32);
            # the dtype it really returned is recorded in the golden (peerDtype).
            if x.size and (x.min() < np.iinfo(np.int32).min or x.max() > np.iinfo(np.int32).max):
                raise ValueError(f"peer {x.dtype} output does not fit int32")
            PEER_INT_DTYPES.add(str(x.dtype))
            x = x.astype(np.int32)
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32"}.get(x.dtype, "uint8")
        flat = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
        return tuple(x.shape), dtype, [(flat[i].tobytes(), x.shape[-1]) for i in range(flat.shape[0])]
    offsets = np.asarray(x.offsets)
    data = np.asarray(x.data)
    dtype = "float32" if data.dtype == np.float32 else "uint8"
    rows = []
    for i in range(len(offsets) - 1):
        a, b = int(offsets[i]), int(offsets[i + 1])
        rows.append((np.ascontiguousarray(data[a:b]).tobytes(), b - a))
    return tuple(x.shape), dtype, rows


def peer_view(gvl, spec: dict, mode: dict, opened: dict):
    ds_id = mode["dataset"]
    if ds_id not in opened:
        d = spec["datasets"][ds_id]
        opened[ds_id] = gvl.Dataset.open(d["path"], reference=d["referenceCopy"])
    view = opened[ds_id].with_seqs(mode["seqs"]).with_tracks(mode["tracks"] or False)
    view = view.with_len(mode["length"])
    settings = settings_of(mode)
    if settings.get("unphasedUnion"):
        view = view.with_settings(unphased_union=True)
    if "dummyVariant" in settings:
        d = settings["dummyVariant"]
        fields = {"start": d.get("start", -1), "ilen": d.get("ilen", 0)}
        if "alt" in d:
            fields["alt"] = d["alt"].encode()
        view = view.with_settings(dummy_variant=gvl.DummyVariant(**fields))
    if "varFields" in settings:
        view = view.with_settings(var_fields=settings["varFields"])
    if splice_of(mode):
        info = splice_of(mode)
        view = view.with_settings(splice_info=info if isinstance(info, str) else tuple(info))
    if "minAf" in settings or "maxAf" in settings:
        view = view.with_settings(min_af=settings.get("minAf", False), max_af=settings.get("maxAf", False))
    return view


def peer_batch(view, mode: dict, region: int, samples=None):
    """{part: (shape, dtype, rows)} of `view[region, samples]` (default: the golden
    samples, a list), or raises (e.g. the peer's PanicException)."""
    samples = mode["goldenSamples"] if samples is None else samples
    call = call_of(mode)
    if call == "haplotypeLengths":
        out = view.haplotype_lengths(region, samples)
    elif call == "nVariants":
        out = view.n_variants(region, samples)
    else:
        out = view[region, samples]
    parts = parts_of(mode)
    outs = out if len(parts) == 2 else (out,)
    batch = {
        p: peer_part(o, p == "seqs" and mode["seqs"] == "variants" and call == "get", extra_fields(mode))
        for p, o in zip(parts, outs)
    }
    if encoding_of(mode) is not None:
        batch["seqs"] = peer_encode(mode, *batch["seqs"])
    return batch


def peer_encode(mode: dict, shape, dtype: str, rows: list):
    """The peer's ASCII rows through its own token table (`build_token_lut`; genvarloader
    0.43.1 tokenizes only its variant windows, not sequence rows), or one-hot: float32
    LE, one column per alphabet byte, 1.0 where the base equals it."""
    import numpy as np
    from genvarloader._dataset._flat_flanks import build_token_lut

    assert dtype == "uint8", dtype
    alphabet, unknown, one_hot = encoding_of(mode)
    if one_hot:
        columns = np.frombuffer(alphabet, dtype=np.uint8)
        encode = lambda b: (b[:, None] == columns[None, :]).astype("<f4")  # noqa: E731
        shape, dtype = (*shape, len(alphabet)), "float32"
    else:
        lut, lut_dtype = build_token_lut(alphabet, int(unknown))
        lut = lut.astype(np.dtype(lut_dtype).newbyteorder("<"))
        encode = lambda b: lut[b]  # noqa: E731
        dtype = np.dtype(lut_dtype).name
    out = []
    for data, n in rows:
        b = np.frombuffer(data, dtype=np.uint8)
        out.append((np.ascontiguousarray(encode(b)).tobytes(), n))
    return shape, dtype, out


def track_major(mode: dict, rows: list, n_samples: int) -> list:
    """Rows of a tracks part reordered from (sample, track, [ploid]) to (track, sample, [ploid])."""
    per_track = PLOIDY if mode["seqs"] == "haplotypes" else 1
    n_tracks = len(mode["tracks"])
    out = []
    for t in range(n_tracks):
        for s in range(n_samples):
            base = (s * n_tracks + t) * per_track
            out.extend(rows[base : base + per_track])
    return out


def peer_rows(view, mode: dict, region: int, layout: dict):
    """{part: (shape, dtype, [rows or None])} of one batch. Modes with tracks are queried one
    (region, sample) at a time: genvarloader 0.43.1 returns a multi-sample batch of tracks
    laid out track-major under a sample-major shape (`x[0, s, t]` is another sample's
    track). The multi-sample batch is still requested, for its shape and to record which
    layout it had in `layout`. Rows of a query that raises are None."""
    if not mode["tracks"]:
        return peer_batch(view, mode, region)
    samples = mode["goldenSamples"]
    parts = parts_of(mode)
    assembled = {p: ["", []] for p in parts}
    for name in samples:
        try:
            single = peer_batch(view, mode, region, [name])
        except BaseException as e:  # pyo3 PanicException derives from BaseException
            if isinstance(e, KeyboardInterrupt):
                raise
            layout.setdefault("errors", []).append(
                {"region": region, "sample": name, "error": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
            )
            for p in parts:
                assembled[p][1].extend([None] * rows_per_sample(mode, p))
            continue
        for p, (_, dtype, rows) in single.items():
            assembled[p][0] = dtype
            assembled[p][1].extend(rows)
    shapes = {p: None for p in parts}
    try:
        multi = peer_batch(view, mode, region)
        kind = "sample-major"
        for p, (shape, _, rows) in multi.items():
            shapes[p] = shape
            want = assembled[p][1]
            if None in want:
                kind = "not comparable (a single query raised)"
            elif p == "tracks" and rows != want:
                kind = "track-major" if rows == track_major(mode, want, len(samples)) else "other"
        layout[kind] = layout.get(kind, 0) + 1
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt):
            raise
        layout["multi-sample batch raised"] = layout.get("multi-sample batch raised", 0) + 1
    return {p: (shapes[p], assembled[p][0], assembled[p][1]) for p in parts}


def cmd_peer(spec: dict, out_dir: str) -> None:
    import genvarloader as gvl
    import numpy as np

    oracle = f"genvarloader {gvl.__version__} (numpy {np.__version__})"
    opened: dict = {}
    for mode in spec["modes"]:
        bed = units_of(spec, mode)
        view = peer_view(gvl, spec, mode, opened)
        parts = parts_of(mode)
        sinks = {p: PartSink("") for p in parts}
        full = {p: FullRows() for p in parts}
        panics = []
        PEER_INT_DTYPES.clear()
        layout: dict = {}
        for r in range(len(bed)):
            try:
                batch = peer_rows(view, mode, r, layout)
            except BaseException as e:  # pyo3 PanicException derives from BaseException
                if isinstance(e, KeyboardInterrupt):
                    raise
                panics.append({"region": r, "error": f"{type(e).__name__}: {str(e).splitlines()[0]}"})
                for p in parts:
                    n = len(mode["goldenSamples"]) * rows_per_sample(mode, p)
                    for _ in range(n):
                        sinks[p].exclude("the peer raised (see panics)")
                    sinks[p].shapes.append("?")
                    sinks[p].excluded_batches.append(r)
                continue
            for p, (shape, dtype, rows) in batch.items():
                sink = sinks[p]
                sink.dtype = dtype or sink.dtype
                sink.shapes.append("?" if shape is None else shape_str(shape))
                for row in rows:
                    if row is None:
                        sink.exclude("the peer raised (see panics)")
                        continue
                    data, n = row
                    full[p].pick(sink, len(sink.lengths), data, n, bed[r], mode["length"] == "ragged" and dtype not in ("variants", "int32"))
                    sink.add(data, n)
        for e in layout.pop("errors", []):
            panics.append(e)
        extra = {"source": "genvarloader", "panics": panics}
        if PEER_INT_DTYPES:
            extra["peerDtype"] = ",".join(sorted(PEER_INT_DTYPES))
        if mode["tracks"]:
            extra["queries"] = "one (region, sample) per call; rows assembled per batch"
            extra["multiSampleBatchLayout"] = layout
        doc = golden_doc(oracle, spec, mode, sinks, extra)
        write_json(os.path.join(out_dir, f"genvarloader.{mode['id']}.json"), doc)
        log(
            f"genvarloader {mode['id']}: {len(next(iter(sinks.values())).lengths)} rows, "
            f"{len(panics)} queries raised{f', multi-sample batch layouts {layout}' if layout else ''}"
        )


def cmd_peer_batch(spec: dict, mode_id: str, region: int) -> None:
    import genvarloader as gvl

    mode = next(m for m in spec["modes"] if m["id"] == mode_id)
    view = peer_view(gvl, spec, mode, {})
    batch = peer_rows(view, mode, region, {})
    json.dump(
        {
            p: [None if r is None else base64.b64encode(r[0]).decode() for r in rows]
            for p, (_, _, rows) in batch.items()
        },
        sys.stdout,
    )


def arrow_content(path: str):
    """An Arrow table normalized for comparison: list columns (the peer's ALT, ILEN) as
    their first element, ILEN present."""
    import polars as pl

    d = pl.read_ipc(path, memory_map=False)
    lists = [c for c, t in d.schema.items() if isinstance(t, pl.List)]
    d = d.with_columns([pl.col(c).list.first() for c in lists])
    if "REF" in d.columns and "ILEN" not in d.columns:
        d = d.with_columns((pl.col("ALT").str.len_bytes() - pl.col("REF").str.len_bytes()).alias("ILEN"))
    casts = {"POS": pl.Int64, "ILEN": pl.Int32, "chromStart": pl.Int64, "chromEnd": pl.Int64}
    return d.with_columns([pl.col(c).cast(t) for c, t in casts.items() if c in d.columns])


def compare_datasets(ours: str, theirs: str) -> dict:
    """Raw arrays byte for byte; Arrow tables by content (the two writers encode them differently)."""
    def files(root):
        return {
            os.path.relpath(os.path.join(d, f), root)
            for d, _, fs in os.walk(root)
            for f in fs
        }

    a, b = files(ours), files(theirs)
    # gvl-ts's integrity manifest (sha256 of every file): the peer writes none.
    ours_only = {"checksums.json"}
    out = {
        "identicalBytes": [],
        "equalContent": [],
        "oursOnly": sorted((a - b) & ours_only),
        "differing": sorted((a ^ b) - ours_only),
    }
    for f in sorted(a & b):
        pa, pb = os.path.join(ours, f), os.path.join(theirs, f)
        with open(pa, "rb") as x, open(pb, "rb") as y:
            if x.read() == y.read():
                out["identicalBytes"].append(f)
                continue
        if f.endswith(".arrow"):
            ta, tb = arrow_content(pa), arrow_content(pb)
            cols = [c for c in ta.columns if c in tb.columns]
            if set(ta.columns) == set(tb.columns) and ta.select(cols).equals(tb.select(cols)):
                out["equalContent"].append(f)
                continue
        out["differing"].append(f)
    out["identical"] = not out["differing"]
    return out


def cmd_peer_write(spec: dict, out_dir: str) -> None:
    """The peer writes each dataset from the same inputs (VCF copied: it indexes beside
    it), then each is compared with the gvl-ts-written one. Prints JSON."""
    import contextlib

    import genvarloader as gvl

    result = {}
    for ds_id, d in spec["datasets"].items():
        if ds_id not in ("chr20", "chr16"):
            # chr20-af and chr20-splice are chr20's inputs with an INFO column or the
            # windows regrouped: the peer's write of chr20 covers them.
            continue
        scratch = os.path.join(out_dir, f"{ds_id}-inputs")
        os.makedirs(scratch, exist_ok=True)
        vcf = os.path.join(scratch, os.path.basename(d["vcf"]))
        for ext in ("", ".tbi", ".csi"):
            if os.path.exists(d["vcf"] + ext):
                shutil.copyfile(d["vcf"] + ext, vcf + ext)
        tracks = [gvl.BigWigs(name, paths) for name, paths in d["tracks"].items()]
        path = os.path.join(out_dir, f"{ds_id}.gvl")
        with contextlib.redirect_stdout(sys.stderr):
            gvl.write(path, d["bed"], vcf, tracks=tracks or None, max_jitter=d["maxJitter"], overwrite=True)
        result[ds_id] = compare_datasets(d["path"], path)
    json.dump(result, sys.stdout)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path) as f:
        spec = json.load(f)
    if cmd == "peer-version":
        import genvarloader as gvl
        import numpy as np

        print(f"genvarloader {gvl.__version__} (numpy {np.__version__})")
    elif cmd == "bcftools":
        cmd_bcftools(spec, sys.argv[3])
    elif cmd == "peer":
        cmd_peer(spec, sys.argv[3])
    elif cmd == "peer-write":
        cmd_peer_write(spec, sys.argv[3])
    elif cmd == "bcftools-batch":
        cmd_bcftools_batch(spec, sys.argv[3], int(sys.argv[4]))
    elif cmd == "peer-batch":
        cmd_peer_batch(spec, sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
