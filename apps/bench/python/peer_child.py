"""One measurement of the Python genvarloader (the peer) for the side-by-side benchmark.

Usage: python peer_child.py JOB_JSON

Runs one job and prints one JSON line (the last line of stdout) with the measurements;
the same job shapes and the same report fields as the gvl-ts child (src/child-gvl.ts):

  {"kind": "read", "dataset", "reference", "length": "ragged" | int, "batches": path}
      open the dataset (untimed; RSS before/after recorded), run the warm-up batches,
      then time each batch `ds[regions, samples]`; per batch also time a plain numpy
      copy of the same output bytes into a reused buffer (the memcpy floor). Reports
      per-batch times, bytes, SHA-256 of the outputs (data, then int64 offsets rebased
      to 0 for ragged outputs) and peak RSS (VmHWM).
  {"kind": "write", "out", "bed", "vcf", "samples": [..] | null}
      time `genvarloader.write` and report peak RSS.
  {"kind": "probe"}
      print the peer's version.

The batch file is JSON: {"warmup": [[regions], [samples]], ...], "timed": [...]} with
region indices in input BED order and sample indices in the dataset's sorted order.
Threads: the peer reads GVL_NUM_THREADS and GVL_FORCE_PARALLEL itself (its _threads.py).
"""

import hashlib
import json
import sys
import time


def proc_status(field):
    """A `/proc/self/status` field in bytes (kB in the file), or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def emit(report):
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()


def output_views(out, np):
    """(data bytes, offsets rebased to 0 or None) of a haplotype output."""
    offsets = getattr(out, "offsets", None)
    if offsets is not None:
        offs = np.asarray(offsets, dtype=np.int64).reshape(-1)
        data = np.asarray(out.data).reshape(-1).view(np.uint8)
        lo, hi = int(offs[0]), int(offs[-1])
        return data[lo:hi], offs - lo
    arr = np.ascontiguousarray(out)
    return arr.reshape(-1).view(np.uint8), None


def read_job(job):
    import numpy as np

    import genvarloader as gvl

    with open(job["batches"]) as f:
        plan = json.load(f)
    to_idx = lambda b: (np.asarray(b[0], dtype=np.intp), np.asarray(b[1], dtype=np.intp))  # noqa: E731
    warmup = [to_idx(b) for b in plan["warmup"]]
    timed = [to_idx(b) for b in plan["timed"]]

    rss_before = proc_status("RssAnon")
    file_before = proc_status("RssFile")
    t0 = time.perf_counter_ns()
    ds = gvl.Dataset.open(job["dataset"], reference=job["reference"])
    ds = ds.with_seqs("haplotypes")
    length = job["length"]
    if length != "ragged":
        ds = ds.with_len(int(length))
    open_ms = (time.perf_counter_ns() - t0) / 1e6
    rss_after = proc_status("RssAnon")
    file_after = proc_status("RssFile")

    for r, s in warmup:
        ds[r, s]

    batch_ms = []
    floor_ms = []
    total = 0
    h = hashlib.sha256()
    buf = np.empty(1 << 20, dtype=np.uint8)
    for r, s in timed:
        t = time.perf_counter_ns()
        out = ds[r, s]
        batch_ms.append((time.perf_counter_ns() - t) / 1e6)
        data, offs = output_views(out, np)
        n = int(data.nbytes)
        if n > buf.nbytes:
            buf = np.empty(n, dtype=np.uint8)
        t = time.perf_counter_ns()
        np.copyto(buf[:n], data)
        floor_ms.append((time.perf_counter_ns() - t) / 1e6)
        total += n
        h.update(data.tobytes())
        if offs is not None:
            h.update(offs.astype("<i8").tobytes())
        del out, data, offs

    return {
        "openMs": open_ms,
        "openRssBytes": None if rss_before is None else rss_after - rss_before,
        "openFileRssBytes": None if file_before is None else file_after - file_before,
        "batchMs": batch_ms,
        "floorMs": floor_ms,
        "bytes": total,
        "sha256": h.hexdigest(),
        "gcCount": None,
        "gcMajor": None,
    }


def write_job(job):
    import genvarloader as gvl

    t0 = time.perf_counter_ns()
    kwargs = {}
    if job.get("samples"):
        kwargs["samples"] = job["samples"]
    gvl.write(job["out"], job["bed"], job["vcf"], overwrite=True, **kwargs)
    return {"writeMs": (time.perf_counter_ns() - t0) / 1e6}


def main():
    job = json.loads(sys.argv[1])
    import genvarloader as gvl

    version = getattr(gvl, "__version__", "unknown")
    if job["kind"] == "probe":
        emit({"lib": "peer", "version": version, "python": sys.version.split()[0]})
        return
    if job["kind"] == "read":
        report = read_job(job)
    elif job["kind"] == "write":
        report = write_job(job)
    else:
        raise ValueError(f"unknown job kind {job['kind']!r}: expected read, write or probe")
    report.update({"lib": "peer", "version": version, "peakRssBytes": proc_status("VmHWM")})
    emit(report)


if __name__ == "__main__":
    main()
