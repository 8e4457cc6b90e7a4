"""The engine: the only package that calls the C++ core.

- :mod:`.core`: the one seam to ``_core`` (unit conversion, error translation);
- :mod:`.planner`: how `fast` shortens long kernels (slices, cuts, screening);
- :mod:`.simulate`: :func:`simulate`, the per-kernel cache;
- :mod:`.result`: :class:`KernelRow`, :class:`Result`;
- :mod:`.nearmem`: near-memory compute and High Bandwidth Flash placement;
- :mod:`.energy`: energy from simulated counts; :mod:`.limits`: resource limits.
"""
