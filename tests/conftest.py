"""Shared test set-up. Tests are grouped by component (spec/, presets/, engine/, workload/, multichip/, explore/,
report/, cli/); this directory is on sys.path, so every test can import the shared helpers ``strategies`` (hypothesis
strategies for valid machines and kernels) and ``fuzz_cases``, and read ``DATA`` / ``GOLDEN`` files."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"

# "ci" is the default: no per-example deadline (a shared 2-core machine stalls) and derandomized, so every run
# of the suite draws the same examples (a clean clone passes or fails the same way every time); "explore" draws
# fresh random examples, 1000 per test that does not fix its own count (HYPOTHESIS_PROFILE=explore;
# benchmarks/fuzz.py explores further);
# "dev" is quicker.
settings.register_profile("ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
