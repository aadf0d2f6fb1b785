"""A spiking Legendre memory beside the hand-built recipe, same neurons, same input.

Both memories hold the last second of a 1 Hz white-noise signal in 600
spiking rectified-linear neurons (100 per Legendre dimension, order 6). The
hand-built one is the EnsembleArray recipe of nengo-loihi's LMU example; the
other is ``LegendreMemory(6, 1.0, n_neurons=100)`` with its defaults. The
script prints each one's error against the ideal memory and plots the input
delayed by the whole window, as each memory reads it out. Memories of more neurons,
in the same run, show how the error falls with the number of neurons.

Run ``python examples/spiking_memory.py --help`` for the options.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

import nengo_lmu  # noqa: E402
from nengo_lmu.benchmarks.memories import (  # noqa: E402
    build_hand_built_memory,
    fit_loglog_slope,
    memory_errors,
)
from nengo_lmu.networks import LegendreMemory  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default=None, help="nengo or dl (default: nengo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="spiking_memory.png")
    parser.add_argument("--fast", action="store_true", help="a short run, for tests")
    args = parser.parse_args(argv)

    order, theta, dt = 6, 1.0, 0.001
    duration = 5.0 if args.fast else 30.0
    sizes = (50, 100, 200) if args.fast else (50, 100, 200, 400, 800)  # neurons per dimension
    process = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0, seed=args.seed)
    with nengo.Network(seed=args.seed) as model:
        stim = nengo.Node(process)
        ideal = LegendreMemory(order, theta)
        ours = LegendreMemory(order, theta, n_neurons=100)  # spiking ReLU by default
        hand_in, hand_out = build_hand_built_memory(order, theta, n_neurons=100)
        for target in (ideal.input, ours.input, hand_in):
            nengo.Connection(stim, target, synapse=None)
        probes = {
            "ideal": nengo.Probe(ideal.output),
            "ours": nengo.Probe(ours.output),
            "hand_built": nengo.Probe(hand_out),
        }
        scaling_probes = {}
        for size in sizes:
            memory = LegendreMemory(order, theta, n_neurons=size, label=f"{size} per dim")
            nengo.Connection(stim, memory.input, synapse=None)
            scaling_probes[size] = nengo.Probe(memory.output)

    with nengo_lmu.Simulator(model, backend=args.backend, dt=dt) as sim:
        sim.run(duration)

    readout = nengo_lmu.legendre_readout(order, 1.0)
    filt = nengo.Lowpass(0.1)
    t = sim.trange()
    fig, (ax, ax_scaling) = plt.subplots(
        1, 2, figsize=(13, 4), gridspec_kw={"width_ratios": [2.5, 1]}
    )
    plt.sca(ax)
    plt.plot(t, filt.filt(sim.data[probes["ideal"]]) @ readout, "k", lw=3, alpha=0.3,
             label="ideal memory")
    for name in ("hand_built", "ours"):
        errors = memory_errors(sim.data[probes[name]], sim.data[probes["ideal"]], order, dt,
                               theta, probe_tau=0.1)
        for key, value in errors.items():
            print(f"{name}_{key}={value:.4f}")
        plt.plot(t, filt.filt(sim.data[probes[name]]) @ readout,
                 label=f"{name.replace('_', '-')} (delay NRMSE {errors['delay_nrmse']:.3f})")
    plt.xlabel("time (s)")
    plt.ylabel(f"u(t - {theta:g})")
    plt.title("The input one window ago, read from 600 spiking neurons")
    plt.legend(fontsize="small")

    state_errors = []
    for size, probe in scaling_probes.items():
        errors = memory_errors(sim.data[probe], sim.data[probes["ideal"]], order, dt, theta,
                               probe_tau=0.1)
        state_errors.append(errors["state_nrmse"])
        print(f"state_nrmse_{size * order}_neurons={errors['state_nrmse']:.4f}")
    neurons = np.array(sizes) * order
    slope = fit_loglog_slope(neurons, state_errors)
    print(f"loglog_slope={slope:.3f}")
    ax_scaling.loglog(neurons, state_errors, "o-", label=f"measured (slope {slope:.2f})")
    ax_scaling.loglog(neurons, state_errors[0] * np.sqrt(neurons[0] / neurons), "k--",
                      label="1 / sqrt(neurons)")
    ax_scaling.set_xlabel("neurons")
    ax_scaling.set_ylabel("state NRMSE")
    ax_scaling.set_title("Error vs neurons")
    ax_scaling.legend(fontsize="small")
    fig.tight_layout()
    plt.savefig(args.plot)
    print(f"plot={args.plot}")


if __name__ == "__main__":
    main()
