"""Running a drawn decision case and its variants as one batch: the evaluator level's fast path.

A fast in-process evaluator answers a case in tens of microseconds, so what the harness does around each answer must
cost a few microseconds or it, not the target, is what a run measures. A batch shares everything that does not
depend on the request:

- the model answers every case, then the target answers every case under one time limit for the whole batch
  (``timeout + 5 s`` plus ten times the target's mean time per case so far, per case), each call still timed on
  its own; an exception fails only its own case, a hang fails the case in flight and the rest of the batch goes on
  under a new limit;
- the structural scan (``harness.featurescan.CaseScan``) is made once per batch and memoised by the request's
  action and resource and by its context's keys; what the model's answer adds, the features counted and which one a
  divergence is blamed on are memoised by those sets;
- counts go to the report once per batch.

Every case is still classified, compared and counted exactly as ``Conformance.check`` would one by one; a divergent
one goes through the same path (class, signature, minimisation later).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from harness.compare import DECISIONS, Difference, compare_answers
from harness.features import BY_ID, EVAL, blame, classify_answer, declared
from harness.featurescan import CaseScan
from harness.targets.base import crash
from harness.targets.guard import CallTimeout, call_with_timeout

if TYPE_CHECKING:
    from harness.conform import Conformance
    from harness.generate.batch import Batch


class CaseBatches:
    """The evaluator-level batches of one conformance run (the memos that outlive a batch live here)."""

    def __init__(self, engine: Conformance) -> None:
        self.engine = engine
        self._present: dict[tuple, tuple[frozenset[str], tuple[str, ...]]] = {}
        self._blamed: dict[tuple, str] = {}
        self._classes: dict[tuple, tuple[str, str, bool]] = {}  # -> (feature, signature, crash?) of a divergence

    def run(self, drawn: Batch, n: int, choices: tuple | None, strategy: Any, until: float) -> int:
        """Check the drawn case and its first ``n - 1`` variants, stopping after the drawn case once
        ``time.monotonic()`` passes ``until``; how many cases were checked or skipped."""
        engine = self.engine
        costs = engine.costs[EVAL]
        items = drawn.items(n)
        scan = CaseScan(items[0], keep=BY_ID)
        tags = items[0].get("tags")
        features = scan.features
        structural = [features(item.get("request")) for item in items]
        unsupported = engine.target.unsupported
        models: list[dict] = []
        if not structural[0] & unsupported:
            models.append(self._model(items[0]))
            if "error" in models[0]:  # the model refuses the drawn case (a malformed policy): so it would every variant
                items, structural = items[:1], structural[:1]
        expressible = {s: not s & unsupported for s in set(structural)}
        sent = [i for i, s in enumerate(structural) if expressible[s]]
        skipped = len(items) - len(sent)
        for f in declared(items[0].get("id")) | declared(tags):  # never sent: they need what the target cannot express
            engine.result.tally(f).unsupported_runs += skipped
        targets, interrupted = self._answers([items[i] for i in sent], until)
        sent = sent[:len(targets)]  # the unit's time ran out during the batch: the rest is not asked
        models = models[:len(sent)] + self._models([items[i] for i in sent[len(models):]])
        costs.inputs += len(sent)
        engine.result.cases += len(sent)
        counted: Counter[tuple[str, ...]] = Counter()
        diverged: Counter[tuple[str, str, bool]] = Counter()
        tags_key = tuple(tags) if isinstance(tags, list) else tags
        classify, present_of = self._classify, self._present
        for i, model, target in zip(sent, models, targets, strict=True):
            hit = present_of.get((structural[i], model.get("decision"), None, tags_key)) \
                if "error" not in model else None
            present, count = hit if hit is not None else classify(structural[i], model, tags)
            counted[count] += 1
            decision = model.get("decision")
            if decision in DECISIONS and type(target) is dict and target.get("decision") == decision \
                    and "crash" not in target and "crash" not in model:
                continue  # the same decision (compare_answers' first case, without its checks of garbage)
            key: tuple | None = (structural[i], present, _answer_key(model), _answer_key(target))
            try:
                seen = self._classes.get(key) if None not in key else None
            except TypeError:  # a garbage answer holding a list or an object: compared the slow way
                seen = key = None
            if seen is not None and seen[:2] in engine.known:  # a known class of divergence: only counted
                diverged[seen] += 1
                continue
            diff = compare_answers(model, target, engine.explicit)
            if diff is not None:
                feature = self._blame(structural[i], present, tags, diff)
                engine.diverged(items[i], EVAL, feature, diff, choices, strategy, i)
                if key is not None and None not in key:
                    self._classes[key] = (feature, diff.signature(), diff.kind == "crash")
        for count, k in counted.items():
            for f in count:
                engine.result.tally(f).checked += k
        for (feature, _, crashed), k in diverged.items():
            tally = engine.result.tally(feature)
            if crashed:
                tally.crashed += k
            else:
                tally.divergent += k
        if interrupted:  # Ctrl-C during the batch: what was answered is counted, then the run ends
            raise KeyboardInterrupt
        return len(sent) + skipped

    def _model(self, item: dict) -> dict:
        return self._models([item])[0]

    def _models(self, items: list[dict]) -> list[dict]:
        """The model's answers, its time (the loop around the calls included) added to the level's."""
        decide, t0 = self.engine.model.decide, time.perf_counter()
        try:
            return [decide(item) for item in items]
        finally:
            self.engine.costs[EVAL].model_s += time.perf_counter() - t0

    def _answers(self, items: list[dict], until: float) -> tuple[list[dict], bool]:
        """The target's answers to a prefix of ``items`` (all of them unless the time runs out or Ctrl-C is pressed:
        then True; the first always), a crash answer for a case that raised or hung."""
        engine, costs = self.engine, self.engine.costs[EVAL]
        per_case = costs.target_s / costs.inputs if costs.inputs else 0.0
        out: list[dict] = []
        while len(out) < len(items):
            limit = engine.timeout + 5 + 10 * per_case * (len(items) - len(out))
            try:
                call_with_timeout(lambda: self._decide_all(items, out, until), limit)
            except CallTimeout:
                cid = items[len(out)].get("id")
                out.append(crash(cid, f"no answer: the time limit of its batch ({limit:.3g} s) ran out on it"))
            except KeyboardInterrupt:
                return out, True
            if out and time.monotonic() > until:
                break
        return out, False

    def _decide_all(self, items: list[dict], out: list[dict], until: float) -> None:
        """Answers appended to ``out``, from where it ends; the time from the first call to the last answer is the
        target's (the loop around the calls, about 0.1 µs a case, included); the deadline is read every 32 cases."""
        decide, perf, monotonic = self.engine.target.decide, time.perf_counter, time.monotonic
        t0 = perf()
        try:
            for start in range(len(out), len(items), 32):
                if out and monotonic() > until:
                    return
                for item in items[start:start + 32]:
                    try:
                        answer = decide(item)
                    except CallTimeout:
                        raise
                    except Exception as exc:
                        answer = crash(item.get("id"), f"{type(exc).__name__}: {str(exc)[:300]}")
                    out.append(answer)
        finally:
            self.engine.costs[EVAL].target_s += perf() - t0

    def _classify(self, structural: frozenset[str], model: Any, tags: Any) -> tuple[frozenset[str], tuple[str, ...]]:
        """What the case exercises (its structure, the model's answer, its tags) and which of it is counted."""
        error = model.get("error") if isinstance(model, dict) else None
        key = (structural, model.get("decision") if isinstance(model, dict) else None,
               error.get("code") if isinstance(error, dict) else None, tuple(tags) if isinstance(tags, list) else tags)
        known = self._present.get(key)
        if known is None:
            present = frozenset(f for f in structural | classify_answer(model) | declared(tags) if f in BY_ID)
            counts = self.engine.counts
            known = self._present[key] = (present, tuple(f for f in present if counts(f)))
        return known

    def _blame(self, structural: frozenset[str], present: frozenset[str], tags: Any, diff: Difference) -> str:
        """``Conformance._blame`` for a case, memoised by what it depends on."""
        decisions = (diff.model.get("decision"), diff.target.get("decision")) \
            if isinstance(diff.model, dict) and isinstance(diff.target, dict) else (None, None)
        codes = tuple(c for side in (diff.model, diff.target) for c in [_code(side)] if c)
        key = (structural, present, tuple(tags) if isinstance(tags, list) else tags, diff.kind, decisions, codes)
        known = self._blamed.get(key)
        if known is None:
            if diff.kind == "decision" and None not in decisions and "Allow" not in decisions:
                known = "decision.explicit-vs-implicit"
            else:
                known = blame(structural | (present - declared(tags)), declared(tags), codes, None)
            self._blamed[key] = known
        return known


def _answer_key(answer: Any) -> tuple | None:
    """All that comparing, classifying and blaming read of an answer (None: not an object, compared the slow way)."""
    if type(answer) is not dict:
        return None
    error = answer.get("error")
    return (answer.get("decision"), type(error) is dict, error.get("code") if type(error) is dict else error,
            "crash" in answer, answer.get("ok"), "unsupported" in answer)


def _code(side: Any) -> str | None:
    if not isinstance(side, dict):
        return None
    error = side.get("error")
    return error.get("code") if isinstance(error, dict) else error if isinstance(error, str) else None
