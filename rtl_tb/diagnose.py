"""Mismatch diagnosis: which hypothesis about a design explains the vectors it got wrong.

The evidence of a run is a pack's input columns, the pack's expected outputs and what the design
gave on every vector (``got`` equals the expectation wherever the design matched). A hypothesis is
another model of the unit: options changed (a rounding mode, an overflow or NaN policy, a named
convention, ...), the inputs transformed before the model (subnormals flushed, a factor 2^k), or
its outputs transformed after it (results flushed, the sign of zero dropped, a code map). Each is
run over every vector of the pack and judged on the unit's value fields (``Model.primary``):

- it *explains* a mismatching vector when it predicts exactly what the design gave;
- it is *refuted* by a matching vector where it predicts something else (the design did not do it).

A hypothesis that explains every mismatch and is refuted nowhere is a diagnosis. When none is,
the plausible ones (refuted nowhere) cover the mismatches greedily, and pairs of them are tried
together (a vector hit by two faults at once is explained by neither alone). Hypotheses that
predict the same outputs on every vector of the pack are reported as one (the pack cannot tell
them apart). The unit models live beside this engine: rtl_tb.diagnose_units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

#: pairs of plausible hypotheses tried together, at most (the best by explained count)
PAIR_POOL = 8


@dataclass(frozen=True)
class Hypothesis:
    """One alternative model of the unit."""
    key: str                 #: stable id, e.g. "rounding=rna", "ftz-out", "scale=2^-1"
    says: str                #: what the design would do, in one line
    family: str              #: rounding, overflow, nan, subnormal, zero, scale, bias, codes, convention
    options: tuple = ()      #: ((option, value), ...) changed in the unit model
    inp: Callable | None = None   #: cols -> cols, before the model
    out: Callable | None = None   #: (cols, outputs) -> outputs, after the model

    def compose(self, other: "Hypothesis") -> "Hypothesis | None":
        """Both faults at once; None when they set one option to two values."""
        mine, theirs = dict(self.options), dict(other.options)
        if any(k in mine and mine[k] != v for k, v in theirs.items()):
            return None
        f_in = _chain(self.inp, other.inp, lambda f, g: (lambda c: g(f(c))))
        f_out = _chain(self.out, other.out, lambda f, g: (lambda c, o: g(c, f(c, o))))
        return Hypothesis(f"{self.key} + {other.key}", f"{self.says}; and {other.says}", "pair",
                          tuple({**mine, **theirs}.items()), f_in, f_out)


def _chain(f, g, both):
    if f is None:
        return g
    if g is None:
        return f
    return both(f, g)


@dataclass
class Finding:
    """A hypothesis (or several that predict the same) against the evidence."""
    hyps: list[Hypothesis]
    explained: np.ndarray        #: bool per vector
    refuted: np.ndarray          #: bool per vector
    parts: list = field(default_factory=list)   #: a pair: the two findings it joins

    @property
    def n_explained(self) -> int:
        return int(self.explained.sum())

    @property
    def n_refuted(self) -> int:
        return int(self.refuted.sum())

    @property
    def key(self) -> str:
        return " = ".join(h.key for h in self.hyps)

    @property
    def says(self) -> str:
        if len(self.hyps) > 1 and all(h.family == "sticky" for h in self.hyps):
            g = [dict(h.options)["guard"] for h in self.hyps]
            return (f"loses its sticky bits: keeps only a few bits below the result's last place and "
                    f"nothing below (windows of {min(g)} to {max(g)} guard bits give the same outputs)")
        head = self.hyps[0].says
        same = [h.key for h in self.hyps[1:]]
        return head + (f" (the same outputs on these vectors: {', '.join(same)})" if same else "")


@dataclass
class Diagnosis:
    vectors: int
    mismatches: np.ndarray                 #: indices of the vectors whose value fields differ
    other_only: np.ndarray                 #: indices where only non-value fields (flags) differ
    full: list[Finding] = field(default_factory=list)     #: each explains every mismatch
    cover: list[Finding] = field(default_factory=list)    #: otherwise: the best cover, in order
    left: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   #: unexplained

    @property
    def explained(self) -> bool:
        return bool(self.full) or (bool(self.cover) and self.left.size == 0)


def evaluate(model, hyp: Hypothesis, cols: dict, expected: dict, got: dict, mism: np.ndarray,
             judged: tuple) -> tuple[np.ndarray, np.ndarray, bytes] | None:
    """(explained, refuted, prediction key) of one hypothesis on the ``judged`` fields; None when
    the model cannot run it."""
    try:
        c = hyp.inp(cols) if hyp.inp else cols
        alt = model.expect({**model.options, **dict(hyp.options)}, c)
        if hyp.out:
            alt = hyp.out(c, alt)
    except ValueError:               # an option the model refuses for this format, say
        return None
    same = np.ones(mism.shape, bool)
    for f in judged:
        same &= np.asarray(alt[f], np.uint64) == np.asarray(got[f], np.uint64)
    digest = b"".join(np.ascontiguousarray(np.asarray(alt[f], np.uint64)).tobytes() for f in judged)
    return mism & same, ~mism & ~same, digest


def diagnose(model, cols: dict, got: dict, extra: list[Hypothesis] | None = None,
             judged: list[str] | None = None) -> Diagnosis:
    """Test every hypothesis of ``model`` (a rtl_tb.diagnose_units model of one pack) against
    what the design gave (``got``: every output field, every vector). ``judged``: the value
    fields to judge (default the model's; a field the design lacks is left out)."""
    judged = tuple(judged or model.primary)
    expected = {f: np.asarray(cols[f], np.uint64) for f in model.outputs}
    got = {f: np.asarray(got[f], np.uint64) for f in model.outputs}
    mism = np.zeros(len(next(iter(expected.values()))), bool)
    for f in judged:
        mism |= got[f] != expected[f]
    other = np.zeros(mism.shape, bool)
    for f in model.outputs:
        if f not in judged:
            other |= got[f] != expected[f]
    diag = Diagnosis(int(mism.size), np.flatnonzero(mism), np.flatnonzero(other & ~mism))
    if not mism.any():
        return diag
    findings: dict[bytes, Finding] = {}
    for h in model.hypotheses(cols, got, mism) + (extra or []):
        res = evaluate(model, h, cols, expected, got, mism, judged)
        if res is None:
            continue
        explained, refuted, digest = res
        if not explained.any():
            continue
        if digest in findings:
            findings[digest].hyps.append(h)
        else:
            findings[digest] = Finding([h], explained, refuted)
    n = int(mism.sum())
    ranked = sorted(findings.values(), key=lambda f: (-f.n_explained, f.n_refuted, f.key))
    diag.full = [f for f in ranked if f.n_explained == n and f.n_refuted == 0]
    if diag.full:
        return diag
    plausible = [f for f in ranked if f.n_refuted == 0]
    # pairs: two faults at once explain the vectors that neither explains alone, and a fault
    # may hide the other's predictions (a refuted single can be half of a pair)
    pool = ranked[:PAIR_POOL]
    for i, a in enumerate(pool):
        for b in pool[i + 1:]:
            h = a.hyps[0].compose(b.hyps[0])
            if h is None:
                continue
            res = evaluate(model, h, cols, expected, got, mism, judged)
            if res is None or res[1].any():
                continue
            pair = Finding([h], res[0], res[1], [a, b])
            if pair.n_explained == n:
                diag.full.append(pair)
            else:
                plausible.append(pair)
    if diag.full:
        diag.full.sort(key=lambda f: f.key)
        return diag
    left = mism.copy()
    while left.any():
        best = max(plausible, key=lambda f: int((f.explained & left).sum()), default=None)
        if best is None or not (best.explained & left).any():
            break
        diag.cover.append(best)
        left &= ~best.explained
    diag.left = np.flatnonzero(left)
    return diag


def flag_lines(diag: Diagnosis, cols: dict, got: dict, indent: str = "    ") -> list[str]:
    """For the vectors whose values match but whose flags differ: per flag, how often the design
    leaves it clear where it is due and sets it where it is not (the IEEE flags: emu.flags)."""
    from fp4ref.emu.flags import Flag

    if "flags" not in got or not diag.other_only.size:
        return []
    i = diag.other_only
    e, g = np.asarray(cols["flags"], np.uint64)[i], np.asarray(got["flags"], np.uint64)[i]
    out = []
    for f in Flag:
        b = np.uint64(int(f))
        missing, extra = int(((e & b) != 0).sum() - ((e & g & b) != 0).sum()), int(((g & b) != 0).sum() - ((e & g & b) != 0).sum())
        due = int(((np.asarray(cols["flags"], np.uint64) & b) != 0).sum())
        if missing or extra:
            out.append(f"{indent}{f.name.lower()}: left clear in {missing:,} vectors where it is due "
                       f"({due:,} in the pack), set in {extra:,} where it is not")
    return out


def render(diag: Diagnosis, model, cols: dict, got: dict, examples: int = 1) -> list[str]:
    """The diagnosis as lines for a person: counts, one example each, the mismatches left."""
    n = diag.mismatches.size
    lines = []
    if n == 0:
        if diag.other_only.size:
            lines.append(f"diagnosis: the values match; {diag.other_only.size:,} vectors differ only in "
                         f"{', '.join(f for f in model.outputs if f not in model.primary)}")
            lines += flag_lines(diag, cols, got, "  ")
            lines += ["  e.g. " + model.describe(int(i), cols, got) for i in diag.other_only[:examples]]
        return lines

    def finding_lines(f: Finding, what: str) -> list[str]:
        if f.parts:                  # two faults: each with what it explains alone
            out = [f"  {what}: two faults together [{f.key}]: {f.n_explained:,} of {n:,} mismatches"]
            for p in f.parts:
                out.append(f"    - {p.says} [{p.key}]: alone {p.n_explained:,}")
                out += ["      e.g. " + model.describe(int(i), cols, got)
                        for i in np.flatnonzero(p.explained & f.explained)[:examples]]
            both = f.explained & ~f.parts[0].explained & ~f.parts[1].explained
            if both.any():
                out.append(f"    - both at once: {int(both.sum()):,}")
                out += ["      e.g. " + model.describe(int(i), cols, got) for i in np.flatnonzero(both)[:examples]]
            return out
        first = np.flatnonzero(f.explained)[:examples]
        return ([f"  {what}: {f.says} [{f.key}]: {f.n_explained:,} of {n:,} mismatches"]
                + ["    e.g. " + model.describe(int(i), cols, got) for i in first])

    if diag.full:
        who = ("two faults together explain" if all(f.parts for f in diag.full) and len(diag.full) == 1
               else "one hypothesis explains" if len(diag.full) == 1 else "each of these explains")
        lines.append(f"diagnosis: {who} all {n:,} mismatches of {diag.vectors:,} vectors, and no matching "
                     "vector contradicts it")
        for f in diag.full:
            lines += finding_lines(f, "explained")
    elif diag.cover:
        done = n - diag.left.size
        lines.append(f"diagnosis: no hypothesis explains all {n:,} mismatches; the best cover "
                     f"({len(diag.cover)} {'faults' if len(diag.cover) > 1 else 'fault'}) explains {done:,}")
        for f in diag.cover:
            lines += finding_lines(f, "cover")
    else:
        lines.append(f"diagnosis: no hypothesis explains any of the {n:,} mismatches without "
                     "contradicting a matching vector")
    if diag.left.size:
        lines.append(f"  not explained: {diag.left.size:,} mismatches")
        lines += ["    " + model.describe(int(i), cols, got) for i in diag.left[:max(examples, 3)]]
    if diag.other_only.size:
        lines.append(f"  besides: {diag.other_only.size:,} vectors differ only in "
                     f"{', '.join(f for f in model.outputs if f not in model.primary)}")
        lines += flag_lines(diag, cols, got)
    return lines
