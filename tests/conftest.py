"""Shared test set-up: seeds (printed in the header), hypothesis profiles, the simulators."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

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
