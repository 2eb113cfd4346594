"""The evaluator level's batch path (harness/casebatch.py) against the one-input-at-a-time path it replaces.

The batch path memoises the feature scan, the classification, the blame and known classes of divergence, and
guards the whole batch with one time limit. None of that may change what a report says: for the same cases and
the same target (one with planted faults, so that cases diverge, crash and answer garbage), both paths give the
same counts per feature, the same number of cases, and the same classes of divergence.
"""

from __future__ import annotations

import contextlib
import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.conform import Conformance
from harness.costs import fewer_collections
from harness.features import EVAL, classify_case
from harness.featurescan import CaseScan, scan_case
from harness.generate.batch import Batch
from harness.generate.cases import CASE_FEATURES, case_batch_for
from harness.targets.base import get_target

MODEL = get_target("model")
MODEL.start()
BATCHES = st.sampled_from(CASE_FEATURES).flatmap(case_batch_for)
SETTINGS = settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))


class Faulty:
    """The model with planted faults: S3 requests allowed whatever the policies (a decision divergence), a crash
    on every 7th call, garbage on every 11th."""

    name, mode = "faulty", "in-process"
    levels, unsupported = frozenset({EVAL}), frozenset({"scp.service-linked-role"})

    def __init__(self) -> None:
        self.calls = 0

    def version(self) -> str:
        return "1"

    def decide(self, case: dict) -> object:
        self.calls += 1
        if self.calls % 7 == 0:
            raise RuntimeError("planted crash")
        if self.calls % 11 == 0:
            return ["garbage"]
        answer = MODEL.decide(case)
        if str(case["request"].get("action", "")).startswith("s3:") and "decision" in answer:
            return {"id": case.get("id"), "decision": "Allow"}
        return answer


def _engine() -> Conformance:
    return Conformance(Faulty(), MODEL, budget=60, seed=3, regression=None)


def _summary(engine: Conformance) -> tuple:
    rows = {f: (t.checked, t.divergent, t.crashed, t.unsupported_runs) for f, t in engine.result.tallies.items()
            if (t.checked, t.divergent, t.crashed, t.unsupported_runs) != (0, 0, 0, 0)}
    return engine.result.cases, rows, sorted(engine.known)


@SETTINGS
@given(BATCHES)
def test_the_scan_of_a_batch_is_the_scan_of_each_case(batch: Batch) -> None:
    scan = CaseScan(batch.base)
    items = batch.items(64)
    for case in items:
        assert scan.features(case["request"]) == frozenset(scan_case(case)), case["id"]
    requests = [case["request"] for case in items]
    expected = [frozenset(scan_case(case)) for case in items]
    assert CaseScan(batch.base).features_of(requests) == expected  # the passes in C
    odd = [*requests, None, {"action": "s3:GetObject"}]  # not a dict, no resource or context: one by one
    assert CaseScan(batch.base).features_of(odd)[:len(items)] == expected


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(BATCHES, min_size=1, max_size=3))
def test_a_batch_counts_what_checking_each_case_counts(batches: list[Batch]) -> None:
    one_by_one, batched = _engine(), _engine()
    for batch in batches:
        for index, item in enumerate(batch.items(40)):
            one_by_one.check(item, EVAL, "generated", None, None, index)
            sent = not classify_case(item, None, False) & one_by_one.target.unsupported
            if index == 0 and sent and "error" in MODEL.decide(item):
                break  # the model refuses the drawn case: its variants are not asked
        batched.case_batches.run(batch, 40, None, None, until=time.monotonic() + 60)
    assert _summary(batched) == _summary(one_by_one)
    assert len(batched.pending) == len(one_by_one.pending)


def test_the_planted_faults_are_found_in_a_batch() -> None:
    """The S3 fault and the crashes reach the report: a batch does not hide a divergence behind a memo."""
    case = {"id": "identity.allow/t", "tags": ["identity.allow"], "identity_policies": [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "arn:aws:s3:::examplebucket/*"}]}],
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::otherbucket/key", "context": {}}}
    engine = _engine()
    engine.case_batches.run(Batch(case, 5, _vary), 64, None, None, until=time.monotonic() + 60)
    kinds = {diff.kind for _, _, _, diff, *_ in engine.pending}
    assert engine.result.cases == 64 and {"decision", "crash"} <= kinds
    assert sum(t.crashed for t in engine.result.tallies.values()) >= 64 // 7


def _vary(case: dict, rng: random.Random):
    from harness.generate.cases import NAMES
    from harness.generate.variants import variants

    return variants(case, rng, NAMES)


def test_a_hung_case_fails_alone_and_the_batch_goes_on() -> None:
    class Hangs(Faulty):
        def decide(self, case: dict) -> object:
            self.calls += 1
            if self.calls == 3:
                time.sleep(30)
            return MODEL.decide(case)

    case = json.loads(json.dumps({"id": "decision.default-deny/t", "tags": ["decision.default-deny"],
                                  "identity_policies": [], "request": {
                                      "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                                      "resource": "arn:aws:s3:::examplebucket/key", "context": {}}}))
    engine = Conformance(Hangs(), MODEL, budget=60, seed=3, regression=None, timeout=0.1)
    start = time.monotonic()
    engine.case_batches.run(Batch(case, 1, _vary), 8, None, None, until=time.monotonic() + 60)
    assert time.monotonic() - start < 20
    assert engine.result.cases == 8
    crashes = [diff for _, _, _, diff, *_ in engine.pending if diff.kind == "crash"]
    assert len(crashes) == 1 and "no answer" in crashes[0].target["crash"]


def test_fewer_collections_restores_the_collector() -> None:
    import gc

    before = gc.get_threshold()
    with fewer_collections(123_456):
        assert gc.get_threshold()[0] == 123_456 and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


class Answering:
    """A target whose answers are a function of the case (``answer``): garbage included."""

    name, mode = "answering", "in-process"
    levels, unsupported = frozenset({EVAL}), frozenset()

    def __init__(self, answer) -> None:
        self.answer = answer

    def version(self) -> str:
        return "1"

    def decide(self, case: dict) -> object:
        return self.answer(case)


S3_CASE = {"id": "identity.allow/t", "tags": ["identity.allow"], "identity_policies": [
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                             "Resource": "arn:aws:s3:::examplebucket/*",
                                             "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}],
    "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                "resource": "arn:aws:s3:::examplebucket/key", "context": {"aws:SourceVpc": "vpc-1"}}}


def _both_paths(answer, batches: list[Batch], n: int = 1) -> tuple[tuple, tuple]:
    one_by_one = Conformance(Answering(answer), MODEL, budget=60, seed=3, regression=None)
    batched = Conformance(Answering(answer), MODEL, budget=60, seed=3, regression=None)
    for batch in batches:
        for index, item in enumerate(batch.items(n)):
            one_by_one.check(item, EVAL, "generated", None, None, index)
        batched.case_batches.run(batch, n, None, None, until=time.monotonic() + 60)
    return _summary(one_by_one), _summary(batched)


def test_the_same_answers_under_other_tags_are_blamed_by_their_own_tags() -> None:
    """A divergence is blamed on the feature an input was drawn for when it still exercises it; two units whose
    cases share their structure and answers but not their tags must not share a memoised blame."""
    other = json.loads(json.dumps(S3_CASE))
    other.update(id="condition.string/t", tags=["condition.string"])
    deny_all = lambda case: {"id": case.get("id"), "decision": "ImplicitDeny"}  # noqa: E731
    slow, fast = _both_paths(deny_all, [Batch(S3_CASE, 1, None), Batch(other, 1, None)])
    assert fast == slow
    assert {f for f, _ in slow[2]} == {"resource.wildcard", "condition.string"}


def test_garbage_answers_are_judged_as_one_by_one() -> None:
    """A decision that is null, a list or next to an error string: the memos must not merge them with sound
    answers, and none of them may stop the run."""
    garbage = [{"error": {"code": "AccessDenied"}}, {"decision": None, "error": {"code": "AccessDenied"}},
               {"decision": ["ImplicitDeny"], "error": {"code": "X"}}, {"crash": "boom", "decision": ["x"]},
               {"decision": "Allow", "error": "oops"}, {"ok": 1}, {"ok": True}]

    def answer(case: dict) -> object:
        return garbage[int(case["id"].rsplit("/t", 1)[1])]

    copies = [Batch(dict(S3_CASE, id=f"identity.allow/t{i}"), 1, None) for i in range(7)]
    slow, fast = _both_paths(answer, copies)
    assert fast == slow


def test_a_batch_cut_by_the_deadline_counts_only_what_it_reached() -> None:
    engine = Conformance(Faulty(), MODEL, budget=60, seed=3, regression=None)
    engine.target.calls = 1  # no planted crash on the first calls
    done = engine.case_batches.run(Batch(S3_CASE, 5, _vary), 200, None, None, until=time.monotonic() - 1)
    skipped = sum(t.unsupported_runs for t in engine.result.tallies.values())
    assert engine.result.cases == 32  # the deadline is read every 32 cases; the first chunk always runs
    assert done == engine.result.cases + skipped


def test_a_target_that_swallows_the_timeout_does_not_leave_the_batch_unguarded() -> None:
    class Swallows(Faulty):
        def decide(self, case: dict) -> object:
            self.calls += 1
            if self.calls in (2, 4):
                with contextlib.suppress(Exception):  # the harness's timeout, swallowed as a broad except would
                    time.sleep(20)
            return MODEL.decide(case)

    engine = Conformance(Swallows(), MODEL, budget=60, seed=3, regression=None, timeout=0.1)
    start = time.monotonic()
    engine.case_batches.run(Batch(S3_CASE, 1, _vary), 6, None, None, until=time.monotonic() + 60)
    assert engine.result.cases == 6
    assert time.monotonic() - start < 14  # each hang is cut at the batch limit (~5 s), not run its 20 s


def test_ctrl_c_after_a_divergence_leaves_its_case_counted() -> None:
    """Ctrl-C just after a new divergence is recorded: the case it came from is counted (checked under the
    feature it is blamed on), as one by one; no divergence is left without its case."""
    engine = _engine()
    engine.target.calls = 1  # no planted crash before the first S3 divergence
    recorded = engine.diverged

    def then_ctrl_c(item: dict, *args: object, **kwargs: object) -> None:
        recorded(item, *args, **kwargs)
        raise KeyboardInterrupt

    engine.diverged = then_ctrl_c
    with contextlib.suppress(KeyboardInterrupt):
        engine.case_batches.run(Batch(S3_CASE, 5, _vary), 40, None, None, until=time.monotonic() + 60)
    (_, _, feature, _, _, _, index), = engine.pending
    assert engine.result.cases == index + 1
    tally = engine.result.tallies[feature]
    assert tally.divergent + tally.crashed == 1 and tally.checked >= 1


class _Clock:
    """A fake clock for the level's time columns: it moves only when told (``tick``), so sums are exact. Reading
    the deadline (``monotonic``) moves it by 1,000: work between calls that a column must not hold."""

    def __init__(self) -> None:
        self.now = 0.0

    def tick(self, seconds: float) -> None:
        self.now += seconds

    def perf_counter(self) -> float:
        return self.now

    def monotonic(self) -> float:
        self.now += 1000
        return time.monotonic()


class _TickingModel:
    def __init__(self, clock: _Clock, interrupt_at: int = 0) -> None:
        self.clock, self.calls, self.interrupt_at = clock, 0, interrupt_at

    def decide(self, case: dict) -> dict:
        self.calls += 1
        self.clock.tick(1)
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        return MODEL.decide(case)


class _TickingTarget(Faulty):
    """10 s of fake time per call; every 3rd call raises; Ctrl-C in the middle of call ``interrupt_at``."""

    def __init__(self, clock: _Clock, interrupt_at: int = 0) -> None:
        super().__init__()
        self.clock, self.interrupt_at = clock, interrupt_at

    def decide(self, case: dict) -> object:
        self.calls += 1
        self.clock.tick(10)
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        if self.calls % 3 == 0:
            raise RuntimeError("planted crash")
        return MODEL.decide(case)


def _ticking_engine(monkeypatch, target_interrupt: int = 0, model_interrupt: int = 0) -> tuple[Conformance, _Clock]:
    import harness.casebatch as casebatch

    clock = _Clock()
    monkeypatch.setattr(casebatch, "time", clock)
    engine = Conformance(_TickingTarget(clock, target_interrupt), MODEL, budget=60, seed=3, regression=None)
    engine.model = _TickingModel(clock, model_interrupt)
    engine.timeout = 1e6  # the clock's jumps must not trip the batch's time limit
    return engine, clock


def test_the_target_and_the_model_are_timed_call_by_call(monkeypatch) -> None:
    """The level's target and model times are those of their calls alone: a call that raises counts whole, the
    model's calls count in the model's column only, and what runs between calls (here, reading the deadline, which
    moves the fake clock by 1,000) in neither."""
    engine, _ = _ticking_engine(monkeypatch)
    engine.case_batches.run(Batch(S3_CASE, 5, _vary), 70, None, None, until=time.monotonic() + 60)
    costs = engine.costs[EVAL]
    assert costs.inputs == 70 and engine.result.cases == 70
    assert costs.target_s == 700 and costs.model_s == 70


def test_a_call_stopped_by_ctrl_c_still_counts(monkeypatch) -> None:
    engine, _ = _ticking_engine(monkeypatch, target_interrupt=4)
    with contextlib.suppress(KeyboardInterrupt):
        engine.case_batches.run(Batch(S3_CASE, 5, _vary), 40, None, None, until=time.monotonic() + 60)
    assert engine.costs[EVAL].target_s == 40
    engine, _ = _ticking_engine(monkeypatch, model_interrupt=4)
    with contextlib.suppress(KeyboardInterrupt):
        engine.case_batches.run(Batch(S3_CASE, 5, _vary), 40, None, None, until=time.monotonic() + 60)
    assert engine.costs[EVAL].model_s == 4


def test_one_case_at_a_time_the_guard_is_not_the_targets_time(monkeypatch) -> None:
    """``Conformance.run_case`` (the regression corpus, minimisation): the target's time is its call's, not the
    time limit's set-up around it."""
    import harness.conform as conform

    clock = _Clock()
    monkeypatch.setattr(conform, "time", clock)
    guard = conform.call_with_timeout

    def slow_guard(fn, seconds):
        clock.tick(1000)
        return guard(fn, seconds)

    monkeypatch.setattr(conform, "call_with_timeout", slow_guard)
    engine = Conformance(_TickingTarget(clock), MODEL, budget=60, seed=3, regression=None)
    engine.model = _TickingModel(clock)
    for _ in range(3):  # the third call raises: its time still counts
        engine.run_case(S3_CASE)
    assert engine.costs[EVAL].target_s == 30 and engine.costs[EVAL].model_s == 3
