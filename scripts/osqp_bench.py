#!/usr/bin/env python3
"""OSQP side by side with `npm run bench -- --set ...` (src/cli/bench-set.ts).

Reads one JSON job on stdin:
  {"settings": {"eps_abs": .., "eps_rel": .., "max_iter": .., "polishing": true},
   "budget_ms": 500, "max_repeats": 25, "problems": [{"name": "HS21", "file": "/path/HS21.json"}]}
and prints one JSON line per problem:
  {"name", "status", "iter", "obj", "setup_ms", "solve_ms", "polish_ms", "run_ms", "repeats"}
where run_ms is the median over repeats of OSQP's own run_time (setup + solve + polish, measured
by the C library), and obj includes the file's constant r. The problem files are the project's
JSON form (CSC matrices, bounds with |v| >= 1e19 or null infinite); P is passed as its upper
triangle, as OSQP takes it. Without the osqp module it prints {"unavailable": reason} and exits 3.
"""
import json
import statistics
import sys

try:
    import numpy as np
    import osqp
    import scipy.sparse as sp
except Exception as e:  # noqa: BLE001 - any import failure means OSQP cannot run here
    print(json.dumps({"unavailable": f"{type(e).__name__}: {e}"}))
    sys.exit(3)


def csc(m):
    rows, cols = m["shape"]
    return sp.csc_matrix(
        (
            np.asarray(m["data"], dtype=float),
            np.asarray(m["indices"], dtype=np.int64),
            np.asarray(m["indptr"], dtype=np.int64),
        ),
        shape=(rows, cols),
    )


def bound(values, sign):
    out = np.empty(len(values))
    for i, v in enumerate(values):
        out[i] = sign * np.inf if v is None or abs(v) >= 1e19 else v
    return out


def load(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    n = len(d["q"])
    P = csc(d["P"]) if "P" in d and d["P"] is not None else sp.csc_matrix((n, n))
    A = csc(d["A"]) if "A" in d and d["A"] is not None else sp.csc_matrix((0, n))
    m = A.shape[0]
    l = bound(d.get("l", [None] * m), -1)
    u = bound(d.get("u", [None] * m), 1)
    return sp.triu(P, format="csc"), np.asarray(d["q"], dtype=float), A, l, u, d.get("r", 0) or 0


def run(problem, settings, budget_ms, max_repeats):
    P, q, A, l, u, r = load(problem["file"])
    times = []
    spent = 0.0
    res = None
    while len(times) < max_repeats and (len(times) < 1 or spent < budget_ms):
        solver = osqp.OSQP()
        solver.setup(P, q, A, l, u, verbose=False, **settings)
        res = solver.solve()
        ms = res.info.run_time * 1e3
        times.append(ms)
        spent += ms
    info = res.info
    obj = info.obj_val + r if abs(info.obj_val) < 1e29 else None
    return {
        "name": problem["name"],
        "status": info.status,
        "iter": info.iter,
        "obj": obj,
        "setup_ms": info.setup_time * 1e3,
        "solve_ms": info.solve_time * 1e3,
        "polish_ms": info.polish_time * 1e3,
        "run_ms": statistics.median(times),
        "repeats": len(times),
    }


def main():
    job = json.load(sys.stdin)
    print(json.dumps({"version": osqp.__version__}), flush=True)
    for problem in job["problems"]:
        try:
            out = run(problem, job["settings"], job.get("budget_ms", 500), job.get("max_repeats", 25))
        except Exception as e:  # noqa: BLE001 - one problem's failure is its row's error
            out = {"name": problem["name"], "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
