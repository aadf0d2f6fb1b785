"""The ideal LegendreMemory network, on every backend."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import discretize, legendre_ab
from nengo_lmu.benchmarks.capacity import PUBLISHED_MSE, run_capacity
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.networks import LegendreMemory

IDEAL_ON_LOIHI = pytest.mark.backends_lack(
    "loihi-sim",
    "loihi",
    reason="an ideal memory is Nodes only, and nengo-loihi refuses a network with "
    "no neurons on the chip ('No neurons marked for execution on-chip')",
)


def lti_states(u, Ad, Bd):
    """``m[t] = Ad m[t-1] + Bd u[t]`` for each input dimension (columns of u)."""
    order = Ad.shape[0]
    m = np.zeros((order, u.shape[1]))
    states = []
    for ut in u:
        m = Ad @ m + Bd * ut
        states.append(m.T.ravel())
    return np.array(states)


@IDEAL_ON_LOIHI
@pytest.mark.parametrize("size_in", [1, 3])
def test_state_equals_lti_recursion(Simulator, backend, size_in, seed, plt, allclose):
    order, theta, dt = 8, 0.3, 0.001
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(1.0, high=5, rms=0.5), size_out=size_in)
        memory = LegendreMemory(order, theta, size_in=size_in, dt=dt)
        nengo.Connection(stim, memory.input, synapse=None)
        p_stim = nengo.Probe(stim)
        p_state = nengo.Probe(memory.output)

    with Simulator(model, dt=dt, progress_bar=False) as sim:
        sim.run(1.0)

    Ad, Bd = discretize(*legendre_ab(order, theta), dt)
    expected = lti_states(sim.data[p_stim], Ad, Bd)

    plt.plot(sim.trange(), expected[:, :order], color="k", lw=3, alpha=0.3)
    plt.plot(sim.trange(), sim.data[p_state][:, :order], lw=1)
    plt.xlabel("time (s)")
    plt.title(f"{backend}: memory state (thin) vs LTI recursion (thick)")

    # float64 on nengo; NengoDL simulates in float32
    atol = 1e-12 if backend == "nengo" else 1e-5
    assert np.max(np.abs(expected)) > 0.1  # the test means something
    assert allclose(sim.data[p_state], expected, atol=atol, rtol=0)


@IDEAL_ON_LOIHI
def test_delays_read_the_past(Simulator, seed, plt, allclose):
    order, theta, dt = 12, 0.5, 0.001
    delays = [0.0, 0.1, 0.25, 0.5]
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(3.0, high=3, rms=0.3))
        memory = LegendreMemory(order, theta, dt=dt)
        nengo.Connection(stim, memory.input, synapse=None)
        readout = memory.add_delays(delays)
        p_stim = nengo.Probe(stim)
        p_readout = nengo.Probe(readout)

    with Simulator(model, dt=dt, progress_bar=False) as sim:
        sim.run(3.0)

    t = sim.trange()
    u = sim.data[p_stim][:, 0]
    after = t > theta
    for j, delay in enumerate(delays):
        target = delayed(u, int(round(delay / dt)))
        plt.subplot(len(delays), 1, j + 1)
        plt.plot(t, target, "k", lw=3, alpha=0.3)
        plt.plot(t, sim.data[p_readout][:, j])
        plt.ylabel(f"delay {delay} s")
        assert nrmse(sim.data[p_readout][after, j], target[after]) < 0.03


def test_add_delays_layout_with_size_in(allclose):
    memory = LegendreMemory(4, 1.0, size_in=2, add_to_container=False)
    transform = memory.readout_transform([0.0, 1.0])
    assert transform.shape == (4, 8)
    # input 1's delays read only input 1's memory
    assert allclose(transform[2:, :4], 0)
    assert allclose(transform[2:, 4:], transform[:2, :4])
    assert memory.size_out == 8


def test_edited_memory_at_another_dt_refused_before_build(Simulator):
    """A changed (trained) transform holds values for its own step: not carried to another."""
    with nengo.Network() as model:
        memory = LegendreMemory(4, 0.1, dt=0.002)
    recurrent = next(c for c in memory.all_connections if c.pre is c.post)
    recurrent.transform = 0.9 * memory.Ad
    with pytest.raises(ValidationError, match="dt=0.002.*dt=0.001") as info:
        Simulator(model, dt=0.001)
    assert info.value.attr == "dt"


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(order=0, theta=1.0), "order"),
        (dict(order=3.5, theta=1.0), "order"),
        (dict(order=True, theta=1.0), "order"),
        (dict(order=4, theta=0.0), "theta"),
        (dict(order=4, theta=-2.0), "theta"),
        (dict(order=4, theta=1.0, size_in=0), "size_in"),
        (dict(order=4, theta=1.0, dt=0), "dt"),
        (dict(order=4, theta=1.0, method="tustin"), "method"),
    ],
)
def test_bad_parameters(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        LegendreMemory(**kwargs, add_to_container=False)
    assert info.value.attr == attr
    assert f"LegendreMemory.{attr}" in str(info.value)


@pytest.mark.parametrize("delays", [1.5, [0.2, -0.1], [[0.1]]])
def test_bad_delays(delays):
    memory = LegendreMemory(4, 1.0, add_to_container=False)
    with pytest.raises(ValidationError) as info:
        memory.add_delays(delays)
    assert info.value.attr == "delays"


def test_parameters_are_readonly():
    memory = LegendreMemory(4, 1.0, add_to_container=False)
    with pytest.raises(ValidationError):
        memory.theta = 2.0


@IDEAL_ON_LOIHI
@pytest.mark.parametrize(
    "T", [100, 1000, pytest.param(10000, marks=pytest.mark.slow)]
)
def test_capacity_matches_paper(T, backend, plt):
    """The paper's LMU-0 capacity figure: MSE at delay T within 2x of it."""
    result = run_capacity(T, n_sequences=2, seed=0, backend=backend)
    plt.loglog(np.maximum(result["delays"], 1), result["mse"], "o-")
    plt.loglog([T], [PUBLISHED_MSE[T]], "k*", markersize=12)
    plt.xlabel("delay (steps)")
    plt.ylabel("MSE")

    ratio = result["mse"][-1] / PUBLISHED_MSE[T]
    assert 0.5 <= ratio <= 2
    assert np.all(np.diff(result["mse"]) > 0)  # older is harder
