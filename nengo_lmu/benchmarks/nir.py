"""``nengo-lmu bench nir``: an exported spiking network run in Norse, against nengo.

``--network memory`` (the default): an order-6 spiking `.LegendreMemory`
(theta 1 s, `.NIRLIF` neurons: ``nengo.LIF(tau_ref=0, min_voltage=-np.inf)``
with decoders for their whole-step rates) is run on nengo on 1 Hz white
noise beside the ideal memory, exported with `nengo_lmu.convert.nir.save_nir`, and
run on the same input in Norse by `nengo_lmu.benchmarks.nir_norse` in the
consumer environment (``make nir-check`` creates it: torch and TensorFlow
cannot share a process). Printed: the decoded state's NRMSE of the Norse
run against nengo's run of the same network, and each run's state NRMSE
against the ideal memory (see `nengo_lmu.benchmarks.memories`), both after
the same ``Lowpass(0.1)`` filter, skipping the first ``theta``. The two
runs are aligned where nengo and NIR's consumers differ by definition
(``--unaligned`` leaves them): nengo's neurons start at rest
(``v = v_leak``, where Norse starts them; nengo's default is random), and
Norse gets the input one step later (nengo's ``Lowpass`` delays its input
by one step, NIR's synapse does not; in a loop both read the previous
step).

``--network deployed-cell``: the psdigits `.LMUCell` (the recipe, trained
for ``--epochs`` or loaded from ``--model``), deployed for spikes by
`nengo_lmu.training.deployment.deploy`, exported, and run on the first
``--sequences`` test sequences (each from the initial state): on nengo
with nengo's neurons (the deployed network), on nengo with NIR's ``IF``
(`.NIRIF`: reset to 0, current not rectified), on nengo with ``IF`` whose
current is rectified, and in Norse (`nengo_lmu.benchmarks.nir_cell`).
Printed: the four accuracies and how often Norse gives nengo-with-``IF``'s
class.
"""

import sys

import nengo
import numpy as np

from nengo_lmu.benchmarks.memories import memory_errors
from nengo_lmu.benchmarks.nir_cell import run_cell_bench
from nengo_lmu.benchmarks.nir_consumer import graph_path, run_consumer
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.convert.nir import NIRLIF, nir_package, save_nir
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import (
    add_common,
    positive_float,
    positive_int,
    print_metrics,
    quiet_stdout,
)

ORDER, THETA, DT, PROBE_TAU = 6, 1.0, 0.001, 0.1
#: the issue's targets: Norse against nengo, and Norse's error over nengo's
TARGET_NRMSE, TARGET_RATIO = 0.05, 1.5


def build_model(n_neurons, duration, seed):
    """The exported memory and the ideal one on white noise; ``(model, memory, probes)``."""
    process = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0, seed=seed)
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(process, label="input")
        # a seed of its own: exported alone, it has the same neurons as here
        memory = LegendreMemory(
            ORDER, THETA, n_neurons=n_neurons, neuron_type=NIRLIF(dt=DT),
            dt=DT, seed=seed + 1, label="memory",
        )
        ideal = LegendreMemory(ORDER, THETA, dt=DT, label="ideal")
        nengo.Connection(stim, memory.input, synapse=None)
        nengo.Connection(stim, ideal.input, synapse=None)
        probes = {
            "input": nengo.Probe(stim, synapse=None),
            "state": nengo.Probe(memory.output, synapse=None),
            "ideal": nengo.Probe(ideal.output, synapse=None),
        }
    return model, memory, probes


def start_at_rest(model, memory, dt=DT):
    """Start each of ``memory``'s neurons at ``v = v_leak`` (its bias), where Norse starts it."""
    built = nengo.builder.Model(dt=dt)
    built.build(model)
    for ens in memory.all_ensembles:
        bias = np.array(built.params[ens].bias, dtype=float)
        ens.neuron_type = NIRLIF(dt=dt, initial_state={"voltage": bias})


def run_nir_bench(args):
    graph_path(args)  # before the run
    try:
        nir_package()
    except ImportError as error:
        sys.exit(f"nengo-lmu: error: {error}")
    if args.network == "deployed-cell":
        return run_cell_bench(args)
    model, memory, probes = build_model(args.n_neurons, args.duration, args.seed)
    if not args.unaligned:
        start_at_rest(model, memory)
    with quiet_stdout():
        with Simulator(model, backend=args.backend, dt=DT, progress_bar=False) as sim:
            sim.run(args.duration)
    path = graph_path(args)
    save_nir(path, memory, dt=DT)
    inputs = sim.data[probes["input"]]
    if not args.unaligned:  # nengo's input synapse delays by one step
        inputs = np.concatenate([np.zeros_like(inputs[:1]), inputs[:-1]])
    norse = run_consumer(args.consumer_python, path, inputs)

    nengo_state, ideal = sim.data[probes["state"]], sim.data[probes["ideal"]]
    nengo_errors = memory_errors(nengo_state, ideal, ORDER, DT, THETA, PROBE_TAU)
    norse_errors = memory_errors(norse, ideal, ORDER, DT, THETA, PROBE_TAU)
    smooth = nengo.Lowpass(PROBE_TAU)
    skip = int(round(THETA / DT))
    versus = nrmse(smooth.filt(norse, dt=DT, y0=0)[skip:],
                   smooth.filt(nengo_state, dt=DT, y0=0)[skip:])
    ratio = norse_errors["state_nrmse"] / nengo_errors["state_nrmse"]
    metrics = {
        "neurons": ORDER * args.n_neurons,
        "duration": float(args.duration),
        "norse_vs_nengo_nrmse": float(versus),
        "nengo_state_nrmse": nengo_errors["state_nrmse"],
        "norse_state_nrmse": norse_errors["state_nrmse"],
        "norse_over_nengo": float(ratio),
        "target_norse_vs_nengo_met": "yes" if versus <= TARGET_NRMSE else "no",
        "target_ratio_met": "yes" if ratio <= TARGET_RATIO else "no",
        "aligned": "no" if args.unaligned else "yes",
        "nir_file": str(path),
    }
    print_metrics(metrics)
    return metrics


def register(benches):
    """Add ``nir`` to the ``nengo-lmu bench`` subcommands."""
    bench = benches.add_parser(
        "nir",
        help="an exported spiking memory (or deployed psdigits cell) run in Norse (the "
        "consumer environment of 'make nir-check'), against nengo",
    )
    add_common(bench)
    bench.add_argument("--network", choices=("memory", "deployed-cell"), default="memory",
                       help="what is exported (default: memory)")
    bench.add_argument("--unaligned", action="store_true",
                       help="memory: start nengo's neurons at its random voltages and feed "
                       "Norse the input without nengo's one-step synapse delay")
    bench.add_argument("--epochs", type=positive_int, default=3,
                       help="deployed-cell: training epochs of the psdigits recipe (default: 3)")
    bench.add_argument("--model", default=None,
                       help="deployed-cell: a trained model to load ('nengo-lmu train "
                       "psdigits --save FILE') instead of training one")
    bench.add_argument("--sequences", type=positive_int, default=100,
                       help="deployed-cell: test sequences run (default: 100)")
    bench.add_argument("--duration", type=positive_float, default=20.0,
                       help="simulated seconds (default: 20)")
    bench.add_argument("--n-neurons", type=int, default=100,
                       help="neurons per state dimension (default: 100)")
    bench.add_argument("--consumer-python", default=".venv-nir/bin/python",
                       help="Python of the consumer environment (default: .venv-nir/bin/python)")
    bench.add_argument("--nir-file", default=None,
                       help="where the exported graph is written (default: "
                       "plots/nir/memory.nir or plots/nir/deployed-cell.nir)")
    bench.set_defaults(func=run_nir_bench)
