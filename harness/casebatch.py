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
from functools import partial
from typing import TYPE_CHECKING, Any

from harness.compare import DECISIONS, Difference, compare_answers
from harness.features import (
    BY_ID,
    EVAL,
    blame_difference,
    classify_answer,
    declared,
    deny_versus_deny,
    error_codes,
)
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
        items = drawn.items(n)
        scan = CaseScan(items[0], keep=BY_ID)
        tags = items[0].get("tags")
        structural = scan.features_of([item.get("request") for item in items])
        unsupported = engine.target.unsupported
        models: list[dict] = []
        if not structural[0] & unsupported:
            models, stopped = self._models(items[:1])
            if stopped:
                raise KeyboardInterrupt
            if "error" in models[0]:  # the model refuses the drawn case: so it would every variant
                items, structural = items[:1], structural[:1]
        expressible = {s: not s & unsupported for s in set(structural)}
        sent = [i for i, s in enumerate(structural) if expressible[s]]
        targets, interrupted = self._answers([items[i] for i in sent], until)
        engine.costs[EVAL].inputs += len(targets)
        more, model_interrupted = self._models([items[i] for i in sent[len(models):len(targets)]])
        models = (models + more)[:len(targets)]
        interrupted = interrupted or model_interrupted
        # time or Ctrl-C may cut the batch: what lies past the first case not answered is not counted at all
        reached = sent[len(models)] if len(models) < len(sent) else len(items)
        sent = sent[:len(models)]
        skipped = reached - len(sent)
        for f in declared(items[0].get("id")) | declared(tags):  # never sent: they need what the target cannot express
            engine.result.tally(f).unsupported_runs += skipped
        self._judge(items, structural, sent, models, targets[:len(sent)], tags, choices, strategy)
        if interrupted:  # Ctrl-C during the batch: what was answered is counted, then the run ends
            raise KeyboardInterrupt
        return len(sent) + skipped

    def _judge(self, items: list[dict], structural: list[frozenset[str]], sent: list[int], models: list[dict],
               targets: list[Any], tags: Any, choices: tuple | None, strategy: Any) -> None:
        """Classify, compare and count each answered case. Cases on which the model and the target give the same
        decision (``compare_answers``' first case, without its checks of garbage) are only counted, by groups of
        the same structure and decision; the others, the suspects, are compared one by one. A suspect is counted
        before it is compared (as ``Conformance.check`` does), so if Ctrl-C stops this, every case up to the
        suspect it stopped at is counted and no divergence is left without its case. The counts are made before
        the comparisons and added to the report at the end, so that what runs after an interruption is only
        lookups and additions."""
        engine = self.engine
        shapes = [structural[i] for i in sent]
        decisions = [model.get("decision") for model in models]
        suspects = [k for k, (model, target, decision) in enumerate(zip(models, targets, decisions, strict=True))
                    if decision not in DECISIONS or type(target) is not dict or target.get("decision") != decision
                    or "crash" in target or "crash" in model or "error" in model]
        refused = [k for k in suspects if "error" in models[k]]
        counted = self._counted(shapes, decisions, models, refused, len(sent), tags)
        diverged: Counter[tuple[str, str, bool]] = Counter()
        judged = 0  # the cases before this one are counted
        try:
            for k in suspects:
                judged = k + 1
                self._suspect(items[sent[k]], shapes[k], models[k], targets[k], tags, choices, strategy, sent[k],
                              diverged)
            judged = len(sent)
        finally:
            if judged < len(sent):  # stopped: only the cases reached (their classes are known by now)
                counted = self._counted(shapes, decisions, models, [k for k in refused if k < judged], judged, tags)
            engine.result.cases += judged
            for count, n in counted.items():
                for f in count:
                    engine.result.tally(f).checked += n
            for (feature, _, crashed), n in diverged.items():
                tally = engine.result.tally(feature)
                if crashed:
                    tally.crashed += n
                else:
                    tally.divergent += n

    def _suspect(self, item: dict, shape: frozenset[str], model: dict, target: Any, tags: Any,
                 choices: tuple | None, strategy: Any, index: int, diverged: Counter) -> None:
        """Compare one case whose answers differ or need a closer look; a divergence of a known class is only
        added to ``diverged``, a new one goes to ``Conformance.diverged``."""
        engine = self.engine
        present = self._classify(shape, model, tags)[0]
        key: tuple | None = (shape, present, _tags_key(tags), _answer_key(model), _answer_key(target))
        try:
            seen = self._classes.get(key) if None not in key else None
        except TypeError:  # a garbage answer holding a list or an object: compared the slow way
            seen = key = None
        if seen is not None and seen[:2] in engine.known:  # a known class of divergence: only counted
            diverged[seen] += 1
            return
        diff = compare_answers(model, target, engine.explicit)
        if diff is not None:
            feature = self._blame(shape, present, tags, diff)
            engine.diverged(item, EVAL, feature, diff, choices, strategy, index)
            if key is not None and None not in key:
                self._classes[key] = (feature, diff.signature(), diff.kind == "crash")

    def _counted(self, shapes: list[frozenset[str]], decisions: list[Any], models: list[dict], refused: list[int],
                 judged: int, tags: Any) -> Counter[tuple[str, ...]]:
        """How many of the first ``judged`` cases count under each set of features: by groups of the same structure
        and decision, except those the model refused (``refused``: what they exercise depends on its error)."""
        groups = Counter(zip(shapes[:judged], decisions[:judged], strict=True))
        counted: Counter[tuple[str, ...]] = Counter()
        for k in refused:
            groups[(shapes[k], decisions[k])] -= 1
            counted[self._classify(shapes[k], models[k], tags)[1]] += 1
        for (shape, decision), n in groups.items():
            if n:
                counted[self._classify(shape, {"decision": decision}, tags)[1]] += n
        return counted

    def _models(self, items: list[dict]) -> tuple[list[dict], bool]:
        """The model's answers (True: Ctrl-C stopped them); the time of each call is added to the level's model
        time."""
        decide, perf, out, spent = self.engine.model.decide, time.perf_counter, [], 0.0
        try:
            for item in items:
                t0 = perf()
                try:
                    answer = decide(item)
                except BaseException:  # Ctrl-C in the middle of a call: the call's time still counts
                    spent += perf() - t0
                    raise
                spent += perf() - t0
                out.append(answer)
        except KeyboardInterrupt:
            return out, True
        finally:
            self.engine.costs[EVAL].model_s += spent
        return out, False

    def _answers(self, items: list[dict], until: float) -> tuple[list[Any], bool]:
        """The target's answers to a prefix of ``items`` (all of them unless the time runs out or Ctrl-C is pressed:
        then True; the first always), a crash answer for a case that raised or hung.

        The whole batch runs under one limit. A target that swallows the timeout (a broad ``except`` around its
        own code) is caught after the call returns: the rest of the batch continues under a new limit. Off the main
        thread the guard runs each attempt in a thread it may abandon; an abandoned attempt is told to stop and its
        late answers are never taken."""
        engine, costs = self.engine, self.engine.costs[EVAL]
        per_case = costs.target_s / costs.inputs if costs.inputs else 0.0
        out: list[Any] = []
        while len(out) < len(items):
            limit = engine.timeout + 5 + 10 * per_case * (len(items) - len(out))
            attempt: list[Any] = []
            stop = [False]
            try:
                call_with_timeout(partial(self._decide_all, items[len(out):], attempt, until, limit, stop), limit)
                out += attempt
            except CallTimeout:
                stop[0] = True
                out += list(attempt)  # a snapshot: an abandoned attempt may still be appending
                if len(out) < len(items):
                    cid = items[len(out)].get("id")
                    out.append(crash(cid, f"no answer: the time limit of its batch ({limit:.3g} s) ran out on it"))
            except KeyboardInterrupt:
                stop[0] = True
                out += list(attempt)
                return out, True
            if out and time.monotonic() > until:
                break
        return out, False

    def _decide_all(self, items: list[dict], out: list[Any], until: float, limit: float, stop: list[bool]) -> None:
        """Answers appended to ``out``; returns early at the unit's deadline (read every 32 cases), when the batch's
        limit has passed without interrupting (the caller re-arms it), or when told to ``stop``. The target's time
        is that of its calls, each timed on its own, a call that raised, hung or was stopped by Ctrl-C included; the
        loop around them is the harness's. (Off the main thread, a hung call abandoned by the guard adds its time
        when it returns, if it does.)"""
        decide, perf, monotonic = self.engine.target.decide, time.perf_counter, time.monotonic
        overdue = perf() + limit
        spent = 0.0
        try:
            for start in range(0, len(items), 32):
                if out and monotonic() > until:
                    return
                for item in items[start:start + 32]:
                    if stop[0]:
                        return
                    t0 = perf()
                    if t0 > overdue:
                        return
                    try:
                        answer = decide(item)
                    except BaseException as exc:
                        spent += perf() - t0
                        if isinstance(exc, CallTimeout) or not isinstance(exc, Exception):
                            raise
                        out.append(crash(item.get("id"), f"{type(exc).__name__}: {str(exc)[:300]}"))
                        continue
                    spent += perf() - t0
                    out.append(answer)
        finally:
            self.engine.costs[EVAL].target_s += spent

    def _classify(self, structural: frozenset[str], model: Any, tags: Any) -> tuple[frozenset[str], tuple[str, ...]]:
        """What the case exercises (its structure, the model's answer, its tags) and which of it is counted."""
        error = model.get("error") if isinstance(model, dict) else None
        key = (structural, model.get("decision") if isinstance(model, dict) else None,
               error.get("code") if isinstance(error, dict) else None, _tags_key(tags))
        known = self._present.get(key)
        if known is None:
            present = frozenset(f for f in structural | classify_answer(model) | declared(tags) if f in BY_ID)
            counts = self.engine.counts
            known = self._present[key] = (present, tuple(f for f in present if counts(f)))
        return known

    def _blame(self, structural: frozenset[str], present: frozenset[str], tags: Any, diff: Difference) -> str:
        """``features.blame_difference`` for a case, memoised by what it reads (a key holding an unhashable value,
        from a garbage answer, is blamed without the memo)."""
        key = (structural, present, _tags_key(tags), deny_versus_deny(diff), error_codes(diff))
        try:
            known = self._blamed.get(key)
        except TypeError:
            key, known = None, None
        if known is None:
            known = blame_difference(diff, structural, present, declared(tags))
            if key is not None:
                self._blamed[key] = known
        return known


def _tags_key(tags: Any) -> Any:
    """A case's tags as a memo key (a list as a tuple)."""
    return tuple(tags) if isinstance(tags, list) else tags


def _answer_key(answer: Any) -> tuple | None:
    """All that comparing, classifying and blaming read of an answer (None: not an object, compared the slow way)."""
    if type(answer) is not dict:
        return None
    error = answer.get("error")
    return ("decision" in answer, answer.get("decision"), type(error) is dict,
            error.get("code") if type(error) is dict else error, "crash" in answer, answer.get("ok") is True,
            "unsupported" in answer)
