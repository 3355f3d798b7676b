"""Shared test set-up: seeds (printed in the header), hypothesis profiles, the simulators."""
import os

# `make test` runs one pytest-xdist worker per core: each worker's torch and BLAS pools get one
# thread (set before numpy or torch is imported), or the workers' threads spin against each other
# on the same cores (measured: tests/quant/test_experiment.py took 2.4x the CPU time). A value the
# user sets wins; the determinism tests set their own thread counts for their subprocesses.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from tests import REPO  # noqa: E402

# One build folder for the whole run (packs, simulator builds, caches), also for the CLI runs the
# tests start from temporary folders: without it each would build its own under its cwd.
# tests/test_wheel.py unsets it to check the default, ./build/fp4ref.
os.environ.setdefault("FP4REF_BUILD_DIR", str(REPO / "build" / "fp4ref"))

#: every random test draws from this seed; override with FP4REF_SEED=<int>
SEED = int(os.environ.get("FP4REF_SEED", "20261124"))

# ci: derandomized (hypothesis' own fixed seed), so a CI run is reproducible;
# thorough: more examples, random seed printed by hypothesis on failure.
settings.register_profile("ci", derandomize=True, max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header(config):
    return [f"fp4ref: numpy seed FP4REF_SEED={SEED}; hypothesis profile "
            f"{os.environ.get('HYPOTHESIS_PROFILE', 'ci')} (ci = derandomized)"]


@pytest.fixture
def rng():
    """A numpy Generator seeded with SEED (the seed is in the pytest header)."""
    return np.random.default_rng(SEED)


# ---- simulator throughput summary (tests/rtl record one property per bench run) ----------------
_RTL_RUNS = []


@pytest.fixture
def record_rtl(record_property):
    """record_rtl(run, unit): one bench run (a runner.UnitRun) into the throughput summary."""
    def record(run, unit: str) -> None:
        record_property("fp4ref_rtl", {"sim": run.sim, "unit": unit, "vectors": run.vectors,
                                       "mismatches": run.mismatches,
                                       "seconds": sum(r["seconds"] for r in run.results)})
    return record


def pytest_runtest_logreport(report):
    if report.when == "call":
        _RTL_RUNS.extend(v for k, v in report.user_properties if k == "fp4ref_rtl")


def pytest_terminal_summary(terminalreporter):
    if not _RTL_RUNS:
        return
    terminalreporter.section("fp4ref RTL benches")
    for sim in sorted({r["sim"] for r in _RTL_RUNS}):
        for unit in sorted({r["unit"] for r in _RTL_RUNS if r["sim"] == sim}):
            runs = [r for r in _RTL_RUNS if r["sim"] == sim and r["unit"] == unit]
            vectors = sum(r["vectors"] for r in runs)
            seconds = sum(r["seconds"] for r in runs)
            terminalreporter.write_line(
                f"{sim:<10} {unit:<7} {len(runs):>3} runs {vectors:>12,} vectors "
                f"{sum(r['mismatches'] for r in runs):>6} mismatches "
                f"{vectors / seconds if seconds else 0:>12,.0f} vectors/s (streaming)")
