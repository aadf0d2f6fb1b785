"""``nengo-lmu bench online-learning``: the online-learning demos on each backend, one table."""

import time

from nengo_lmu.backends import resolve_backend
from nengo_lmu.demos import ONLINE_LEARNING_DEMOS, POPULATION_DEMOS, POPULATIONS, run_demo
from nengo_lmu.utils.commands import (
    backend_list, choice_list, format_table, positive_float, seed_arg,
)

# demo -> the metrics shown as its baselines (what the learned output is compared with)
BASELINES = {
    "learn-delay": ("nrmse_linear_readout",),
    "learn-product": ("nrmse_solved_decoders", "nrmse_lstsq_bound", "nrmse_readout_product"),
    "mackey-glass": ("persistence_nrmse",),
}


def run(args):
    """Run every (demo, backend) pair of ``args`` and print one table."""
    backends = [resolve_backend(b) for b in args.backends]
    runs = []
    for name in args.demos:
        for population in args.populations if name in POPULATION_DEMOS else [None]:
            for backend in backends:
                label = name if population is None else f"{name} ({population})"
                plot = None
                if args.plot_dir:
                    suffix = "" if population is None else f"-{population}"
                    plot = f"{args.plot_dir}/online-learning-{name}{suffix}-{backend}.png"
                start = time.perf_counter()
                metrics = run_demo(
                    name, seed=args.seed, backend=backend, plot=plot,
                    duration=args.duration, population=population,
                )
                wall = time.perf_counter() - start
                simulated = args.duration if args.duration is not None else 100.0
                runs.append((label, backend, metrics, simulated, wall))
                # each run's figures as they come, so a long bench shows progress
                print(
                    f"{label} backend={backend} nrmse={metrics['nrmse']:.4f} "
                    f"wall_seconds={wall:.0f}",
                    flush=True,
                )
    nengo_nrmse = {label: m["nrmse"] for label, b, m, _, _ in runs if b == "nengo"}
    rows = []
    for label, backend, metrics, simulated, wall in runs:
        name = label.split(" ")[0]
        baselines = " ".join(
            f"{key.replace('nrmse_', '').replace('_nrmse', '')}={metrics[key]:.4f}"
            for key in BASELINES[name]
            if key in metrics
        )
        reference = nengo_nrmse.get(label)
        ratio = f"{metrics['nrmse'] / reference:.2f}" if reference else "-"
        rows.append(
            [label, backend, f"{metrics['nrmse']:.4f}", baselines, ratio,
             f"{simulated:g}", f"{wall:.0f}"]
        )
    print(
        f"\nOnline learning (PES, 1000 spiking neurons, last 20% of the run scored with "
        f"learning off), seed {args.seed}"
    )
    print(
        format_table(
            ["demo", "backend", "nrmse", "baseline", "ratio to nengo", "simulated s",
             "wall s"],
            rows,
        )
    )
    return runs


def register(benches):
    """Add the ``online-learning`` bench to the ``bench`` subparsers."""
    sub = benches.add_parser(
        "online-learning",
        help="the online-learning demos (learn-delay, learn-product, mackey-glass) "
        "on each backend, in one table",
    )
    sub.add_argument(
        "--backends",
        type=backend_list,
        default=["nengo", "loihi-sim"],
        help="comma-separated backends (default: nengo,loihi-sim)",
    )
    sub.add_argument(
        "--demos",
        type=choice_list(ONLINE_LEARNING_DEMOS, "demos"),
        default=list(ONLINE_LEARNING_DEMOS),
        help=f"comma-separated demos (default: {','.join(ONLINE_LEARNING_DEMOS)})",
    )
    sub.add_argument(
        "--populations",
        type=choice_list(POPULATIONS, "populations"),
        default=["window"],
        help="learn-product's learning populations to compare, comma-separated: "
        "window,pairs,array (default: window)",
    )
    sub.add_argument("--seed", type=seed_arg, default=0, help="random seed (default: 0)")
    sub.add_argument(
        "--duration", type=positive_float, default=None,
        help="simulated seconds per run (default: each demo's, 100)",
    )
    sub.add_argument(
        "--plot-dir", default=None, help="save each run's plot in this directory"
    )
    sub.set_defaults(func=run, backend=None)
