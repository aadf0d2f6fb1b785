"""``nengo-lmu bench loihi-mapping``: a Loihi-ready memory and a learning readout on Loihi.

Two parts:

- ``mapping``: for the memory and for an online-learning network (a
  `.LearnedReadout` of the memory), cores used, neurons per core, synapse
  memory per core, and the weights' quantization loss (RMS rounding error of
  the chip's integer weights over the RMS of the float weights), from
  `nengo_lmu.loihi.mapping.loihi_mapping`;
- ``accuracy``: the memory's state NRMSE (see `nengo_lmu.benchmarks.memories`)
  on nengo, on nengo-loihi's emulator (``loihi-sim``) and on the emulator
  without discretization (``target="simreal"``, float weights), from one run
  each of the same network with the same seed: their ratio is the issue's
  criterion (within 2x of nengo), their difference the cost of quantization.
"""

import contextlib
import sys
import time
import warnings

import nengo

from nengo_lmu.backends import import_backend_module
from nengo_lmu.benchmarks.memories import memory_errors
from nengo_lmu.loihi.mapping import loihi_mapping
from nengo_lmu.networks import LearnedReadout, LegendreMemory
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import (
    add_common, choice_list, format_table, positive_float, positive_int, print_metrics,
)

PARTS = {"mapping", "accuracy"}


def build_memory_model(order, theta, n_neurons, duration, seed, learning=False):
    """A Loihi-ready memory (and optionally a learning readout) on white noise.

    Returns ``(model, probes)`` with probes ``state`` and ``ideal`` (the
    ideal memory's state, computed by Nodes on the host).
    """

    process = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0, seed=seed)
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(process, label="input")
        ideal = LegendreMemory(order, theta, label="ideal")
        memory = LegendreMemory(order, theta, n_neurons=n_neurons, loihi=True, label="memory")
        nengo.Connection(stim, ideal.input, synapse=None)
        nengo.Connection(stim, memory.input, synapse=None)
        probes = {
            "state": nengo.Probe(memory.output, synapse=None),
            "ideal": nengo.Probe(ideal.output, synapse=None),
        }
        if learning:
            readout = LearnedReadout(memory, n_neurons=100 * order, label="learned readout")
            target = ideal.add_delays([theta / 2])
            readout.learn_from(target)
            probes["readout"] = nengo.Probe(readout.output, synapse=0.01)
    return model, probes


def mapping_rows(args):
    rows = []
    for name, learning in (("memory", False), ("memory + learned readout", True)):
        model, _ = build_memory_model(
            args.order, args.theta, args.neurons, 1.0, args.seed, learning=learning
        )
        figures = loihi_mapping(model, seed=args.seed)
        figures["simulator"].close()
        per_core = figures["neurons_per_core"]
        rows.append(
            [
                name,
                figures["cores"],
                figures["neurons"],
                f"{per_core.min()}-{per_core.max()} (mean {per_core.mean():.0f})",
                f"{100 * figures['synapse_bits_per_core'].max():.1f}%",
                figures["weights"],
                f"{100 * figures['weight_rel_rms']:.2f}%",
                f"{100 * figures['worst_synapse_rel_rms']:.1f}%",
                figures["learned_synapses"],
            ]
        )
    return rows


def run_accuracy(args, out=None):
    """State NRMSE of the Loihi-ready memory on nengo, loihi-sim and the float emulator."""

    nengo_loihi = import_backend_module("nengo_loihi")
    model, probes = build_memory_model(
        args.order, args.theta, args.neurons, args.duration, args.seed
    )
    makers = {
        "nengo": lambda: Simulator(model, backend="nengo", seed=args.seed, progress_bar=True),
        "loihi_sim": lambda: Simulator(
            model, backend="loihi-sim", seed=args.seed, progress_bar=True
        ),
        "loihi_float": lambda: nengo_loihi.Simulator(
            model, target="simreal", seed=args.seed, progress_bar=True
        ),
    }
    results = {}
    for name, make in makers.items():
        start = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with make() as sim:
                sim.run(args.duration)
        errors = memory_errors(
            sim.data[probes["state"]], sim.data[probes["ideal"]], args.order, 0.001,
            args.theta, 0.1,
        )
        results[f"{name}_state_nrmse"] = errors["state_nrmse"]
        results[f"{name}_delay_nrmse"] = errors["delay_nrmse"]
        results[f"{name}_seconds"] = time.perf_counter() - start
    results["loihi_sim_over_nengo"] = (
        results["loihi_sim_state_nrmse"] / results["nengo_state_nrmse"]
    )
    results["quantization_state_nrmse_increase"] = (
        results["loihi_sim_state_nrmse"] - results["loihi_float_state_nrmse"]
    )
    return results


def run(args):
    unknown = set(args.parts) - PARTS
    if unknown:
        from nengo.exceptions import ValidationError  # pylint: disable=import-outside-toplevel

        raise ValidationError(
            f"Unknown parts {sorted(unknown)}; choose from {sorted(PARTS)}", "parts"
        )

    print(
        f"Loihi-ready LegendreMemory: order {args.order}, theta {args.theta} s, "
        f"{args.neurons} SpikingRectifiedLinear neurons per dimension, seed {args.seed}"
    )
    if "mapping" in args.parts:
        header = [
            "network", "cores", "neurons", "neurons/core", "max synapse mem/core",
            "weights", "weight rel RMS err", "worst synapse", "learned synapses",
        ]
        print(format_table(header, mapping_rows(args)))
    if "accuracy" in args.parts:
        print(f"duration={args.duration:g}")
        print_metrics(run_accuracy(args))


def register(benches):
    """Add ``loihi-mapping`` to the ``nengo-lmu bench`` subcommands."""

    sub = benches.add_parser(
        "loihi-mapping",
        help="a Loihi-ready memory and a learning readout on loihi-sim: cores, "
        "neurons per core, weight quantization, state error vs nengo",
    )
    add_common(sub)
    sub.add_argument(
        "--parts", type=choice_list(sorted(PARTS), "parts"), default=sorted(PARTS),
        help="comma-separated: mapping,accuracy (default: both)",
    )
    sub.add_argument("--order", type=positive_int, default=6, help="memory order (default: 6)")
    sub.add_argument(
        "--theta", type=positive_float, default=1.0,
        help="window in seconds (default: 1)",
    )
    sub.add_argument(
        "--neurons", type=positive_int, default=100, help="neurons per dimension (default: 100)"
    )
    sub.add_argument(
        "--duration", type=positive_float, default=10.0,
        help="simulated seconds of each accuracy run (default: 10)",
    )
    sub.set_defaults(func=run)
