"""One Python genvarloader worker for gvl-stress (the peer side of the side-by-side).

Usage: python peer_worker.py SPEC_JSON        run one worker (see src/protocol.ts)
       python peer_worker.py --probe [JSON]   print {"version": ...}; with a dataset
                                              workload, also open it once (warms the
                                              peer's FASTA cache outside timed launches)

Reports JSON lines on file descriptor 3, the same messages as the gvl-ts workers. Runs
with whatever genvarloader is installed (0.36.0, 0.43.x, ...): only Dataset.open,
subset_to and ds[:, :] are used.
"""

import hashlib
import json
import os
import sys
import threading
import time

REPORT_FD = 3


def threads_now():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def send(message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        n = os.write(REPORT_FD, data)
        data = data[n:]


def arrays(out):
    """The numpy arrays holding the output's data, in order (as the gvl-ts worker)."""
    if isinstance(out, tuple):
        return [a for x in out for a in arrays(x)]
    data = getattr(out, "data", None)
    if data is not None and hasattr(data, "nbytes"):
        return [data]
    if hasattr(out, "nbytes"):
        return [out]
    return []


def summarize(out, digest):
    import numpy as np

    found = arrays(out)
    n = sum(int(a.nbytes) for a in found)
    if not digest:
        return n, None
    h = hashlib.sha256()
    for a in found:
        h.update(np.ascontiguousarray(a).view(np.uint8).reshape(-1))
    return n, h.hexdigest()


def pool_report(gvl):
    """The size of the peer's rayon pool: rayon reads RAYON_NUM_THREADS at pool build,
    which the peer sets (0.43 overwrites it; 0.36 only sets it when absent)."""
    env = os.environ.get("RAYON_NUM_THREADS")
    if env and env.strip().isdigit() and int(env) > 0:
        return {"numThreads": int(env), "source": "RAYON_NUM_THREADS"}
    return {"numThreads": os.cpu_count(), "source": "rayon default (os.cpu_count)"}


def open_dataset(gvl, workload):
    ds = gvl.Dataset.open(workload["path"], reference=workload["reference"])
    kwargs = {}
    if workload.get("regions") is not None:
        kwargs["regions"] = slice(0, workload["regions"])
    if workload.get("samples") is not None:
        kwargs["samples"] = slice(0, workload["samples"])
    if kwargs:
        import numpy as np

        shape = ds.shape if hasattr(ds, "shape") else (ds.n_regions, ds.n_samples)
        if "regions" in kwargs:
            kwargs["regions"] = np.arange(shape[0])[kwargs["regions"]]
        if "samples" in kwargs:
            kwargs["samples"] = np.arange(shape[1])[kwargs["samples"]]
        ds = ds.subset_to(**kwargs)
    return ds


def probe(argv):
    import genvarloader as gvl

    out = {"version": getattr(gvl, "__version__", "unknown")}
    if argv:
        workload = json.loads(argv[0])
        ds = open_dataset(gvl, workload)
        out["shape"] = list(ds.shape)
    print(json.dumps(out))


def main(spec):
    worker = spec["worker"]
    peak = [threads_now()]

    def sample():
        n = threads_now()
        if n > peak[0]:
            peak[0] = n
        return n

    send({"t": "hello", "worker": worker, "pid": os.getpid(), "tid": threading.get_native_id(),
          "threads": sample()})
    try:
        started = time.perf_counter()
        import genvarloader as gvl

        workload = spec["workload"]
        if workload["kind"] != "dataset":
            raise ValueError("the Python peer runs dataset workloads only")
        ds = open_dataset(gvl, workload)
        send({"t": "ready", "worker": worker, "pool": pool_report(gvl), "threads": sample(),
              "version": getattr(gvl, "__version__", "unknown")})
        total = 0
        for it in range(spec["iters"]):
            out = ds[:, :]
            n, digest = summarize(out, it == 0)
            total += n
            del out
            message = {"t": "iter", "worker": worker, "iter": it, "bytes": n, "threads": sample()}
            if digest is not None:
                message["digest"] = digest
            send(message)
            if spec.get("injectHang"):
                send({"t": "hang", "worker": worker, "threads": sample()})
                threading.Event().wait()
        send({"t": "done", "worker": worker, "iters": spec["iters"], "bytes": total,
              "pool": pool_report(gvl), "peakThreads": max(peak[0], sample()),
              "elapsedMs": (time.perf_counter() - started) * 1000})
    except BaseException as e:  # noqa: BLE001 - every failure is reported
        import traceback

        send({"t": "fail", "worker": worker,
              "error": {"name": type(e).__name__, "message": str(e),
                        "stack": traceback.format_exc()},
              "peakThreads": max(peak[0], sample())})
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--probe":
        probe(sys.argv[2:])
    else:
        main(json.loads(sys.argv[1]))
