"""How the model's cost grows with the number of policies (and so of statements) per case: 1, 10, 100, 1,000 AWS
managed policies, end to end and with the policies loaded; a table, a fitted exponent and a PNG plot."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from pathlib import Path

from harness.bench import workloads
from harness.bench.measure import run_child, seconds

SIZES = (1, 10, 100, 1000)


def cases_for(size: int, base: int) -> int:
    """Fewer cases for the big sizes: a 1,000-policy case is ~2 MB of JSON."""
    return max(5, min(base, base * 10 // size)) if size >= 100 else base


def run(base_cases: int, seed: int, tmp: Path, runs: int, cpu: int | None,
        log: Callable[[str], None], sizes: tuple[int, ...] = SIZES, clock: str = "cpu") -> dict:
    rows = []
    for size in sizes:
        n = cases_for(size, base_cases)
        w = workloads.scaling(size, n, seed)
        path = tmp / f"{w.name}.jsonl"
        path.write_text("\n".join(w.lines) + "\n", encoding="utf-8")
        log(f"scaling: {size} policies x {n} cases ...")
        raw = run_child("iamspec", path, runs, min(20, n), cpu)
        if "unavailable" in raw:
            rows.append({"policies": size, "cases": n, "unavailable": raw["unavailable"]})
            continue
        stmts = w.statements_per_case()
        e2e = statistics.median(seconds(raw, "e2e", clock)) / n
        ev = statistics.median(seconds(raw, "eval", clock)) / n
        rows.append({
            "policies": size,
            "cases": n,
            "statements_per_case": round(stmts, 1),
            "bytes_per_case": round(sum(map(len, w.lines)) / n),
            "us_per_decision": round(e2e * 1e6, 2),
            "us_per_eval": round(ev * 1e6, 2),
            "us_per_statement_e2e": round(e2e * 1e6 / stmts, 3),
            "us_per_statement_eval": round(ev * 1e6 / stmts, 3),
            "decisions_per_s": round(1 / e2e, 1),
            "eval_per_s": round(1 / ev, 1),
            "peak_mb": round(raw["peak_mb"], 1),
        })
    ok = [r for r in rows if "unavailable" not in r]
    return {
        "clock": clock,
        "rows": rows,
        "exponent_e2e": exponent(ok, "us_per_decision"),
        "exponent_eval": exponent(ok, "us_per_eval"),
    }


def exponent(rows: list[dict], key: str) -> float | None:
    """Least-squares slope of log(cost) against log(statements): 1 = linear, < 1 = better than linear."""
    pts = [(math.log(r["statements_per_case"]), math.log(r[key])) for r in rows if r[key] > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / sxx, 3) if sxx else None


def plot(result: dict, path: Path) -> str | None:
    """Write the cost curve as a PNG (log-log); the reason when it cannot."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'iamspec[bench]')"
    rows = [r for r in result["rows"] if "unavailable" not in r]
    if not rows:
        return "no scaling figures"
    x = [r["statements_per_case"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    ax.loglog(x, [r["us_per_decision"] for r in rows], "o-", label="end to end (JSON line in, answer out)")
    ax.loglog(x, [r["us_per_eval"] for r in rows], "s-", label="policies loaded (authorize only)")
    lin = [rows[0]["us_per_decision"] * xi / x[0] for xi in x]
    ax.loglog(x, lin, ":", color="grey", label="linear in statements (reference)")
    for r in rows:
        ax.annotate(f'{r["policies"]} pol.', (r["statements_per_case"], r["us_per_decision"]),
                    textcoords="offset points", xytext=(4, 6), fontsize=8)
    ax.set_xlabel("statements per case")
    ax.set_ylabel(f"µs per decision ({result.get('clock', 'cpu')} time, median run, one core)")
    ax.set_title("iamspec: cost of one decision vs. policies in force")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return None
