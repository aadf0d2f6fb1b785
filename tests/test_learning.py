"""LearnedReadout: online PES learning of a readout of a Legendre memory."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.networks import LearnedReadout, LegendreMemory


def delay_task(seed, duration, delay=0.2, order=4, theta=0.5, dt=0.001, **readout_kwargs):
    """A model that learns to delay white noise; returns (model, readout, probes, target)."""
    n_steps = int(round(duration / dt))
    u = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0).run_steps(
        n_steps, dt=dt, rng=np.random.RandomState(seed)
    )
    target = delayed(u, int(round(delay / dt)))
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.PresentInput(u, presentation_time=dt))
        target_node = nengo.Node(nengo.processes.PresentInput(target, presentation_time=dt))
        memory = LegendreMemory(order, theta)
        nengo.Connection(stim, memory.input, synapse=None)
        readout = LearnedReadout(memory, n_neurons=400, **readout_kwargs)
        readout.learn_from(target_node)
        p_out = nengo.Probe(readout.output, synapse=0.01)
        p_weights = [nengo.Probe(c, "weights", sample_every=0.5) for c in readout.learned_connections]
    filtered = nengo.Lowpass(0.01).filt(nengo.Lowpass(0.01).filt(target, dt=dt), dt=dt)
    return model, readout, p_out, p_weights, filtered[:, 0]


@pytest.mark.slow_on("loihi-sim", "loihi")  # 30 s of learning: minutes on the emulator
def test_learns_a_delay(Simulator, seed, plt):
    model, readout, p_out, _, target = delay_task(seed, 30.0)
    with Simulator(model, progress_bar=False) as sim:
        sim.run(30.0)
    out = sim.data[p_out][:, 0]
    t = sim.trange()
    plt.plot(t, target, "k", lw=2, alpha=0.4)
    plt.plot(t, out)
    first, last = (t > 1) & (t < 6), t > 25
    # measured on nengo and dl: 0.26 in seconds 1-6, 0.06 after 25 s
    assert nrmse(out[last], target[last]) < 0.12
    assert nrmse(out[last], target[last]) < 0.5 * nrmse(out[first], target[first])


@pytest.mark.backends_lack(
    "loihi-sim",
    "loihi",
    reason="nengo-loihi cannot probe the weights of a learned connection (it splits "
    "the connection between host and chip: 'is not a part of the network')",
)
def test_learning_off_freezes_weights(Simulator, seed):
    model, readout, _, p_weights, _ = delay_task(seed, 4.0)
    with Simulator(model, progress_bar=False) as sim:
        sim.run(2.0)
        readout.learning = False
        sim.run(2.0)
    weights = np.array([sim.data[p] for p in p_weights])  # (ensembles, samples, ...)
    assert not np.allclose(weights[:, 0], weights[:, 3])  # it learned while on
    assert np.allclose(weights[:, 4], weights[:, -1])  # and not after


def test_neural_memory_input(seed):
    memory = LegendreMemory(4, 0.5, n_neurons=20, add_to_container=False)
    readout = LearnedReadout(memory, n_neurons=80, add_to_container=False)
    assert readout.input_synapse == nengo.Lowpass(0.01)
    ideal = LegendreMemory(4, 0.5, add_to_container=False)
    assert LearnedReadout(ideal, n_neurons=80, add_to_container=False).input_synapse is None


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(learning_rate=-1e-3), "learning_rate"),
        (dict(n_neurons=0), "n_neurons"),
        (dict(n_neurons=3), "n_neurons"),  # fewer than the state's 4 dimensions
        (dict(size_out=0), "size_out"),
        (dict(size_out=True), "size_out"),
        (dict(pre_synapse="fast"), "pre_synapse"),
    ],
)
def test_bad_parameters(kwargs, attr):
    memory = LegendreMemory(4, 0.5, add_to_container=False)
    with pytest.raises(ValidationError) as info:
        LearnedReadout(memory, add_to_container=False, **kwargs)
    assert info.value.attr == attr


def test_memory_must_be_a_legendre_memory():
    with pytest.raises(ValidationError, match="LegendreMemory") as info:
        LearnedReadout(nengo.networks.EnsembleArray(10, 4, add_to_container=False))
    assert info.value.attr == "memory"


def test_target_dimension_must_match():
    with nengo.Network():
        memory = LegendreMemory(4, 0.5)
        readout = LearnedReadout(memory, size_out=1, n_neurons=40)
        target = nengo.Node(np.zeros(2))
        with pytest.raises(ValidationError, match="1 dimensions") as info:
            readout.learn_from(target)
    assert info.value.attr == "target"
