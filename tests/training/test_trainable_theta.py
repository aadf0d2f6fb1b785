"""An LMUCell that learns its window theta in NengoDL (``trainable_theta=True``)."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import training
from nengo_lmu.benchmarks.keras_lmu_convert import delay_loss, delay_task, train_delay_window
from nengo_lmu.legendre import impulse_response
from nengo_lmu.networks import LMUCell
from nengo_lmu.trainable_theta import discretize_tf, kernel_tf, learned_theta
from nengo_lmu.training import parallel
from nengo_lmu.training.parallel import parallel_predict, resolve_mode
from nengo_lmu.training.sequences import nengo_dl_sim

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


def test_training_moves_theta_toward_the_delay(rng, plt):
    """A window started 4 times too short lengthens toward the delay.

    The output is the memory's fixed Legendre readout of the far end of its
    window (r=1: ``u(t - theta)``), so theta is the only parameter and the
    window length is what must match the delay. The input is smooth (its
    autocorrelation spans a quarter of the delay): with white noise a window
    far shorter than the delay holds nothing of the delayed input, and the
    loss there is the ripple of a window of a few steps, with local minima
    that pull theta either way. Over this data the loss (computed here
    exactly, in numpy, as a function of theta) falls monotonically from the
    starting window to its minimum near the delay, so training that lowers
    the loss must move theta toward that minimum.
    """
    dt, order, delay = 0.001, 6, 16
    x, y = delay_task(rng, n=32, steps=64, delay=delay)
    theta0 = delay * dt / 4
    thetas = np.exp(np.linspace(np.log(theta0), np.log(3 * delay * dt), 60))
    losses = np.array([delay_loss(x, y, theta, order, dt) for theta in thetas])
    best = thetas[np.argmin(losses)]
    plt.semilogx(thetas / dt, losses, label="loss (numpy)")
    # the premise: the landscape has one way down from the start, to near the delay
    assert np.all(np.diff(losses[:np.argmin(losses) + 1]) < 0)
    assert abs(np.log(best / (delay * dt))) < np.log(1.25)

    history = train_delay_window(x, y, theta0, order, dt=dt, epochs=20, learning_rate=0.05)
    learned = history[-1]
    plt.axvline(theta0 / dt, color="k", linestyle=":", label="start")
    plt.semilogx(np.array(history) / dt, [delay_loss(x, y, t, order, dt) for t in history],
                 "r.-", label="theta after each epoch")
    plt.xlabel("theta (steps)")
    plt.legend()
    assert abs(np.log(learned / best)) < abs(np.log(theta0 / best))
    assert delay_loss(x, y, learned, order, dt) < losses[0]


@pytest.mark.parametrize("method", ["zoh", "euler"])
def test_kernel_from_theta_is_the_impulse_response(method):
    Ad, Bd = discretize_tf(np.log(0.05), 12, 0.001, method)
    kernel = impulse_response(12, 0.05, 0.001, 100, method=method)
    assert np.allclose(kernel_tf(Ad, Bd, 100).numpy(), kernel, rtol=0,
                       atol=1e-12 * np.abs(kernel).max())


def test_parallel_classifier_learns_theta_as_step_by_step(rng):
    """The parallel classifier's kernel follows theta: the same step and the same model."""
    x = rng.uniform(-1, 1, (16, 12, 2)).astype(np.float32)
    labels = rng.randint(3, size=16)
    spec = training.make_spec("classify", 12, 2, 3, units=5, order=4, theta=0.008, seed=3,
                              trainable_theta=True, hidden_to_hidden=False)
    assert resolve_mode(spec) == "parallel"
    start, _ = training.fit(spec, x, labels, epochs=0, batch_size=16, mode="steps",
                            progress_bar=False)
    trained = {}
    for mode in ("parallel", "steps"):
        trained[mode], info = training.fit(spec, x, labels, epochs=1, batch_size=16,
                                           learning_rate=0.05, mode=mode, params=start,
                                           progress_bar=False)
        assert info["mode"] == mode
    theta = float(trained["parallel"]["theta"])
    assert abs(np.log(theta / 0.008)) > 0.01  # one Adam step moves it by ~the rate
    assert np.isclose(theta, float(trained["steps"]["theta"]), rtol=1e-4)
    for key, value in trained["steps"].items():
        assert np.allclose(trained["parallel"][key], value, atol=1e-4), key
    logits = training.predict(spec, trained["parallel"], x, batch_size=16)
    assert np.allclose(parallel_predict(spec, trained["parallel"], x, batch_size=16), logits,
                       atol=1e-4 * np.abs(logits).max())


def one_sgd_step(spec, params, x, y, mode, lr):
    """The loss of one plain SGD step on all of ``x`` in ``mode``, and the params after it."""
    n, n_steps = x.shape[:2]
    if mode == "steps":
        model = training.build_model(spec, params)
        sim = nengo_dl_sim(model, n, 1)
        data = {model.input: x}, {model.probe: y}
    else:  # one batch of every time step
        model = parallel.build_parallel_model(spec, params)
        sim = nengo_dl_sim(model, n * n_steps, 1)
        data = parallel.window_batches(sim, model, x, np.arange(n * n_steps), n * n_steps, y),
    with sim:
        sim.compile(tf.optimizers.SGD(lr), loss={model.probe: tf.losses.mse})
        loss = sim.fit(*data, epochs=1, verbose=0).history["loss"][-1]
        after = (training.get_params(sim, model) if mode == "steps"
                 else parallel.parallel_params(sim, model))
    return loss, after


def test_parallel_regressor_learns_theta_as_step_by_step(rng):
    """Time steps with their history windows: the same loss and gradients as the sequences."""
    x = rng.uniform(-1, 1, (4, 10, 2)).astype(np.float32)
    y = rng.uniform(-1, 1, (4, 10, 1)).astype(np.float32)
    spec = training.make_spec("regress", 10, 2, 1, units=5, order=4, theta=0.006, seed=3,
                              trainable_theta=True, hidden_to_hidden=False)
    assert resolve_mode(spec) == "parallel"
    start, _ = training.fit(spec, x, y, epochs=0, batch_size=4, mode="steps",
                            progress_bar=False)
    lr = 0.1
    steps_loss, steps = one_sgd_step(spec, start, x, y, "steps", lr)
    loss, ours = one_sgd_step(spec, start, x, y, "parallel", lr)
    assert set(ours) == set(steps)
    assert np.isclose(loss, steps_loss, rtol=1e-6)
    # the gradients: SGD moves each parameter (log theta for theta) by -lr times its own
    log = {key: np.log if key == "theta" else np.asarray for key in steps}
    for key in steps:
        moved = (log[key](steps[key]) - log[key](start[key])) / lr
        assert np.allclose((log[key](ours[key]) - log[key](start[key])) / lr, moved,
                           rtol=1e-4, atol=1e-5 * np.abs(moved).max()), key
    assert abs(np.log(float(ours["theta"]) / 0.006)) > 1e-3  # the step moved theta
    # the trained params are build_model's: the step-by-step model predicts the same
    out = training.predict(spec, ours, x, batch_size=4)
    assert np.allclose(parallel_predict(spec, ours, x, batch_size=7), out,
                       atol=1e-5 * np.abs(out).max())
    model = parallel.build_parallel_model(spec, ours)
    with nengo_dl_sim(model, 4, 1) as sim:
        back = parallel.parallel_params(sim, model)
    for key, value in ours.items():
        assert np.allclose(back[key], value, rtol=1e-6, atol=1e-7), key


def test_history_windows_give_every_memory_state(rng):
    """Each step's window times the reversed kernel is its state (the regressor's input)."""
    spec = training.make_spec("regress", 12, 2, 1, units=4, order=5, theta=0.007,
                              trainable_theta=True, hidden_to_hidden=False)
    x = rng.uniform(-1, 1, (3, 12, 2)).astype(np.float32)
    windows = parallel.history_windows(x)
    assert windows.shape == (3, 12, 2, 12)
    kernel = parallel.memory_kernel(spec)
    assert np.allclose(windows @ kernel[::-1], parallel.memory_states(spec, x), atol=1e-6)
    inputs = parallel.parallel_inputs(spec, x)
    assert inputs.shape == (3, 12, 2 * 13)
    assert np.array_equal(inputs[:, :, :24], windows.reshape(3, 12, 24))
    assert np.array_equal(inputs[:, :, 24:], x)


def test_parallel_regressor_moves_theta_toward_the_delay(rng):
    """The delay task of `test_training_moves_theta_toward_the_delay`, by `fit` in parallel.

    The hidden layer and readout train too; a window 4 times too short holds
    little of ``u(t - delay)``, and the learned one lengthens toward it.
    """
    dt, delay = 0.001, 16
    x, y = delay_task(rng, n=32, steps=64, delay=delay)
    theta0 = delay * dt / 4
    spec = training.make_spec("regress", 64, 1, 1, units=16, order=6, theta=theta0, seed=1,
                              trainable_theta=True, hidden_to_hidden=False)
    params, info = training.fit(spec, x, y, epochs=4, batch_size=32, learning_rate=0.01,
                                progress_bar=False)
    assert info["mode"] == "parallel"
    learned = float(params["theta"])
    assert abs(np.log(learned / (delay * dt))) < 0.5 * abs(np.log(theta0 / (delay * dt)))
    assert info["losses"][-1] < 0.5 * info["losses"][0]
