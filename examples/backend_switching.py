"""One model, several backends: switching is one word, ``backend=``.

The model is built once: white noise (1 Hz, RMS 0.3) into a spiking
``LegendreMemory`` (order 6, a 1 s window, 100 spiking rectified-linear
neurons per dimension), whose readout of the input 0.5 s ago drives a
downstream population of 200 LIF neurons. The same network object then runs
on each backend through ``nengo_lmu.Simulator(model, backend=...)``; for each
the script prints the delay error (NRMSE of the population's decoded output
against the exactly delayed input, filtered alike, after the first window),
the simulation speed (simulated seconds per wall second, build not counted;
NengoDL's includes tracing its TensorFlow graph on the first run, which
``nengo-lmu bench backends`` leaves out) and the build time, and plots every
backend's output on one figure. A backend that cannot run the model gets a
``status=failed: ...`` line saying why.

Run ``python examples/backend_switching.py --help`` for the options.
"""

import argparse
import pathlib
import contextlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

import nengo_lmu  # noqa: E402
from nengo_lmu.benchmarks.backends import first_line, import_backend  # noqa: E402
from nengo_lmu.metrics import delayed, nrmse  # noqa: E402
from nengo_lmu.networks import LegendreMemory  # noqa: E402

ORDER, THETA, DELAY, DT = 6, 1.0, 0.5, 0.001
SYNAPSE, PROBE_SYNAPSE = nengo.Lowpass(0.05), nengo.Lowpass(0.05)


def build_model(duration, seed):
    """The model: input, spiking memory, delay readout, downstream population."""
    process = nengo.processes.WhiteSignal(
        max(duration, 2.0), high=1.0, rms=0.3, y0=0, seed=seed
    )
    with nengo.Network(label="backend switching", seed=seed) as model:
        stim = nengo.Node(process, label="input")
        memory = LegendreMemory(ORDER, THETA, n_neurons=100, dt=DT)
        nengo.Connection(stim, memory.input, synapse=None)
        delay = memory.add_delays([DELAY])  # decoded spikes, unfiltered
        population = nengo.Ensemble(200, 1, neuron_type=nengo.LIF(), label="downstream")
        nengo.Connection(delay, population, synapse=SYNAPSE)
        model.p_input = nengo.Probe(stim, synapse=None)
        model.p_output = nengo.Probe(population, synapse=PROBE_SYNAPSE)
    return model


def run_on(model, backend, duration):
    """Build and run ``model`` on ``backend``; return its output and timings."""
    import_backend(backend)  # importing TensorFlow is not building
    # the backends print build messages on stdout, which carries the results
    with contextlib.redirect_stdout(sys.stderr):
        start = time.perf_counter()
        sim = nengo_lmu.Simulator(model, backend=backend, dt=DT, progress_bar=False)
        build = time.perf_counter() - start
        with sim:
            start = time.perf_counter()
            sim.run(duration)
            wall = time.perf_counter() - start
            t, u, y = sim.trange(), sim.data[model.p_input][:, 0], sim.data[model.p_output][:, 0]
    # the target goes through the same filters as the output: the connection's
    # synapse into the population and the probe's (a column: nengo 4.1's filt
    # fails on a 1-D signal with numpy >= 2.4)
    target = PROBE_SYNAPSE.filt(SYNAPSE.filt(delayed(u[:, None], int(round(DELAY / DT))), dt=DT,
                                             y0=0), dt=DT, y0=0)[:, 0]
    scored = t > THETA
    return dict(t=t, target=target, output=y, build=build, speed=duration / wall,
                nrmse=float(nrmse(y[scored], target[scored])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", default=None,
        help=f"one of {', '.join(nengo_lmu.BACKENDS)} (default: nengo, then dl)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="plots/backend_switching.png")
    parser.add_argument("--fast", action="store_true", help="a short run, for tests")
    args = parser.parse_args(argv)
    nengo.rc.set("decoder_cache", "enabled", "False")  # a stale cache must not break this

    backends = ["nengo", "dl"] if args.backend is None else [args.backend]
    for backend in backends:
        nengo_lmu.backends.resolve_backend(backend)  # a typo fails before any build
    duration = 2.0 if args.fast else 10.0
    model = build_model(duration, args.seed)  # built once, run on every backend

    results = {}
    for backend in backends:
        print(f"backend={backend}")
        try:
            results[backend] = result = run_on(model, backend, duration)
        except Exception as error:  # pylint: disable=broad-except
            # e.g. loihi-sim, until the neural memory maps onto the chip
            print(f"status=failed: {first_line(error)}")
            continue
        print("status=ok")
        print(f"nrmse={result['nrmse']:.4f}")
        print(f"speed={result['speed']:.3g}")
        print(f"build_seconds={result['build']:.2f}")

    fig, ax = plt.subplots(figsize=(10, 4))
    for result in list(results.values())[:1]:
        ax.plot(result["t"], result["target"], "k", lw=3, alpha=0.3,
                label=f"input {DELAY:g} s ago")
    for i, (backend, result) in enumerate(results.items()):
        # dashed over solid: where the backends agree, both stay visible
        ax.plot(result["t"], result["output"], lw=1, ls=("-", "--", ":")[i % 3],
                label=f"{backend} (NRMSE {result['nrmse']:.3f}, {result['speed']:.2g} sim s/s)")
    ax.axvline(THETA, color="0.5", ls=":", lw=1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("decoded output")
    ax.set_title("One spiking LMU model on each backend")
    ax.legend(fontsize="small", loc="upper right")
    fig.tight_layout()
    pathlib.Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot)
    print(f"plot={args.plot}")


if __name__ == "__main__":
    main()
