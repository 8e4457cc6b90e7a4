"""Figures: a kernel appears once and distinctly on the roofline, a design keeps its colour, log axes print
plain numbers, sweep axes say which way is better and the Pareto designs carry labels."""

from __future__ import annotations

import pytest

mpl = pytest.importorskip("matplotlib")
import matplotlib.figure  # noqa: E402
pd = pytest.importorskip("pandas")

import accelsim  # noqa: E402
from accelsim.report import plots  # noqa: E402


@pytest.fixture
def saved(monkeypatch):
    """The figures the plot functions save, kept for inspection."""
    figs = []
    real = mpl.figure.Figure.savefig

    def keep(self, *a, **kw):
        figs.append(self)
        return real(self, *a, **kw)

    monkeypatch.setattr(mpl.figure.Figure, "savefig", keep)
    return figs


def _ticklabels(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_plain_numbers() -> None:
    assert [plots.plain_number(v) for v in (0.05, 0.1, 2, 10, 1000, 1e6, 2.5)] == \
        ["0.05", "0.1", "2", "10", "1,000", "1,000,000", "2.5"]


def test_design_colours_do_not_depend_on_which_designs_a_panel_has() -> None:
    c = plots.design_colors(["h200", "h200-pnm", "h200-pim", "h200"])
    assert list(c) == ["h200", "h200-pnm", "h200-pim"] and len(set(c.values())) == 3
    assert plots.design_colors(["h200", "h200-pnm", "h200-pim"]) == c


def test_roofline_labels_every_kernel_once_and_distinctly(tmp_path, saved) -> None:
    arch = accelsim.presets.load("h200")
    s = accelsim.decode_step(arch, "llama-3-8b", batch=16, context=4096, fidelity="roofline")
    rows, counts = [r for r, _ in s.kernels], [n for _, n in s.kernels]
    assert len({r.name for r in rows}) < len(rows)  # the step repeats kernels (add_norm twice)
    plots.roofline(arch, rows, str(tmp_path / "r.png"), counts=counts)
    ax = saved[-1].axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()][2:]  # after the two roofs
    names = [lab.split("  ", 1)[1].rsplit(" (", 1)[0] for lab in labels]
    assert len(names) == len(set(names)) == len({(r.name, r.flops, r.dram_read_bytes) for r in rows})
    numbers = [a.get_text() for a in ax.texts]
    assert sorted(numbers, key=int) == [str(i) for i in range(1, len(names) + 1)]
    for lab in _ticklabels(ax.xaxis) + _ticklabels(ax.yaxis):
        assert "^" not in lab and "e" not in lab.lower(), lab  # no 10^x, no 1e3


def test_sweep_plot_states_directions_and_labels_the_front(tmp_path, saved) -> None:
    df = accelsim.sweep("h100-sxm", {"dram.stacks": [4, 5, 6], "dram.data_rate_gbps": [5.2, 8.0]},
                        [accelsim.DecodeWorkload("llama-3-8b", batch=8, context=2048)], fidelity="roofline",
                        executor="serial", progress=False)
    plots.sweep_scatter(df, str(tmp_path / "s.png"), logx=True, logy=True)
    ax = saved[-1].axes[0]
    assert ax.get_xlabel().endswith("-> maximize") and ax.get_ylabel().endswith("<- minimize")
    front = accelsim.pareto_front(df, maximize=["tokens_per_s"], minimize=["usd_per_mtoken"])
    labels = [a.get_text() for a in ax.texts]
    assert len(labels) == len(front) and all(lab.startswith("#") and "stacks=" in lab for lab in labels)
    for lab in _ticklabels(ax.xaxis) + _ticklabels(ax.yaxis):
        assert "^" not in lab, lab
