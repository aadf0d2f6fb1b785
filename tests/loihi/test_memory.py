"""The Loihi-ready build of LegendreMemory (``loihi=True``): what it refuses, how well it runs."""

import nengo
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu.benchmarks.memories import memory_errors
from nengo_lmu.loihi import chip_ensembles, preflight
from nengo_lmu.networks import LearnedReadout, LegendreMemory


def loihi_memory(**kwargs):
    kwargs = {"loihi": True, "n_neurons": 50, **kwargs}
    return LegendreMemory(4, 0.5, **kwargs)


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(dt=0.002), "dt"),
        (dict(neuron_type=nengo.LIFRate()), "neuron_type"),
        (dict(intercepts=nengo.dists.Uniform(-1, 0.99)), "intercepts"),
        (dict(max_rates=nengo.dists.Uniform(100, 900)), "max_rates"),
        (dict(layout="single"), "layout"),
        (dict(n_neurons=51), "n_neurons"),
        (dict(loihi="yes"), "loihi"),
    ],
)
def test_loihi_memory_refuses_what_the_chip_cannot_do(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        loihi_memory(**kwargs)
    assert info.value.attr == attr


def test_loihi_memory_and_learned_readout_pass_preflight():
    with nengo.Network() as net:
        stim = nengo.Node(nengo.processes.WhiteSignal(1.0, high=1))
        memory = loihi_memory()
        nengo.Connection(stim, memory.input, synapse=None)
        readout = LearnedReadout(memory, n_neurons=200)
        readout.learn_from(stim)
    assert preflight(net) == []
    assert set(memory.state_ensembles + memory.input_ensembles) <= set(chip_ensembles(net))


def run_loihi_memory(Simulator, seed, duration, order=4, theta=0.5, n_neurons=100):
    """State errors of a Loihi-ready spiking memory against the ideal one on one input."""
    process = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0)
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(process)
        ideal = LegendreMemory(order, theta)
        memory = LegendreMemory(order, theta, n_neurons=n_neurons, loihi=True)
        nengo.Connection(stim, ideal.input, synapse=None)
        nengo.Connection(stim, memory.input, synapse=None)
        p_ideal = nengo.Probe(ideal.output, synapse=None)
        p_state = nengo.Probe(memory.output, synapse=None)
    with Simulator(model, progress_bar=False) as sim:
        sim.run(duration)
    errors = memory_errors(sim.data[p_state], sim.data[p_ideal], order, 0.001, theta, 0.1)
    return errors, sim.trange(), sim.data[p_state], sim.data[p_ideal]


# the memory of ``nengo-lmu bench loihi-mapping`` (order 6, theta 1 s): 3 s on each
# backend in the default suite (the emulator: about 5 s), 10 s with --slow
@pytest.mark.slow_on("dl")  # TensorFlow adds 20 s of building for no chip question
@pytest.mark.parametrize("duration", [3.0, pytest.param(10.0, marks=pytest.mark.slow)])
def test_loihi_memory_within_twice_nengo_error(Simulator, backend, seed, plt, duration):
    """The issue's criterion: on each backend, state NRMSE within 2x of nengo's.

    Errors are against the ideal memory, which on nengo is the reference
    (measured at 3 s, seeds 0-3: 0.06-0.15); elsewhere nengo's run of the same
    network is (loihi-sim: 0.5-1.1 times it at 3 s; 1.67 at 10 s in the bench).
    """
    errors, t, state, ideal = run_loihi_memory(
        Simulator, seed, duration=duration, order=6, theta=1.0
    )
    plt.plot(t, ideal, "k", lw=2, alpha=0.3)
    plt.plot(t, nengo.Lowpass(0.1).filt(state, dt=0.001))
    plt.title(f"{backend}: state NRMSE {errors['state_nrmse']:.3f}")
    assert errors["state_nrmse"] < 0.2  # it remembers the window
    if backend != "nengo":
        reference = run_loihi_memory(
            lambda model, **kw: nengo_lmu.Simulator(model, backend="nengo", **kw),
            seed,
            duration=duration,
            order=6,
            theta=1.0,
        )[0]
        assert errors["state_nrmse"] <= 2 * reference["state_nrmse"]
