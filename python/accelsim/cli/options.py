"""The options every ``accelsim`` command shares, and how they become machines, models and steps.

A command declares the groups it takes and calls the resolvers; a new command (``serve``, ``cost``, ...)
gets the same flags, the same defaults and the same errors by doing the same:

    sp = sub.add_parser("mycmd", ...)
    options.machine(sp); options.model(sp); options.run(sp)
    ...
    machine = options.machine_from(args)        # Architecture, or System with a ParallelPlan
    step = options.decode_from(args)            # decode_step / parallel_decode_step, with a progress bar

Groups:
  machine    --arch NAME|FILE (a preset, or a YAML/JSON machine file), --system NAME, --tp/--pp/--ep
  model      --model NAME|config.json, --batch, --context, --weight-dtype, --kv-dtype, --routing-zipf-s
  run        --fidelity, --json, --no-progress
Output files are checked before any work (:func:`output_path`): a missing folder or a wrong suffix is
one line naming ``-o``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import threading
import time
from typing import Any, Iterator, NoReturn, Optional, Sequence

from .. import models
from ..engine.simulate import FIDELITIES
from ..errors import ConfigError
from .machines import ARCH_HELP, load_arch, load_archs

__all__ = ["Parser", "machine", "model", "run", "arch_from", "model_from", "plan_from", "plans_from", "machine_from",
           "decode_from", "output_path", "progress", "suggest_flag"]

DEFAULT_ARCH = "h100-sxm"
DEFAULT_MODEL = "llama-3-8b"


# ------------------------------------------------------------------------------------------- parser


class Parser(argparse.ArgumentParser):
    """argparse with a suggestion for a mistyped flag or choice (Python 3.14's ``suggest_on_error`` does
    the same for choices; this also covers flags, on every Python accelsim supports).  Flags are not
    abbreviated: ``--preset`` is an unknown flag with a suggestion, not silently ``--presets``, so adding a
    flag later never changes what an existing command line means."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("allow_abbrev", False)
        if sys.version_info >= (3, 14):
            kw.setdefault("suggest_on_error", True)  # the standard library's own, for choices
        super().__init__(*args, **kw)

    def error(self, message: str) -> NoReturn:
        if "invalid choice" in message and "did you mean" not in message:
            message = _suggest_choice(message)
        super().error(message)


def _suggest_choice(message: str) -> str:
    # "argument command: invalid choice: 'decod' (choose from 'a', 'b')"
    try:
        bad = message.split("invalid choice: ", 1)[1].split(" ", 1)[0].strip("'\"")
        choices = [c.strip(" '\"") for c in message.split("(choose from", 1)[1].rstrip(")").split(",")]
    except IndexError:
        return message
    close = difflib.get_close_matches(bad, choices, n=1, cutoff=0.6)
    return message + (f" (did you mean {close[0]!r}?)" if close else "")


def suggest_flag(parser: argparse.ArgumentParser, flag: str) -> str:
    """`` (did you mean '--batch'?)`` for a flag close to one ``parser`` takes, else ``""``."""
    name = flag.split("=", 1)[0]
    known = [s for a in parser._actions for s in a.option_strings]  # noqa: SLF001 - argparse has no public list
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ------------------------------------------------------------------------------------------- groups


def machine(sp: argparse.ArgumentParser, *, default: Optional[str] = DEFAULT_ARCH, many: bool = False,
            parallel: bool = True) -> None:
    """--arch (and, with ``parallel``, --system --tp --pp --ep)."""
    g = sp.add_argument_group("machine")
    what = "machines, comma-separated: presets (see 'accelsim presets') or machine files" if many else ARCH_HELP
    g.add_argument("--arch", default=default, metavar="NAME|FILE",
                   help=f"{what} (default: %(default)s)")
    if parallel:
        g.add_argument("--system", metavar="NAME",
                       help="a multi-chip system instead (see accelsim.presets.systems: dgx-h100-8, hgx-h200-8, "
                            "tpu-v5e-4x4, ...); decodes across its chips")
        g.add_argument("--tp", type=int, metavar="N", help="tensor-parallel degree (with --system; default: all chips)")
        g.add_argument("--pp", type=int, metavar="N", help="pipeline-parallel stages (with --system; default 1)")
        g.add_argument("--ep", type=int, metavar="N", help="expert-parallel degree for MoE (with --system; default 1)")


def model(sp: argparse.ArgumentParser, *, default: Optional[str] = DEFAULT_MODEL, batch: Any = 1,
          context: Optional[int] = 4096, batch_help: str = "sequences decoded together") -> None:
    """--model --batch --context --weight-dtype --kv-dtype --routing-zipf-s. ``batch``: an int default, a
    comma-list default (a string) or None (a comma list with no default); ``context`` None: no --context (a
    command whose sequences have their own lengths)."""
    g = sp.add_argument_group("model")
    g.add_argument("--model", default=default, metavar="NAME|config.json",
                   help="a model of the zoo (see 'accelsim models') or a Hugging Face config.json "
                        "(default: %(default)s)")
    if batch is None:
        g.add_argument("--batch", default=None, metavar="B[,B...]", help=batch_help)
    elif isinstance(batch, str):
        g.add_argument("--batch", default=batch, metavar="B[,B...]", help=f"{batch_help} (default: %(default)s)")
    else:
        g.add_argument("--batch", type=int, default=batch, metavar="B", help=f"{batch_help} (default: %(default)s)")
    if context is not None:
        g.add_argument("--context", type=int, default=context, metavar="TOKENS",
                       help="cached tokens per sequence (default: %(default)s)")
    g.add_argument("--weight-dtype", default="bf16", metavar="DTYPE",
                   help="weight dtype: bf16, fp16, fp8 (W8A8), int8, int4 / fp4 (weight-only), nvfp4 / mxfp4 "
                        "(W4A4) or an alias such as bfloat16, float8_e4m3fn (default: %(default)s)")
    g.add_argument("--kv-dtype", default="bf16", metavar="DTYPE", help="KV-cache dtype (default: %(default)s)")
    g.add_argument("--routing-zipf-s", type=float, default=0.0, metavar="S",
                   help="MoE models: routing skew, expert popularity ~ 1/rank^S; 0 = uniform (default: %(default)s)")


def run(sp: argparse.ArgumentParser, *, json: bool = True, fidelity: bool = True) -> None:
    """--fidelity --json --no-progress."""
    g = sp.add_argument_group("run")
    if fidelity:
        g.add_argument("--fidelity", default="fast", choices=FIDELITIES,
                       help="roofline (analytic bound), fast (default) or detailed (slow: a progress bar shows)")
    if json:
        g.add_argument("--json", action="store_true", help="print JSON (seconds, bytes) instead of a table")
    g.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


# ---------------------------------------------------------------------------------------- resolvers


def arch_from(text: Any, field: str = "--arch") -> Any:
    """An Architecture from a preset name or a machine file (YAML/JSON, whole or ``base: PRESET`` plus
    overrides): :func:`accelsim.cli.machines.load_arch`, the one resolver every command uses."""
    return load_arch(text, field)


def archs_from(text: str, field: str = "--arch") -> list[Any]:
    """The Architectures of a comma-separated list of presets / machine files."""
    return load_archs(text, field)


def model_from(text: Any) -> Any:
    """A ModelSpec from a zoo name or a Hugging Face config.json (a path ending in .json, or a model folder)."""
    return models.load(text)


def plan_from(args: argparse.Namespace) -> Any:
    """(System, ParallelPlan) when --system is given, else None; --tp/--pp/--ep without --system is an error."""
    system_name = getattr(args, "system", None)
    degrees = {k: getattr(args, k, None) for k in ("tp", "pp", "ep")}
    if not system_name:
        given = [f"--{k}" for k, v in degrees.items() if v is not None]
        if given:
            raise ConfigError(given[0], "needs --system (a multi-chip system such as dgx-h100-8); --arch is one chip")
        return None
    from ..multichip.parallel import ParallelPlan  # noqa: PLC0415
    from ..presets import systems  # noqa: PLC0415

    system = systems.load(system_name)
    tp = degrees["tp"]
    pp = degrees["pp"] or 1
    ep = degrees["ep"] or 1
    if tp is None:  # all the chips of a stage; with expert parallelism the experts spread and attention does not
        tp = max(1, system.chips // pp) if ep == 1 else 1
    return system, ParallelPlan(tp=tp, pp=pp, ep=ep)


def plans_from(args: argparse.Namespace) -> list[Any]:
    """Every (System, ParallelPlan) of a comma-separated --system under --tp/--pp/--ep (each system's default
    degrees as :func:`plan_from`'s), or [] without --system."""
    names = [n.strip() for n in str(getattr(args, "system", None) or "").split(",") if n.strip()]
    if not names:
        plan_from(args)  # --tp/--pp/--ep without --system: the same error
        return []
    out = []
    for name in names:
        one = argparse.Namespace(**vars(args))
        one.system = name
        out.append(plan_from(one))
    return out


def machine_from(args: argparse.Namespace) -> Any:
    sp = plan_from(args)
    return sp[0] if sp is not None else arch_from(args.arch)


def _progress_on(args: argparse.Namespace) -> bool:
    return getattr(args, "fidelity", "fast") == "detailed" and not getattr(args, "no_progress", False)


def decode_from(args: argparse.Namespace) -> tuple[Any, Any]:
    """(machine, step): ``decode_step`` on --arch, or ``parallel_decode_step`` on --system under --tp/--pp/--ep.
    A ``detailed`` step shows a progress bar over its distinct kernels."""
    from ..workload.decode import decode_kernels, decode_step, dtype_alias  # noqa: PLC0415

    mdl = model_from(args.model)
    sp = plan_from(args)
    kw = dict(weight_dtype=args.weight_dtype, kv_dtype=args.kv_dtype, fidelity=args.fidelity,
              routing_zipf_s=args.routing_zipf_s)
    if sp is not None:
        from ..multichip.parallel import parallel_decode_step  # noqa: PLC0415

        system, plan = sp
        with progress(None, f"decode on {system.name} ({args.fidelity})", enabled=_progress_on(args)):
            return system, parallel_decode_step(system, mdl, args.batch, args.context, plan=plan, **kw)
    arch = arch_from(args.arch)
    if _progress_on(args):
        # simulate the step's distinct kernels one by one (the cache keeps them), then assemble the step
        from ..engine.simulate import simulate  # noqa: PLC0415

        try:
            wdt, kvdt = dtype_alias(args.weight_dtype, "weight_dtype"), dtype_alias(args.kv_dtype, "kv_dtype")
            seq = decode_kernels(mdl, args.batch, args.context, weight_dtype=wdt, kv_dtype=kvdt,
                                 routing_zipf_s=args.routing_zipf_s)
            kernels = list(dict.fromkeys(k for k, _ in seq))
        except (ConfigError, TypeError):
            kernels = []  # decode_step reports the problem below
        fits = True
        try:
            fits = mdl.weight_bytes(args.weight_dtype) + mdl.kv_bytes_per_token(args.kv_dtype) * args.batch * \
                args.context <= arch.memory_capacity_bytes
        except (ConfigError, TypeError):
            pass
        if kernels and fits:
            with progress(len(kernels), f"{mdl.name} on {arch.name} (detailed)") as bar:
                for k in kernels:
                    simulate(arch, k, fidelity=args.fidelity)
                    bar.update()
    return arch, decode_step(arch, mdl, args.batch, args.context, **kw)


def output_path(path: Any, suffixes: Sequence[str], field: str = "-o") -> str:
    """``path`` if its folder exists and it ends in one of ``suffixes``; else one ConfigError line."""
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(field, f"give a file name ending in {', '.join(suffixes)}", path)
    low = path.lower()
    if not low.endswith(tuple(suffixes)):
        ext = os.path.splitext(path)[1]
        what = f"has the suffix {ext!r}" if ext else "has no suffix"
        raise ConfigError(field, f"{what}; the file must end in {', '.join(suffixes)}", path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(field, f"the folder {os.path.dirname(path) or '.'} does not exist", path)
    if os.path.isdir(path):
        raise ConfigError(field, "is a folder, not a file", path)
    return path


# ----------------------------------------------------------------------------------------- progress


class _Bar:
    def __init__(self, total: Optional[int], desc: str) -> None:
        self.total, self.desc, self.n, self.t0 = total, desc, 0, time.monotonic()
        self._tqdm = None
        try:
            from tqdm import tqdm  # noqa: PLC0415

            self._tqdm = tqdm(total=total, desc=desc, unit="kernel" if total else "it", file=sys.stderr,
                              leave=False, dynamic_ncols=True)
        except ImportError:
            pass
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if total is None:  # no count to show: an elapsed-time line, refreshed once a second
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            if self._tqdm is not None:
                self._tqdm.set_postfix_str(f"{time.monotonic() - self.t0:.0f} s", refresh=True)
            else:
                print(f"\r{self.desc}: {time.monotonic() - self.t0:.0f} s", end="", file=sys.stderr, flush=True)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self._tqdm is not None:
            self._tqdm.update(n)
        else:
            print(f"\r{self.desc}: {self.n}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._tqdm is not None:
            self._tqdm.close()
        elif self.n or self._thread is not None:
            print(file=sys.stderr)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass


@contextlib.contextmanager
def progress(total: Optional[int], desc: str, *, enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr (tqdm when installed) over ``total`` steps, or an elapsed-time line when the
    count is unknown (``total=None``); nothing when not ``enabled``."""
    if not enabled:
        yield _NoBar()
        return
    bar = _Bar(total, desc)
    try:
        yield bar
    finally:
        bar.close()
