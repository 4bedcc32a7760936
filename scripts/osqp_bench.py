#!/usr/bin/env python3
"""OSQP side by side with `npm run bench -- --set ...` (src/cli/bench-set.ts).

A line protocol, so that the bench can alternate OSQP's solves with its own under the same load:
the first line on stdin holds the settings,
  {"eps_abs": .., "eps_rel": .., "max_iter": .., "polishing": true}
and each following line a problem file to solve, a few times within a budget,
  {"name": "HS21", "file": "/path/HS21.json", "budget_ms": 250, "max_repeats": 12}
answered by one line
  {"name", "status", "iter", "obj", "setup_ms", "solve_ms", "polish_ms", "run_ms": [...]}
where run_ms lists OSQP's own run_time of each solve (setup + solve + polish, measured by the C
library; at least one solve, more while the budget lasts) and obj
includes the file's constant r. The files are the project's JSON form (CSC matrices; a bound that
is null or has |v| >= 1e19 is infinite); P is passed as its upper triangle, as OSQP takes it. The
first line of output is {"version": ...}, or {"unavailable": reason} (exit 3) without osqp.
"""
import json
import sys

try:
    import numpy as np
    import osqp
    import scipy.sparse as sp
except Exception as e:  # noqa: BLE001 - any import failure means OSQP cannot run here
    print(json.dumps({"unavailable": f"{type(e).__name__}: {e}"}), flush=True)
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
    P = csc(d["P"]) if d.get("P") is not None else sp.csc_matrix((n, n))
    A = csc(d["A"]) if d.get("A") is not None else sp.csc_matrix((0, n))
    m = A.shape[0]
    l = bound(d.get("l", [None] * m), -1)
    u = bound(d.get("u", [None] * m), 1)
    return sp.triu(P, format="csc"), np.asarray(d["q"], dtype=float), A, l, u, d.get("r") or 0


def solve(data, settings):
    P, q, A, l, u, r = data
    solver = osqp.OSQP()
    solver.setup(P, q, A, l, u, verbose=False, **settings)
    info = solver.solve().info
    return {
        "status": info.status,
        "iter": info.iter,
        "obj": info.obj_val + r if abs(info.obj_val) < 1e29 else None,
        "setup_ms": info.setup_time * 1e3,
        "solve_ms": info.solve_time * 1e3,
        "polish_ms": info.polish_time * 1e3,
        "run_ms": info.run_time * 1e3,
    }


def repeat(data, settings, budget_ms, max_repeats):
    out = solve(data, settings)
    times = [out["run_ms"]]
    while len(times) < max_repeats and sum(times) < budget_ms:
        times.append(solve(data, settings)["run_ms"])
    return {**out, "run_ms": times}


def main():
    print(json.dumps({"version": osqp.__version__}), flush=True)
    settings = json.loads(sys.stdin.readline())
    cached = (None, None)
    for line in sys.stdin:
        if not line.strip():
            continue
        problem = json.loads(line)
        try:
            if cached[0] != problem["file"]:
                cached = (problem["file"], load(problem["file"]))
            budget = problem.get("budget_ms", 0)
            repeats = problem.get("max_repeats", 1)
            out = {"name": problem["name"], **repeat(cached[1], settings, budget, repeats)}
        except Exception as e:  # noqa: BLE001 - one problem's failure is its row's error
            out = {"name": problem["name"], "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
