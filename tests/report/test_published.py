"""tests/data/published_serving.json: every case cited and configured; a fast subset re-run."""

from __future__ import annotations

import math

import pytest
from conftest import DATA

from accelsim.report.published import load_cases, run_case, summary

CASES = load_cases(DATA / "published_serving.json")


def test_cases_are_cited_and_cover_what_the_validation_needs():
    assert len(CASES) >= 25
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids)
    for c in CASES:
        src = c["source"]
        assert src["url"].startswith("https://") and len(src["quote"]) > 40 and src["date"] >= "2024"
        assert c["value"] > 0 and c["config"] and c["kind"] and c["metric"]
    kinds = {c["kind"] for c in CASES}
    assert {"throughput", "ttft", "tpot", "collective", "attention"} <= kinds
    archs = {c["config"].get("arch") for c in CASES}
    assert {"mi300x", "tpu-v6e"} <= archs  # two non-NVIDIA chips
    chips = {c["config"].get("chips", 1) for c in CASES if c["kind"] == "throughput"}
    assert 1 in chips and max(chips) >= 8  # single- and multi-GPU decode throughput


@pytest.mark.parametrize("case_id", ["fa3-h100-fwd-noncausal-hd128-8448", "nccl-h200x8-allreduce",
                                     "nim-h100x2-l70b-5000-500-c25-tput"])
def test_fast_cases_stay_within_their_figures(case_id):
    case = next(c for c in CASES if c["id"] == case_id)
    r = run_case(case)
    assert math.isfinite(r.simulated) and 1 / 1.5 < r.ratio < 1.5, r
    assert summary([r])["cases"] == 1


HOLDOUT = load_cases(DATA / "published_holdout.json")


def test_holdout_cases_are_cited_configured_and_say_why_they_miss():
    """The hold-out figures carry their source and configuration like the main set, and each one records
    what accelsim does not model (they all miss by more than x1.10 today)."""
    assert len(HOLDOUT) >= 50
    ids = [c["id"] for c in HOLDOUT]
    assert len(set(ids)) == len(ids) and not set(ids) & {c["id"] for c in CASES}
    for c in HOLDOUT:
        assert c["source"]["url"].startswith("https://") and len(c["source"]["quote"]) > 40
        assert c["value"] > 0 and c["config"]["model"] and c["metric"] == "output_tokens_per_s"
        assert len(c.get("miss", "")) > 100, c["id"]
    assert {c["config"]["arch"] for c in HOLDOUT} >= {"h100-sxm", "h200", "mi300x"}
