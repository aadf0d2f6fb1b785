"""``nengo-lmu bench backends``: every network of the library on every backend.

A network is built once per backend, run once for its accuracy figure, then
timed: the backends' simulators are built side by side and run in turn,
``chunk`` simulated seconds at a time, ``repeats`` times, so that the
machine's drift hits every backend alike; the speed is the chunk over the
median wall time (simulated seconds per wall second). Build time is timed
apart. A backend that cannot build or run a network gets a row that says
why (the first line of the error), not a crash.

The networks are a registry (`nengo_lmu.benchmarks.backend_networks`);
NengoDL's batched simulation of many inputs is `nengo_lmu.benchmarks.batched`.
"""

import contextlib
import os
import platform
import sys
import time

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import _BACKEND_MODULES, import_backend_module, resolve_backend
from nengo_lmu.benchmarks.backend_networks import (
    BENCH_NETWORKS,
    check_networks,
    n_steps,
    probe_data,
)
from nengo_lmu.benchmarks.batched import compare_batched, format_batched_table
from nengo_lmu.params import DT, DURATION, REPEATS, IntParam, NumberParam, check_param
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import (
    backend_list, comma_list, format_table, nonnegative_int, positive_float, positive_int,
    quiet_stdout, seed_arg,
)
from nengo_lmu.utils.progress import tqdm

DEFAULT_BACKENDS = ("nengo", "dl", "loihi-sim")

_CHUNK = NumberParam("chunk", low=0, low_open=True)


def import_backend(backend):
    """Import a backend's package, so that building on it does not time the import.

    Raises ``ImportError`` if the package is missing.
    """

    import_backend_module(_BACKEND_MODULES[backend][0])


def first_line(error):
    """``Type: first line of the message`` of an exception."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")


def check_backends(backends):
    """Validate backend names (a sequence, or a comma-separated string)."""
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    try:
        backends = [resolve_backend(b) for b in backends]
    except ValidationError as error:
        raise ValidationError(str(error.args[0] if error.args else error), "backends") from error
    if not backends:
        raise ValidationError("Give at least one backend", "backends")
    return backends


def run_backend_table(
    networks=None,
    backends=DEFAULT_BACKENDS,
    duration=None,
    seed=0,
    dt=0.001,
    chunk=1.0,
    repeats=5,
    progress_bar=True,
):
    """Accuracy and speed of each network on each backend.

    For each network, the model is built on every backend (build timed), each
    simulator runs the accuracy run from the start and is scored, then the
    simulators run ``chunk`` seconds each in turn, ``repeats`` times, and the
    speed is ``chunk`` over the median wall time of a chunk.

    Parameters
    ----------
    networks : sequence of str or BenchNetwork, optional
        Names in `BENCH_NETWORKS` (default: all of them) or networks.
    backends : sequence of str or str
        Backends (see `nengo_lmu.Simulator`); a comma-separated string works.
    duration : float, optional
        Simulated seconds of every accuracy run (default: each network's own).
    seed : int
        Seed of the networks and of their input.
    dt : float
        Simulator time step in seconds.
    chunk : float
        Simulated seconds per timed run.
    repeats : int
        Timed runs per backend.
    progress_bar : bool
        Whether to show progress (on stderr).

    Returns
    -------
    list of dict
        One row per network and backend: ``network``, ``backend``, ``metric``,
        ``accuracy`` (NaN if not measured), ``speed`` (simulated seconds per
        wall second), ``build_seconds``, ``duration`` (of the accuracy run)
        and ``status`` (``"ok"``, or why the backend could not run it).
    """
    networks = check_networks(networks)
    backends = check_backends(backends)
    duration = check_param(DURATION, duration)
    chunk = check_param(_CHUNK, chunk)
    dt = check_param(DT, dt)
    repeats = check_param(REPEATS, repeats)


    rows = []
    bar = tqdm(total=len(networks) * len(backends), desc="backends bench",
               disable=not progress_bar, leave=False, file=sys.stderr)
    for network in networks.values():
        run_duration = network.duration if duration is None else duration
        rows.extend(_bench_network(network, backends, run_duration, seed, dt, chunk, repeats, bar))
    bar.close()
    return rows


def _bench_network(network, backends, duration, seed, dt, chunk, repeats, bar):
    """The rows of one network: build and score on each backend, then time them in turn."""
    rows, sims = [], {}
    for backend in backends:
        with contextlib.suppress(Exception):  # a missing package is reported below
            import_backend(backend)  # importing (TensorFlow...) is not building
        row = dict(network=network.name, backend=backend, metric=network.metric,
                   accuracy=float("nan"), speed=float("nan"), build_seconds=float("nan"),
                   duration=duration, status="ok")
        rows.append(row)
        stage = "build"
        try:
            case = network.make_case(duration, dt, seed)
            start = time.perf_counter()
            with quiet_stdout():
                sim = Simulator(case.model, backend=backend, dt=dt, progress_bar=False,
                                **case.backend_kwargs(backend))
            row["build_seconds"] = time.perf_counter() - start
            sims[backend] = sim
            stage = "run"
            with quiet_stdout():
                case.run(sim, n_steps(duration, dt))
            stage = "score"
            row["accuracy"] = case.score(probe_data(sim, case.model))
            if not np.isfinite(row["accuracy"]):
                row["status"] = "ok (run too short to score)"
        except Exception as error:  # pylint: disable=broad-except
            # a backend that cannot run a network gets a row that says why
            row["status"] = f"{stage} failed: {first_line(error)}"
            if backend in sims:
                with quiet_stdout(), contextlib.suppress(Exception):
                    sims.pop(backend).close()
        bar.update()

    times = {backend: [] for backend in sims}
    failed = {}
    for backend, sim in sims.items():
        try:  # NengoDL traces its graph again for a new number of steps
            with quiet_stdout():
                sim.run_steps(n_steps(chunk, dt))
        except Exception as error:  # pylint: disable=broad-except
            failed[backend] = f"timing failed: {first_line(error)}"
    for _ in range(repeats):
        for backend, sim in sims.items():
            if backend in failed:
                continue
            try:
                start = time.perf_counter()
                with quiet_stdout():
                    sim.run_steps(n_steps(chunk, dt))
                times[backend].append(time.perf_counter() - start)
                if hasattr(sim, "clear_probes"):
                    sim.clear_probes()  # keep memory flat over the repeats
            except Exception as error:  # pylint: disable=broad-except
                failed[backend] = f"timing failed: {first_line(error)}"
    for sim in sims.values():
        with quiet_stdout():
            sim.close()
    for row in rows:
        backend = row["backend"]
        if backend in failed:
            row["status"] = failed[backend]
        elif times.get(backend):
            row["speed"] = n_steps(chunk, dt) * dt / float(np.median(times[backend]))
    return rows


def _cell(value, fmt):
    return "-" if value is None or not np.isfinite(value) else format(value, fmt)


def format_backend_table(rows):
    """The rows of `run_backend_table` as a plain-text table."""
    header = ["network", "backend", "figure", "value", "sim s/wall s", "build s", "status"]
    body = [
        [row["network"], row["backend"], row["metric"], _cell(row["accuracy"], ".4f"),
         _cell(row["speed"], ".3g"), _cell(row["build_seconds"], ".2f"), row["status"]]
        for row in rows
    ]
    return format_table(header, body)


def machine_note():
    """One line on the machine and its load, to print beside any timing."""
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not every platform has it
        load = "unknown"
    versions = f"nengo {nengo.__version__}"
    for module in ("nengo_dl", "tensorflow", "nengo_loihi"):
        if module in sys.modules:
            versions += f", {module} {getattr(sys.modules[module], '__version__', '?')}"
    return (
        f"machine: {os.cpu_count()} CPUs, load average (1, 5, 15 min) {load}, "
        f"Python {platform.python_version()}, {versions}; wall-clock figures on a shared "
        f"machine are noisy: compare ratios measured in one run"
    )


def register(subparsers):
    """Add ``bench backends`` to the ``nengo-lmu bench`` subparsers."""
    sub = subparsers.add_parser(
        "backends",
        help="each network on each backend: accuracy, speed, build time; "
        "NengoDL's batched simulation of many inputs",
        description="Each network on each backend, then NengoDL's batched simulation. "
        "The default run took 19 minutes on a loaded 2-core machine, most of it the "
        "learned readout on loihi-sim (nengo-loihi's emulator ran it at ~0.05 simulated "
        "seconds per wall second); --backends nengo,dl is a few minutes. The "
        "trained-cell-loihi row (added since) trains a psdigits model for 3 epochs and "
        "took 5 minutes more on its own, at load average 4.5.",
    )
    sub.add_argument(
        "--backends", type=backend_list, default=list(DEFAULT_BACKENDS),
        help=f"comma-separated backends (default: {','.join(DEFAULT_BACKENDS)})",
    )
    sub.add_argument(
        "--networks", type=comma_list, default=None,
        help=f"comma-separated networks (default: all of {','.join(BENCH_NETWORKS)})",
    )
    sub.add_argument(
        "--duration", type=positive_float, default=None,
        help="simulated seconds of each accuracy run (default: each network's own: "
        + ", ".join(f"{n.name} {n.duration:g}" for n in BENCH_NETWORKS.values()) + ")",
    )
    sub.add_argument("--chunk", type=positive_float, default=1.0,
                     help="simulated seconds per timed run (default: 1)")
    sub.add_argument("--repeats", type=positive_int, default=5,
                     help="timed runs per backend, interleaved (default: 5)")
    sub.add_argument(
        "--batch", type=nonnegative_int, default=32,
        help="input signals NengoDL simulates at once, against one by one (default: 32; "
        "0 skips the comparison)",
    )
    sub.add_argument("--batch-network", default="spiking-memory-relu",
                     help="network of the batched comparison (default: spiking-memory-relu)")
    sub.add_argument("--batch-duration", type=positive_float, default=2.0,
                     help="simulated seconds per signal in the batched comparison (default: 2)")
    sub.add_argument("--seed", type=seed_arg, default=0, help="random seed (default: 0)")
    # nengo-lmu resolves every command's --backend; this one takes --backends
    sub.set_defaults(func=cmd_bench_backends, backend=None)
    return sub


def cmd_bench_backends(args):
    """Print the backends table, then the batched comparison (``--batch N``)."""
    networks = check_networks(args.networks)
    backends = check_backends(args.backends)
    check_param(DURATION, args.duration)
    check_param(_CHUNK, args.chunk)
    check_param(REPEATS, args.repeats)
    batch = check_param(IntParam("batch", low=0), args.batch)
    if batch > 0:
        (batch_network,) = check_networks([args.batch_network]).values()
        if not batch_network.batchable:
            raise ValidationError(
                f"{batch_network.name} cannot run batched; choose from "
                f"{[n for n, net in BENCH_NETWORKS.items() if net.batchable]}",
                "batch_network",
            )
        check_param(NumberParam("batch_duration", low=0, low_open=True), args.batch_duration)

    rows = run_backend_table(
        networks=list(networks.values()), backends=backends, duration=args.duration,
        seed=args.seed, chunk=args.chunk, repeats=args.repeats,
    )
    print(
        f"Networks on backends (seed {args.seed}; speed: {args.chunk:g} s chunks, median of "
        f"{args.repeats} runs interleaved across backends; build time apart)"
    )
    print(format_backend_table(rows))
    for network in networks.values():
        duration = network.duration if args.duration is None else args.duration
        print(f"  {network.name} ({duration:g} s): {network.description}")
    print(machine_note())

    if batch > 0:
        result = compare_batched(
            args.batch_network, n_signals=batch, duration=args.batch_duration, seed=args.seed,
        )
        print(
            f"\nNengoDL batching: {batch} white-noise inputs of {args.batch_duration:g} s "
            f"through {result['network']}, all at once vs one by one (runs only, "
            f"builds not timed)"
        )
        print(format_batched_table(result))
        print(f"batched_equals_one_by_one={result['equal']}")
        print(f"batched_max_abs_diff={result['max_abs_diff']:.3g}")
        print(f"batched_speedup_vs_dl_one_by_one={result['speedup']['dl']:.3g}")
        print(f"batched_speedup_vs_nengo_one_by_one={result['speedup']['nengo']:.3g}")
        print(machine_note())
