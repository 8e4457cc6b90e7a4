"""Multi-die packages: placement, die-to-die traffic, one die == single die."""

from __future__ import annotations

import pytest

import accelsim
from accelsim import chiplets, systems
from accelsim.errors import ConfigError
from accelsim.workload.kernels import DecodeAttention, Elementwise, Gemv
from accelsim.spec.system import InterconnectSpec, LinkSpec, Package

MODEL = "llama-3-8b"


def _d2d(bw_gb_per_s=1000.0, topology="fully_connected", dims=""):
    return InterconnectSpec(topology=topology, dims=dims,
                            link=LinkSpec(name="d2d", bandwidth_gb_per_s=bw_gb_per_s, latency_ns=2.0,
                                          energy_pj_per_bit=0.5, efficiency=1.0),
                            hop_latency_ns=5.0, base_latency_ns=0.0, step_latency_ns=40.0,
                            low_latency_bandwidth_fraction=1.0, simple_base_latency_ns=0.0,
                            simple_step_latency_ns=40.0, in_network_latency_ns=0.0)


def _pkg(dies=2, placement="sharded", **kw):
    die = systems.load_package("ucie-4chiplet").die
    return Package(name="test-pkg", description="", die=die, dies=dies, d2d=_d2d(**kw), placement=placement)


@pytest.mark.parametrize("placement", ["sharded", "kv_per_sequence", "interleaved"])
def test_one_die_is_exactly_the_single_die_result(placement):
    pkg = _pkg(dies=1, placement=placement)
    got = chiplets.package_decode_step(pkg, MODEL, batch=2, context=512)
    want = accelsim.decode_step(pkg.die, MODEL, batch=2, context=512)
    assert got.time_s == want.time_s  # bit-identical
    assert got.d2d_time_s == 0.0 and got.d2d_bytes == 0.0
    k = Gemv(m=1, n=4096, k=4096)
    assert chiplets.package_kernel(pkg, k).time_s == accelsim.simulate(pkg.die, k).time_s


def test_sharded_pays_all_gathers_on_the_critical_path():
    pkg = _pkg(dies=4, placement="sharded", topology="mesh2d", dims="2x2")
    k = Gemv(m=1, n=8192, k=8192)
    row = chiplets.package_kernel(pkg, k)
    shard = accelsim.simulate(pkg.die, Gemv(m=1, n=2048, k=8192)).time_s
    assert row.die_time_s == shard
    assert row.d2d_time_s > 0 and row.time_s == pytest.approx(row.die_time_s + row.d2d_time_s)
    assert row.d2d_bytes > 0 and row.d2d_energy_j == pytest.approx(row.d2d_bytes * 8 * 0.5e-12)


def test_interleaved_links_saturate():
    """With slow links the remote share of every byte limits the kernel: time >= remote bytes per link /
    link bandwidth; with fast links the kernel runs at the die's own speed."""
    k = Elementwise(n_elements=1 << 26, dtype="bf16", reads=1, writes=1)
    slow = _pkg(dies=2, placement="interleaved", bw_gb_per_s=10.0)
    fast = _pkg(dies=2, placement="interleaved", bw_gb_per_s=1e6)
    r_slow = chiplets.package_kernel(slow, k)
    r_fast = chiplets.package_kernel(fast, k)
    remote_per_link = k.bytes_moved() / 4  # each die pulls half of its half from the other die
    assert r_slow.time_s >= remote_per_link / 10e9
    assert r_slow.time_s == pytest.approx(remote_per_link / 10e9 + 2e-9, rel=1e-6)
    assert r_fast.time_s == r_fast.die_time_s  # link time hidden under the die's own stream
    assert r_slow.time_s > 10 * r_fast.time_s


def test_kv_per_sequence_leaves_dies_idle_at_batch_one():
    att = DecodeAttention(batch=1, q_heads=32, kv_heads=8, head_dim=128, context=8192)
    by_seq = chiplets.package_kernel(_pkg(dies=2, placement="kv_per_sequence"), att)
    by_head = chiplets.package_kernel(_pkg(dies=2, placement="sharded"), att)
    assert by_seq.die_time_s > 1.5 * by_head.die_time_s
    att4 = DecodeAttention(batch=4, q_heads=32, kv_heads=8, head_dim=128, context=8192)
    assert chiplets.shard_kernel(att4, 2, by="sequence").batch == 2


def test_more_dies_faster_but_not_superlinear():
    one = chiplets.package_decode_step(_pkg(dies=1), MODEL, batch=1, context=1024, fidelity="roofline")
    four = chiplets.package_decode_step(_pkg(dies=4, topology="mesh2d", dims="2x2"), MODEL, batch=1,
                                        context=1024, fidelity="roofline")
    assert four.time_s < one.time_s
    assert four.time_s >= one.time_s / 4


def test_package_presets_decode_and_infeasible():
    for name in systems.package_names():
        p = systems.load_package(name)
        r = chiplets.package_decode_step(p, MODEL, batch=1, context=1024, fidelity="roofline")
        assert r.feasible and r.time_s > 0 and r.tokens_per_s > 0
        assert name in r.table()
    bad = chiplets.package_decode_step(_pkg(dies=2), "llama-3-405b", batch=1, context=1024)
    assert not bad.feasible and "exceed" in bad.reason


def test_shard_kernel_and_errors():
    g = chiplets.shard_kernel(Gemv(m=1, n=10, k=4), 4)
    assert g.n == 3
    mqa = DecodeAttention(batch=1, q_heads=16, kv_heads=1, head_dim=64, context=128)
    s = chiplets.shard_kernel(mqa, 4)
    assert s.kv_heads == 1 and s.q_heads == 4  # KV replicated, queries split
    with pytest.raises(ConfigError):
        chiplets.package_simulate("not a package", [g])
    with pytest.raises(ConfigError) as e:
        chiplets.package_decode_step(_pkg(dies=2), MODEL, batch=0, context=8)
    assert e.value.field == "batch"
