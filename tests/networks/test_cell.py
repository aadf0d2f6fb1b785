"""The LMU cell against a numpy reference of the paper's equations."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.networks import LMUCell
from nengo_lmu.networks.cell import _GlorotUniform


def reference_cell(x, e_x, e_h, e_m, W_x, W_h, W_m, bias, Ad, Bd, f):
    """The paper's cell, one step at a time (h[-1] = m[-1] = 0)."""
    order = Ad.shape[0]
    h = np.zeros(W_h.shape[0])
    m = np.zeros(order)
    hs, ms = [], []
    for x_t in x:
        u = e_x @ x_t + e_h @ h + e_m @ m
        m = Ad @ m + Bd @ u
        h = f(W_x @ x_t + W_h @ h + W_m @ m + bias)
        hs.append(h)
        ms.append(m)
    return np.array(hs), np.array(ms)


@pytest.mark.backends_lack(
    "loihi-sim",
    "loihi",
    reason="the cell is checked against its equations with rate (RectifiedLinear) neurons, "
    "which the chip does not have (the pre-flight check refuses them)",
)
@pytest.mark.parametrize("all_options", [True, False])
def test_cell_follows_the_equations(Simulator, seed, rng, allclose, plt, all_options):
    dt, steps, size_in, units, order = 0.001, 40, 2, 7, 5
    x = rng.uniform(-1, 1, size=(steps, size_in))
    options = dict(
        hidden_to_memory=all_options,
        memory_to_memory=all_options,
        input_to_hidden=all_options,
        hidden_to_hidden=all_options,
    )
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: x[min(int(round(t / dt)) - 1, steps - 1)])
        cell = LMUCell(units, order, theta=0.03, size_in=size_in,
                       input_encoders=rng.uniform(-1, 1, (1, size_in)), **options)
        cell.hidden.bias = rng.uniform(-0.2, 0.2, units)
        nengo.Connection(stim, cell.input, synapse=None)
        p_h = nengo.Probe(cell.output)
        p_m = nengo.Probe(cell.memory.output)

    def weights(role, shape):
        conn = cell.cell_connections.get(role)
        return np.zeros(shape) if conn is None else np.array(sim.data[conn].weights)

    with Simulator(net, dt=dt) as sim:
        sim.run_steps(steps)
        W = {role: weights(role, shape) for role, shape in [
            ("input_to_memory", (1, size_in)), ("hidden_to_memory", (1, units)),
            ("memory_to_memory", (1, order)), ("input_to_hidden", (units, size_in)),
            ("hidden_to_hidden", (units, units)), ("memory_to_hidden", (units, order)),
        ]}

    h_ref, m_ref = reference_cell(
        x,
        W["input_to_memory"],
        W["hidden_to_memory"],
        W["memory_to_memory"],
        W["input_to_hidden"],
        W["hidden_to_hidden"],
        W["memory_to_hidden"],
        cell.hidden.bias,
        cell.memory.Ad,
        cell.memory.Bd,
        lambda j: np.maximum(j, 0),
    )
    plt.plot(sim.trange(), sim.data[p_h])
    plt.plot(sim.trange(), h_ref, "k--")
    assert np.std(h_ref) > 0.05  # the hidden state does something
    assert allclose(sim.data[p_m], m_ref, atol=1e-5)
    assert allclose(sim.data[p_h], h_ref, atol=1e-5)
    # the options leave out exactly their connections
    assert ("hidden_to_hidden" in cell.cell_connections) == all_options


@pytest.mark.dl
def test_cell_trainable_settings():
    with nengo.Network():
        fixed = LMUCell(4, 3, 0.01, hidden_bias=False)
        free = LMUCell(4, 3, 0.01, trainable_memory=True)
    for conn in fixed.memory.all_connections:
        assert fixed.config[conn].trainable is False
    for conn in free.memory.all_connections:
        assert free.config[conn].trainable is True
    assert fixed.config[fixed.hidden].trainable is False
    assert free.config[free.hidden].trainable is True


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(units=0), "units"),
        (dict(units=True), "units"),
        (dict(order=0), "order"),
        (dict(theta=-1.0), "theta"),
        (dict(size_in=0), "size_in"),
        (dict(input_encoders=np.ones((2, 2))), "input_encoders"),
        (dict(neuron_type="relu"), "neuron_type"),
    ],
)
def test_cell_bad_input(kwargs, attr):
    args = dict(units=4, order=3, theta=0.01)
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        LMUCell(**args)
    assert info.value.attr == attr


@pytest.mark.dl
def test_cell_weights_are_nengo_dls_glorot():
    """The cell's own Glorot draws what NengoDL's does, so weights need no NengoDL."""
    nengo_dl = pytest.importorskip("nengo_dl")
    for n, d in [(5, 3), (7, None), (128, 64)]:
        ours = _GlorotUniform().sample(n, d, rng=np.random.RandomState(n))
        theirs = nengo_dl.dists.Glorot().sample(n, d, rng=np.random.RandomState(n))
        assert np.array_equal(ours, theirs)
