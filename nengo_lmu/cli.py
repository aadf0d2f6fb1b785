"""The ``nengo-lmu`` command line: ``demo NAME``, ``train DATASET``, ``bench NAME``.

This module only builds the parser and dispatches: the demos are the table
`nengo_lmu.demos.DEMOS`, the benchmarks `nengo_lmu.benchmarks.BENCHMARKS`
(each registers its own subcommand), ``train`` is `nengo_lmu.training.command`.
Nothing imports this module.
"""

import argparse
import sys

import nengo
from nengo.exceptions import BuildError, NengoException, ValidationError

from nengo_lmu.backends import import_backend_module, resolve_backend
from nengo_lmu.benchmarks import BENCHMARKS
from nengo_lmu.convert import command as convert_command
from nengo_lmu.demos import DEMOS, POPULATIONS, run_demo
from nengo_lmu.exceptions import DemoInterrupted, MissingExtraError
from nengo_lmu.gui import command as gui_command
from nengo_lmu.training import command as train_command
from nengo_lmu.utils.commands import (
    add_common, check_output_path, positive_float, print_metrics,
)
from nengo_lmu.utils.signals import exit_code, interrupted_message, stop_signals


# command -> the optional module it cannot start without (the rest say so where used)
COMMAND_NEEDS = {
    "train": "nengo_dl",
    "bench convolution": "tensorflow",
    "bench mackey-glass": "nengo_dl",
    "bench training": "nengo_dl",
    "bench throughput": "nengo_dl",
    "bench loihi-mapping": "nengo_loihi",
    "bench loihi-deployment": "nengo_loihi",
    "bench keras-lmu-convert": "nengo_dl",
    # a saved Keras model needs TensorFlow to load (keras-lmu is checked next)
    "convert": "tensorflow",
}


def cmd_demo(args):
    check_output_path(args.plot, "--plot")
    try:
        metrics = run_demo(
            args.name, seed=args.seed, backend=args.backend, plot=args.plot,
            duration=args.duration, population=args.population,
        )
    except DemoInterrupted as interrupted:
        # Ctrl-C: what the part run scored, labelled as such; main exits 130
        print_demo(args, interrupted.metrics, interrupted)
        raise
    print_demo(args, metrics)


def print_demo(args, metrics, interrupted=None):
    """Print a demo's results; for one cut short, say so and how far it got."""
    print(f"demo={args.name}")
    print(f"backend={args.backend}")
    print(f"seed={args.seed}")
    if interrupted is not None:
        print("partial=true")
        print(f"simulated_seconds={interrupted.simulated_seconds:g}")
        print(f"duration={interrupted.duration:g}")
    print_metrics(metrics)
    plot = args.plot if interrupted is None else interrupted.plot
    if plot:
        print(f"Saved plot to {plot}", file=sys.stderr)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="nengo-lmu", description="Legendre Memory Units in Nengo."
    )
    parser.add_argument(
        "--debug", action="store_true",
        help="on an error, show the traceback instead of a one-line message",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="run a demo: learn-delay (the main one: a spiking readout of an LMU "
        "learns a 0.5 s delay online with PES), learn-product (it learns "
        "u(t) * u(t - 0.5) online), mackey-glass (online prediction 15 samples "
        "ahead) or ideal-delay",
    )
    default_demo = next(iter(DEMOS))
    demo.add_argument(
        "name", nargs="?", default=default_demo, choices=tuple(DEMOS),
        help=f"which demo (default: {default_demo})",
    )
    add_common(demo)
    demo.add_argument("--plot", default=None, help="save the plot to this path")
    demo.add_argument(
        "--duration", type=positive_float, default=None,
        help="simulated seconds (default: 100 for learn-delay, learn-product and "
        "mackey-glass, 10 for ideal-delay)",
    )
    demo.add_argument(
        "--population", default=None, choices=POPULATIONS,
        help="learn-product only: what the learning population represents "
        "(default: window; see LearnedReadout)",
    )
    demo.set_defaults(func=cmd_demo)

    train_command.register(commands)
    gui_command.register(commands)
    convert_command.register(commands)

    bench = commands.add_parser("bench", help="benchmarks that print their figures")
    benches = bench.add_subparsers(dest="bench", required=True)
    for module in BENCHMARKS.values():
        module.register(benches)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    # decoders cached by a process with another numpy cannot be read back;
    # a command should never die on that, and the cache saves it little
    nengo.rc.set("decoder_cache", "enabled", "False")
    try:
        args.backend = resolve_backend(args.backend)
        command = " ".join(filter(None, (args.command, getattr(args, "bench", None))))
        with stop_signals():  # SIGTERM, SIGHUP: as Ctrl-C
            if command in COMMAND_NEEDS:  # before any work, not after a data set loads
                import_backend_module(COMMAND_NEEDS[command], f"{parser.prog} {command}")
            args.func(args)
    except KeyboardInterrupt as error:  # Ctrl-C: a demo says how far it got
        if args.debug:
            raise
        parser.exit(exit_code(error), f"{parser.prog}: {interrupted_message(error)}\n")
    except MissingExtraError as error:  # its message says what to install
        if args.debug:
            raise
        parser.exit(1, f"{parser.prog}: error: {one_line(error)}\n")
    except ValidationError as error:  # bad input: argparse's exit code
        if args.debug:
            raise
        parser.exit(2, f"{parser.prog}: error: {one_line(error)}\n")
    except (BuildError, NengoException, OSError) as error:  # a backend or file failed
        if args.debug:
            raise
        parser.exit(
            1, f"{parser.prog}: error: {type(error).__name__}: {one_line(error)} "
            "(run with --debug for the traceback)\n",
        )
    return 0


def one_line(error):
    """The message of ``error`` on one line."""
    return " ".join(str(error).split())


if __name__ == "__main__":
    sys.exit(main())
