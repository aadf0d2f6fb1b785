"""Benchmarks of the neural Legendre memory: accuracy per neuron, and cost.

Every accuracy figure compares a neural memory's decoded state with the ideal
memory's state on the same input in the same run. Both are filtered by the
same ``Lowpass(probe_tau)`` (a spiking estimate must be filtered to be read),
the neural one is shifted back by its one step of synaptic lag, and the first
window is skipped. Two figures per memory:

- ``state_nrmse``: RMS error over all state dimensions / RMS of the state;
- ``delay_nrmse``: the same for the readout of the input ``theta`` ago.
"""

import time

import nengo
import numpy as np

from nengo_lmu.legendre import discretize, legendre_ab, legendre_readout
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.principle3 import discrete_principle3
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import quiet_stdout


def build_hand_built_memory(order, theta, n_neurons, tau=0.1, dt=0.001):
    """The hand-built recipe of nengo-loihi's LMU example, in the current network.

    An ``EnsembleArray`` of ``n_neurons`` SpikingRectifiedLinear neurons per
    dimension with nengo-loihi's default tuning (max rates U(100, 120),
    intercepts U(-1, 0.5)), the raw state at radius 1, nengo's default
    decoders, and discrete principle 3 on ``Lowpass(tau)``.

    Returns ``(input, output)``: Nodes for the signal and the decoded state.
    """
    Ad, Bd = discretize(*legendre_ab(order, theta), dt)
    A, B = discrete_principle3(Ad, Bd, tau, dt)
    array = nengo.networks.EnsembleArray(
        n_neurons,
        order,
        neuron_type=nengo.SpikingRectifiedLinear(),
        max_rates=nengo.dists.Uniform(100, 120),
        intercepts=nengo.dists.Uniform(-1, 0.5),
        label="hand-built memory",
    )
    nengo.Connection(array.output, array.input, transform=A, synapse=tau)
    inp = nengo.Node(size_in=1, label="hand-built input")
    nengo.Connection(inp, array.input, transform=B, synapse=tau)
    return inp, array.output


def memory_errors(decoded, ideal, order, dt, theta, probe_tau):
    """``state_nrmse`` and ``delay_nrmse`` of a decoded state (see module doc)."""
    probe_filter = nengo.Lowpass(probe_tau)
    decoded = probe_filter.filt(decoded, dt=dt, y0=0)[1:]
    ideal = probe_filter.filt(ideal, dt=dt, y0=0)[:-1]
    skip = int(round(theta / dt))
    decoded, ideal = decoded[skip:], ideal[skip:]
    readout = legendre_readout(order, 1.0)
    return {
        "state_nrmse": float(nrmse(decoded, ideal)),
        "delay_nrmse": float(nrmse(decoded @ readout, ideal @ readout)),
    }


def compare_memories(
    variants,
    order=6,
    theta=1.0,
    freq=1.0,
    rms=0.3,
    duration=50.0,
    seed=0,
    probe_tau=0.1,
    dt=0.001,
    backend=None,
    progress_bar=False,
):
    """Run several memories side by side on one white-noise input.

    Parameters
    ----------
    variants : dict
        Name -> ``make(stim_process) -> (input, output)``, called inside the
        model; ``input`` takes the 1-D signal, ``output`` gives the state.

    Returns
    -------
    dict
        Name -> errors (see `.memory_errors`), plus ``seconds`` for the run.
    """
    process = nengo.processes.WhiteSignal(duration, high=freq, rms=rms, y0=0, seed=seed)
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(process)
        ideal = LegendreMemory(order, theta, dt=dt, label="ideal")
        nengo.Connection(stim, ideal.input, synapse=None)
        p_ideal = nengo.Probe(ideal.output, synapse=None)
        probes = {}
        for name, make in variants.items():
            inp, out = make(process)
            nengo.Connection(stim, inp, synapse=None)
            probes[name] = nengo.Probe(out, synapse=None)

    start = time.perf_counter()
    with quiet_stdout():
        with Simulator(model, backend=backend, dt=dt, progress_bar=progress_bar) as sim:
            sim.run(duration)
    results = {
        name: memory_errors(sim.data[p], sim.data[p_ideal], order, dt, theta, probe_tau)
        for name, p in probes.items()
    }
    results["seconds"] = time.perf_counter() - start
    return results


def memory_variant(order, theta, n_neurons, **kwargs):
    """A variant for `.compare_memories`: a neural `.LegendreMemory`.

    ``input_process=True`` passes the benchmark's own input process.
    """
    def make(process):
        options = dict(kwargs)
        if options.get("input_process") is True:
            options["input_process"] = process
        memory = LegendreMemory(order, theta, n_neurons=n_neurons, **options)
        return memory.input, memory.output

    return make


def hand_built_variant(order, theta, n_neurons):
    """A variant for `.compare_memories`: the hand-built recipe."""
    return lambda process: build_hand_built_memory(order, theta, n_neurons)


def fit_loglog_slope(x, y):
    """Slope of the least-squares line through ``(log x, log y)``."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def time_simulations(make_models, chunk, repeats, dt=0.001, backend=None):
    """Median wall-clock seconds per ``chunk`` simulated seconds, for each model.

    The models are built once, then run in turn, ``chunk`` seconds at a time,
    ``repeats`` times: slow drifts in the machine's speed hit all alike, and
    the median ignores the runs that something else interrupted.
    """
    sims = [Simulator(make(), backend=backend, dt=dt, progress_bar=False) for make in make_models]
    try:
        for sim in sims:
            sim.run_steps(10)  # warm up
        times = [[] for _ in sims]
        for _ in range(repeats):
            for sim, seconds in zip(sims, times):
                start = time.perf_counter()
                sim.run(chunk)
                seconds.append(time.perf_counter() - start)
        return [float(np.median(seconds)) for seconds in times]
    finally:
        for sim in sims:
            sim.close()
