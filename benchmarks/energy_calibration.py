"""Decode power and J/token: published measurements (ML.ENERGY Leaderboard v3.0, Llama-3.1 8B / 70B / 405B-FP8 on
H100 and B200, vLLM, batch 8-2048) against the model, with the derivation of the H100 power parameters.

Prints (1) the two-observation derivation (accelsim.report.power_calibration.derive_hopper_power) next to the
constants in accelsim.presets.calibration, (2) a markdown table published vs model per configuration (J/token,
power, simulated / published step time), (3) per GPU: how many predictions are within 25% in J/token and the
median power error.  The calibration row (H100, 8B, batch 8) is marked and not scored.

    python benchmarks/energy_calibration.py [--gpus H100 B200] [--fidelity fast]
"""

from __future__ import annotations

import argparse
import time

import _installed  # noqa: F401,I001 - a clear message when accelsim is not installed
from accelsim.presets import calibration
from accelsim.report import power_calibration as pc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpus", nargs="+", default=["H100", "B200"])
    ap.add_argument("--fidelity", default="fast")
    args = ap.parse_args()
    t0 = time.perf_counter()
    d = pc.derive_hopper_power(static_power_w=calibration.HOPPER_STATIC_POWER_W, fidelity=args.fidelity)
    print("H100 power parameters from two observations (derive_hopper_power) vs presets.calibration:")
    print(f"  active floor (static + busy)   {d['active_floor_w']:7.1f} W   (static {calibration.HOPPER_STATIC_POWER_W:.0f} W)")
    print(f"  L2 energy                      {d['l2_pj_per_bit']:7.3f} pJ/bit   preset {calibration.HOPPER_L2_PJ_PER_BIT}")
    print(f"  busy per SM-cycle              {d['unit_busy_pj_per_cycle']:7.1f} pJ       preset "
          f"{calibration.HOPPER_UNIT_BUSY_PJ_PER_CYCLE}  ({d['busy_units_share']:.1%} of the busy power)")
    print(f"  busy per L2 byte/cycle-cycle   {d['l2_busy_pj_per_byte_cycle']:7.3f} pJ       preset "
          f"{calibration.HOPPER_L2_BUSY_PJ_PER_BYTE_CYCLE}")
    print(f"  (observations: {d['calibration_power_w']:.1f} W over the measured {d['calibration_step_s'] * 1e3:.2f} ms "
          f"step; 8192^3 bf16 GEMM at {d['gemm_tflops']:.0f} TFLOP/s = 700 W)\n")
    rows = pc.compare(gpus=tuple(args.gpus), fidelity=args.fidelity)
    print(pc.table(rows))
    print()
    for g in args.gpus:
        s = pc.summary([r for r in rows if r["gpu"] == g])
        print(f"{g}: {s['within']} of {s['n']} predictions within 25% in J/token (batches {s['within_batches']}); "
              f"median |J/token error| {s['median_abs_error']:.1%}, median |power error| "
              f"{s['median_abs_power_error']:.1%}; with the published step time instead of the simulated one "
              f"{s['within_at_published_step']} of {s['n']} are within 25%")
    print(f"\nsimulated in {time.perf_counter() - t0:.0f} s ({len(rows)} configurations, fidelity {args.fidelity})")


if __name__ == "__main__":
    main()
