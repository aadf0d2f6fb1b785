"""``nengo-lmu bench capacity``: the memory capacity experiment of the LMU paper (its "LMU-0" delay task).

Recipe (the paper's ``capacity.ipynb``): for a window of ``T`` steps, white
noise band-limited to 10 Hz at ``dt = 1 / T`` (so the window is one second),
``2.5 T`` steps long, scaled to a peak of 1; a memory of order 100 with
``theta = T - 0.5`` steps (the half step centres the zero-order hold) read out
exactly with Legendre polynomials at 0, T/4, T/2, 3T/4 and T steps ago; the
mean squared error per delay over the steps after the first ``T``.
"""

import time

import nengo
import numpy as np

from nengo_lmu.metrics import delayed
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import (
    add_common, format_table, positive_int, positive_int_list, quiet_stdout,
)

# MSE at delay T read off the paper's capacity figure (order 100)
PUBLISHED_MSE = {100: 2e-2, 1000: 2e-4, 10000: 3e-6, 100000: 1e-6}
N_DELAYS = 5


def capacity_signals(T, n_sequences, rng, freq=10.0, length_factor=2.5):
    """White-noise sequences of the capacity task, one per row, peak 1."""
    dt = 1.0 / T
    length = int(length_factor / dt + 1e-7)
    process = nengo.processes.WhiteSignal(length * dt, high=freq, y0=0)
    signals = np.array(
        [process.run_steps(length, dt=dt, rng=rng)[:, 0] for _ in range(n_sequences)]
    )
    return signals / np.max(np.abs(signals), axis=1, keepdims=True)


def run_capacity(T, order=100, n_sequences=4, seed=0, backend=None, progress_bar=False):
    """Run the capacity task for a window of ``T`` steps; return its figures.

    All sequences run at once, as one `.LegendreMemory` with ``size_in`` equal
    to the number of sequences.

    Returns
    -------
    dict
        ``delays`` (steps), ``mse`` (one per delay), ``published_mse`` (at
        delay ``T``, or None), ``steps`` simulated, ``seconds`` of wall time
        for the build and run.
    """
    dt = 1.0 / T
    signals = capacity_signals(T, n_sequences, np.random.RandomState(seed))
    n_steps = signals.shape[1]
    theta = (T - 0.5) * dt

    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.PresentInput(signals.T, presentation_time=dt))
        memory = LegendreMemory(order, theta, size_in=n_sequences, dt=dt)
        nengo.Connection(stim, memory.input, synapse=None)
        readout = memory.add_delays(np.linspace(0, theta, N_DELAYS))
        probe = nengo.Probe(readout)

    start = time.perf_counter()
    # the backends draw progress bars on stdout, which carries the results
    with quiet_stdout():
        with Simulator(model, backend=backend, dt=dt, progress_bar=progress_bar) as sim:
            sim.run_steps(n_steps)
    seconds = time.perf_counter() - start

    # (steps, sequence, delay), as laid out by LegendreMemory.readout_transform
    output = sim.data[probe].reshape(-1, n_sequences, N_DELAYS)
    delays = np.linspace(0, T, N_DELAYS, dtype=int)
    mse = np.array(
        [
            np.mean((output[T:, :, j] - delayed(signals.T, d)[T:]) ** 2)
            for j, d in enumerate(delays)
        ]
    )
    return {
        "T": T,
        "delays": delays,
        "mse": mse,
        "published_mse": PUBLISHED_MSE.get(T),
        "steps": n_steps,
        "seconds": seconds,
    }


def cmd_bench_capacity(args):
    rows = []
    for T in args.steps:
        result = run_capacity(
            T,
            order=args.order,
            n_sequences=args.sequences,
            seed=args.seed,
            backend=args.backend,
            progress_bar=True,
        )
        published = result["published_mse"]
        ratio = result["mse"][-1] / published if published else float("nan")
        rows.append(
            [T]
            + [f"{m:.2e}" for m in result["mse"]]
            + [f"{published:.0e}" if published else "-", f"{ratio:.2f}"]
            + [result["steps"], f"{result['seconds']:.1f}"]
        )
    header = (
        ["T"]
        + [f"mse@{f}T" for f in ("0", "1/4", "1/2", "3/4", "1")]
        + ["published@T", "ratio", "steps", "seconds"]
    )
    print(
        f"Capacity of the ideal LegendreMemory (order {args.order}, 10 Hz white noise, "
        f"{args.sequences} sequences, backend {args.backend})"
    )
    print(format_table(header, rows))


def register(benches):
    """Add ``capacity`` to the ``nengo-lmu bench`` subcommands."""
    capacity = benches.add_parser(
        "capacity", help="the paper's memory capacity task (LMU-0)"
    )
    add_common(capacity)
    capacity.add_argument(
        "--steps",
        type=positive_int_list,
        default=[100, 1000, 10000, 100000],
        help="comma-separated window lengths T in steps (default: 100,1000,10000,100000)",
    )
    capacity.add_argument(
        "--order", type=positive_int, default=100,
        help="memory order (default: 100)",
    )
    capacity.add_argument(
        "--sequences", type=positive_int, default=4, help="test sequences per T (default: 4)"
    )
    capacity.set_defaults(func=cmd_bench_capacity)
