"""``nengo-lmu bench convolution``: FFT or direct, the memory states of parallel regression.

Parallel sequence-to-sequence training computes every memory state of the
data once, as a causal convolution with the memory's kernel
(`nengo_lmu.training.parallel.memory_states`). This times both of
``scipy.signal.convolve``'s methods on random sequences of a few shapes
(the parallel paper's and this library's tasks) and prints the seconds, the
ratio and their largest difference, which chose the default (FFT).
"""

import time

import numpy as np

from nengo_lmu.training.parallel import memory_states
from nengo_lmu.training.spec import make_spec
from nengo_lmu.utils.commands import format_table, print_metrics, seed_arg

#: (label, sequences, steps, order) timed by default
SHAPES = (
    ("psdigits", 256, 64, 64),
    ("Mackey-Glass", 8, 5000, 16),
    ("psFashion", 16, 784, 256),
)


def run_convolution(shapes=SHAPES, seed=0):
    """Time ``memory_states`` by FFT and direct on each shape; return the rows."""
    rng = np.random.RandomState(seed)
    rows = []
    for label, n, n_steps, order in shapes:
        spec = make_spec("regress", n_steps, 1, 1, 1, order, hidden_to_hidden=False)
        x = rng.standard_normal((n, n_steps, 1)).astype(np.float32)
        seconds, states = {}, {}
        for method in ("fft", "direct"):
            start = time.perf_counter()
            states[method] = memory_states(spec, x, convolution=method)
            seconds[method] = time.perf_counter() - start
        rows.append(dict(
            label=label, sequences=n, steps=n_steps, order=order,
            fft_seconds=seconds["fft"], direct_seconds=seconds["direct"],
            max_difference=float(np.max(np.abs(states["fft"] - states["direct"]))),
        ))
    return rows


def cmd_bench_convolution(args):
    rows = run_convolution(seed=args.seed)
    print(format_table(
        ["task", "sequences", "steps", "order", "fft s", "direct s", "direct/fft",
         "max |fft - direct|"],
        [[r["label"], r["sequences"], r["steps"], r["order"], f"{r['fft_seconds']:.3g}",
          f"{r['direct_seconds']:.3g}", f"{r['direct_seconds'] / r['fft_seconds']:.3g}",
          f"{r['max_difference']:.2g}"] for r in rows],
    ))
    metrics = {}
    for r in rows:
        key = r["label"].lower().replace("-", "_")
        metrics[f"{key}_fft_seconds"] = r["fft_seconds"]
        metrics[f"{key}_direct_seconds"] = r["direct_seconds"]
    print_metrics(metrics)


def register(benches):
    """Add ``convolution`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "convolution",
        help="FFT against direct convolution for the memory states of parallel "
        "sequence-to-sequence training",
    )
    sub.add_argument("--seed", type=seed_arg, default=0, help="random seed (default: 0)")
    sub.set_defaults(func=cmd_bench_convolution, backend=None)
