"""``nengo-lmu bench nir``: an exported spiking memory run in Norse, against nengo.

An order-6 spiking `.LegendreMemory` (theta 1 s, `.NIRLIF` neurons:
``nengo.LIF(tau_ref=0, min_voltage=-np.inf)`` with decoders for their
whole-step rates) is run on nengo on 1 Hz white noise beside
the ideal memory, exported with `nengo_lmu.nir.save_nir`, and run on the
same input in Norse by `nengo_lmu.benchmarks.nir_norse` in the consumer
environment (``make nir-check`` creates it: torch and TensorFlow cannot
share a process). Printed: the decoded state's NRMSE of the Norse run
against nengo's run of the same network, and each run's state NRMSE
against the ideal memory (see `nengo_lmu.benchmarks.memories`), both after
the same ``Lowpass(0.1)`` filter, skipping the first ``theta``.
"""

import pathlib
import subprocess
import tempfile

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks.memories import memory_errors
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.nir import NIRLIF, save_nir
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import add_common, positive_float, print_metrics, quiet_stdout

ORDER, THETA, DT, PROBE_TAU = 6, 1.0, 0.001, 0.1
CONSUMER_SCRIPT = pathlib.Path(__file__).with_name("nir_norse.py")
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


def run_consumer(python, graph_path, inputs):
    """Run ``graph_path`` in Norse with ``python`` (the consumer environment)."""
    if not pathlib.Path(python).exists():
        raise ValidationError(
            f"No consumer environment at {python}: 'make nir-check' creates it",
            "consumer_python",
        )
    with tempfile.TemporaryDirectory() as folder:
        in_path, out_path = pathlib.Path(folder, "input.npy"), pathlib.Path(folder, "output.npy")
        np.save(in_path, inputs)
        # -P: the script's folder holds this module, nir.py, which would hide the nir package
        command = [str(python), "-P", str(CONSUMER_SCRIPT), str(graph_path), str(in_path),
                   str(out_path)]
        try:
            subprocess.run(command, check=True)
        except subprocess.CalledProcessError as error:  # its traceback is on stderr
            raise OSError(
                f"The consumer run failed (exit status {error.returncode}): "
                f"{' '.join(command)}"
            ) from error
        return np.load(out_path)


def run_nir_bench(args):
    model, memory, probes = build_model(args.n_neurons, args.duration, args.seed)
    with quiet_stdout():
        with Simulator(model, backend=args.backend, dt=DT, progress_bar=False) as sim:
            sim.run(args.duration)
    path = pathlib.Path(args.nir_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_nir(path, memory, dt=DT)
    norse = run_consumer(args.consumer_python, path, sim.data[probes["input"]])

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
        "nir_file": str(path),
    }
    print_metrics(metrics)
    return metrics


def register(benches):
    """Add ``nir`` to the ``nengo-lmu bench`` subcommands."""
    bench = benches.add_parser(
        "nir",
        help="an exported spiking memory run in Norse (the consumer environment of "
        "'make nir-check'): its state against nengo's and the ideal memory's",
    )
    add_common(bench)
    bench.add_argument("--duration", type=positive_float, default=20.0,
                       help="simulated seconds (default: 20)")
    bench.add_argument("--n-neurons", type=int, default=100,
                       help="neurons per state dimension (default: 100)")
    bench.add_argument("--consumer-python", default=".venv-nir/bin/python",
                       help="Python of the consumer environment (default: .venv-nir/bin/python)")
    bench.add_argument("--nir-file", default="plots/nir/memory.nir",
                       help="where the exported graph is written (default: plots/nir/memory.nir)")
    bench.set_defaults(func=run_nir_bench)
