"""An LMUCell that learns its window theta in NengoDL (``trainable_theta=True``)."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import training
from nengo_lmu.networks import LMUCell
from nengo_lmu.trainable_theta import learned_theta

tf = pytest.importorskip("tensorflow")
nengo_dl = pytest.importorskip("nengo_dl")


def delay_data(rng, n, steps, delay):
    x = rng.uniform(-1, 1, (n, steps, 1)).astype(np.float32)
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    return x, y


@pytest.mark.parametrize("method", ["zoh", "euler"])
def test_memory_follows_theta_on_every_backend(method, Simulator, seed, allclose):
    """A learnable window runs as the fixed one does wherever nothing trains it."""
    outs = []
    for trainable in (False, True):
        with nengo.Network(seed=seed) as net:
            stim = nengo.Node(nengo.processes.WhiteSignal(0.05, high=50, seed=seed))
            cell = LMUCell(4, 6, 0.03, trainable_theta=trainable, method=method,
                           neuron_type=nengo.SpikingRectifiedLinear())
            nengo.Connection(stim, cell.input, synapse=None)
            probe = nengo.Probe(cell.memory.output)
        with Simulator(net, progress_bar=False) as sim:
            sim.run(0.04)
        outs.append(np.asarray(sim.data[probe]).reshape(-1, 6))
    assert np.abs(outs[0]).max() > 0.01
    assert allclose(outs[1], outs[0], atol=1e-5 * np.abs(outs[0]).max())


@pytest.mark.parametrize("method", ["zoh", "euler"])
def test_theta_gradient_matches_finite_differences(method, rng):
    """One plain SGD step moves log(theta) by -lr times its gradient."""
    x, y = delay_data(rng, 8, 10, 6)
    spec = training.make_spec("regress", 10, 1, 1, units=4, order=4, theta=0.004, seed=2,
                              trainable_theta=True, method=method, hidden_to_hidden=False)

    def loss(log_theta):
        params = dict(start, theta=np.array(np.exp(log_theta)))
        out = training.predict(spec, params, x, batch_size=8)
        return float(np.mean((out - y) ** 2))

    model = training.build_model(spec)
    lr = 0.1  # a step float32 resolves: log(theta) is ~-5.5
    with nengo_dl.Simulator(model.net, minibatch_size=8, progress_bar=False) as sim:
        start = training.get_params(sim, model)
        sim.compile(tf.optimizers.SGD(lr), loss={model.probe: tf.losses.mse})
        sim.fit({model.input: x}, {model.probe: y}, epochs=1, verbose=0)
        after = learned_theta(sim, model.cell)
    gradient = -(np.log(after) - np.log(float(start["theta"]))) / lr
    eps = 1e-3  # float32 losses differ by ~1e-4 here, 1e3 times their rounding
    log0 = np.log(float(start["theta"]))
    finite = (loss(log0 + eps) - loss(log0 - eps)) / (2 * eps)
    assert abs(finite) > 1e-3  # the window matters to this loss
    assert np.isclose(gradient, finite, rtol=0.02)


def test_learned_theta_is_saved_and_rebuilt(tmp_path, rng):
    x, y = delay_data(rng, 8, 10, 6)
    spec = training.make_spec("regress", 10, 1, 1, units=4, order=4, theta=0.003, seed=2,
                              trainable_theta=True)
    params, _ = training.fit(spec, x, y, epochs=2, batch_size=8, learning_rate=0.05,
                             progress_bar=False)
    theta = float(params["theta"])
    assert not np.isclose(theta, 0.003)
    path = tmp_path / "m.npz"
    training.save_model(path, spec, params)
    spec2, params2 = training.load_model(path)
    model = training.build_model(spec2, params2)
    assert np.isclose(model.cell.theta, theta) and np.isclose(model.cell.memory.theta, theta)
    fixed = dict(spec, cell_kwargs=dict(spec["cell_kwargs"], trainable_theta=False))
    fixed_params = {k: v for k, v in params.items() if k != "theta"}
    assert np.allclose(
        training.predict(spec2, params2, x, batch_size=8),
        training.predict(dict(fixed, theta=theta), fixed_params, x, batch_size=8),
        atol=1e-5,
    )


def test_trainable_theta_needs_an_ideal_fixed_memory():
    with nengo.Network():
        with pytest.raises(ValidationError, match="ideal memory") as info:
            LMUCell(4, 4, 0.01, trainable_theta=True, memory_neurons=10)
        assert info.value.attr == "trainable_theta"
        with pytest.raises(ValidationError, match="not both"):
            LMUCell(4, 4, 0.01, trainable_theta=True, trainable_memory=True)
