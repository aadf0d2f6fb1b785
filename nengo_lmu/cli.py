"""The ``nengo-lmu`` command line: ``demo`` and ``bench NAME``."""

import argparse
import sys

import nengo
from nengo.exceptions import ValidationError

from nengo_lmu import (
    backend_bench,
    keras_baseline,
    learning_bench,
    loihi_bench,
    training_bench,
)
from nengo_lmu.simulator import BACKENDS, resolve_backend
from nengo_lmu.tables import format_table


def print_metrics(metrics, file=None):
    """Print metrics as ``name=value`` lines, in order."""
    for name, value in metrics.items():
        print(f"{name}={value:.6g}" if isinstance(value, float) else f"{name}={value}", file=file)


DEMOS = ("learn-delay", "learn-product", "mackey-glass", "ideal-delay")


def cmd_demo(args):
    options = dict(seed=args.seed, backend=args.backend, plot=args.plot)
    if args.duration is not None:
        options["duration"] = args.duration
    if args.population is not None:
        if args.name != "learn-product":
            raise ValidationError("Only the learn-product demo takes --population", "population")
        options["population"] = args.population
    if args.name == "learn-product":
        from nengo_lmu.product_demo import run_product_learning_demo

        metrics = run_product_learning_demo(**options)
    elif args.name == "mackey-glass":
        from nengo_lmu.learning_demo import run_mackey_glass_demo

        metrics = run_mackey_glass_demo(**options)
    elif args.name == "learn-delay":
        from nengo_lmu.learning_demo import run_delay_learning_demo

        metrics = run_delay_learning_demo(**options)
    else:
        from nengo_lmu.demo import run_ideal_delay_demo

        metrics = run_ideal_delay_demo(**options)
    print(f"demo={args.name}")
    print(f"backend={args.backend}")
    print(f"seed={args.seed}")
    print_metrics(metrics)
    if args.plot:
        print(f"Saved plot to {args.plot}", file=sys.stderr)


def cmd_bench_capacity(args):
    from nengo_lmu.capacity import run_capacity

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


def cmd_bench_spiking_memory(args):
    from nengo_lmu import memory_bench_cli

    unknown = args.parts - memory_bench_cli.PARTS
    if unknown:
        raise ValidationError(
            f"Unknown parts {sorted(unknown)}; choose from {sorted(memory_bench_cli.PARTS)}",
            "parts",
        )
    memory_bench_cli.run(args)


def add_common(sub):
    """Give a subcommand the ``--backend`` and ``--seed`` options every command takes."""
    sub.add_argument(
        "--backend",
        default=None,
        help=f"one of {', '.join(BACKENDS)} (default: $NENGO_LMU_BACKEND or nengo)",
    )
    sub.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="nengo-lmu", description="Legendre Memory Units in Nengo."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="run a demo: learn-delay (the main one: a spiking readout of an LMU "
        "learns a 0.5 s delay online with PES), learn-product (it learns "
        "u(t) * u(t - 0.5) online), mackey-glass (online prediction 15 samples "
        "ahead) or ideal-delay",
    )
    demo.add_argument(
        "name", nargs="?", default="learn-delay", choices=DEMOS,
        help="which demo (default: learn-delay)",
    )
    add_common(demo)
    demo.add_argument("--plot", default=None, help="save the plot to this path")
    demo.add_argument(
        "--duration", type=float, default=None,
        help="simulated seconds (default: 100 for learn-delay, learn-product and "
        "mackey-glass, 10 for ideal-delay)",
    )
    demo.add_argument(
        "--population", default=None, choices=("window", "pairs", "array"),
        help="learn-product only: what the learning population represents "
        "(default: window; see LearnedReadout)",
    )
    demo.set_defaults(func=cmd_demo)

    from nengo_lmu import train_cli  # pylint: disable=import-outside-toplevel

    train_cli.register(commands)

    bench = commands.add_parser("bench", help="benchmarks that print their figures")
    benches = bench.add_subparsers(dest="bench", required=True)
    capacity = benches.add_parser(
        "capacity", help="the paper's memory capacity task (LMU-0)"
    )
    add_common(capacity)
    capacity.add_argument(
        "--steps",
        type=lambda s: [int(v) for v in s.split(",")],
        default=[100, 1000, 10000, 100000],
        help="comma-separated window lengths T in steps (default: 100,1000,10000,100000)",
    )
    capacity.add_argument("--order", type=int, default=100, help="memory order (default: 100)")
    capacity.add_argument(
        "--sequences", type=int, default=4, help="test sequences per T (default: 4)"
    )
    capacity.set_defaults(func=cmd_bench_capacity)

    spiking = benches.add_parser(
        "spiking-memory",
        help="the neural memory vs the hand-built recipe, error vs neurons, long runs, cost",
    )
    add_common(spiking)
    spiking.add_argument(
        "--parts",
        type=lambda s: set(s.split(",")),
        default={"comparison", "scaling", "long", "cost"},
        help="comma-separated: comparison,scaling,long,cost (default: all)",
    )
    spiking.add_argument("--duration", type=float, default=50.0,
                         help="simulated seconds per accuracy run (default: 50)")
    spiking.add_argument("--seeds", type=int, default=3,
                         help="seeds of the comparison (default: 3)")
    spiking.add_argument("--long-duration", type=float, default=100.0,
                         help="simulated seconds of the long run (default: 100)")
    spiking.add_argument("--cost-duration", type=float, default=1.0,
                         help="simulated seconds per timed run (default: 1)")
    spiking.add_argument("--cost-repeats", type=int, default=21,
                         help="alternating timed runs per model (default: 21)")
    spiking.add_argument("--plot-dir", default="plots", help="where plots go (default: plots)")
    spiking.set_defaults(func=cmd_bench_spiking_memory)
    keras_baseline.register(benches)
    backend_bench.register(benches)
    learning_bench.register(benches)
    loihi_bench.register(benches)
    training_bench.register(benches)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    # decoders cached by a process with another numpy cannot be read back;
    # a command should never die on that, and the cache saves it little
    nengo.rc.set("decoder_cache", "enabled", "False")
    try:
        args.backend = resolve_backend(args.backend)
        args.func(args)
    except ValidationError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
