"""Parallel training: the one-step model is the step-by-step LMUCell, to float32 precision."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli, training
from nengo_lmu.datasets import psdigits
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.training import parallel
from nengo_lmu.training.sequences import nengo_dl_sim

tf = pytest.importorskip("tensorflow", reason="needs TensorFlow (pip install nengo-lmu[dl])")


def feedforward_spec(n_steps=64, size_in=1, size_out=10, units=32, order=16, **kwargs):
    options = dict(hidden_to_hidden=False, seed=3)
    options.update(kwargs)
    return training.make_spec("classify", n_steps, size_in, size_out, units, order, **options)


def test_kernel_is_the_step_by_step_memory_recursion():
    """The kernel is what the cell's own LegendreMemory does, one step at a time."""
    spec = feedforward_spec(theta=0.05)
    memory = LegendreMemory(spec["order"], spec["theta"], dt=spec["dt"],
                            add_to_container=False)
    state, rows = memory.Bd[:, 0], []
    for _ in range(spec["n_steps"]):
        rows.append(state)
        state = memory.Ad @ state
    assert np.allclose(parallel.memory_kernel(spec), rows, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("size_in, memory_d, input_to_hidden", [(1, 1, True), (3, 2, False)])
def test_trained_parallel_model_equals_step_by_step(
    size_in, memory_d, input_to_hidden, rng, allclose, plt
):
    """Trained in parallel, then run step by step from its params: the same logits."""
    (x, y), _ = psdigits()
    x, y = np.repeat(x[:256], size_in, axis=2) * rng.uniform(0.5, 1.5, size_in), y[:256]
    spec = feedforward_spec(size_in=size_in, memory_d=memory_d,
                            input_to_hidden=input_to_hidden)
    model = parallel.build_parallel_model(spec)
    with nengo_dl_sim(model, 32, 1) as sim:
        sim.compile(optimizer=tf.optimizers.Adam(3e-3),
                    loss={model.probe: tf.losses.SparseCategoricalCrossentropy(from_logits=True)})
        sim.fit({model.input: parallel.parallel_inputs(spec, x)}, {model.probe: y[:, None, None]},
                epochs=2, verbose=0)
        ours = sim.predict({model.input: parallel.parallel_inputs(spec, x)}, verbose=0)[model.probe]
        params = parallel.parallel_params(sim, model)
    ours = ours[:, -1]
    steps = training.predict(spec, params, x, batch_size=64)
    plt.plot(ours.ravel(), steps.ravel(), ".")
    plt.xlabel("parallel logits")
    plt.ylabel("step-by-step logits")
    hidden = [k for k in params if k.endswith("/bias")]
    assert np.any(params[hidden[0]] != 0)  # trained: the biases moved
    assert allclose(steps, ours, rtol=1e-4, atol=1e-4 * np.abs(ours).max())
    assert np.array_equal(np.argmax(steps, 1), np.argmax(ours, 1))


def test_fit_trains_in_parallel_by_default_and_reports_it(rng):
    (x, y), (x_test, y_test) = psdigits()
    spec = feedforward_spec(units=64, order=32)
    params, info = training.fit(spec, x, y, epochs=4, batch_size=32, learning_rate=3e-3,
                                progress_bar=False)
    assert info["mode"] == "parallel"
    assert training.accuracy(training.predict(spec, params, x_test), y_test) > 0.7
    _, info = training.fit(spec, x, y, epochs=0, batch_size=32, mode="steps",
                           progress_bar=False)
    assert info["mode"] == "steps"


@pytest.mark.parametrize(
    "options, attr",
    [
        (dict(hidden_to_hidden=True), "hidden_to_hidden"),
        (dict(hidden_to_memory=True), "hidden_to_memory"),
        (dict(memory_to_memory=True), "memory_to_memory"),
        (dict(trainable_memory=True), "trainable_memory"),
        (dict(readout_synapse=0.005), "readout_synapse"),
    ],
)
def test_a_cell_that_cannot_be_parallel_is_refused_by_name(options, attr):
    spec = feedforward_spec(**options)
    assert parallel.resolve_mode(spec, "auto") == "steps"
    assert parallel.resolve_mode(spec, "steps") == "steps"
    with pytest.raises(ValidationError, match=attr) as info:
        parallel.resolve_mode(spec, "parallel")
    assert info.value.attr == attr


def delay_task(rng, n=24, n_steps=48, delay=5):
    """Regression data the code generates: low-passed noise and a delayed, squared copy."""
    x = rng.standard_normal((n, n_steps, 1)).astype(np.float32)
    x = np.cumsum(x, axis=1) / np.sqrt(np.arange(1, n_steps + 1))[None, :, None]
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay] ** 2
    return x, y


@pytest.mark.parametrize("method", ["fft", "direct"])
def test_memory_states_are_the_step_by_step_recursion(method, rng):
    """Every state by convolution equals the memory stepped through the sequence."""
    spec = training.make_spec("regress", 40, 2, 1, 8, 12, theta=0.03, hidden_to_hidden=False)
    x = rng.standard_normal((3, 40, 2))
    memory = LegendreMemory(spec["order"], spec["theta"], dt=spec["dt"],
                            add_to_container=False)
    state, expected = np.zeros((3, 2, spec["order"])), []
    for t in range(40):
        state = state @ memory.Ad.T + x[:, t, :, None] * memory.Bd[:, 0]
        expected.append(state)
    states = parallel.memory_states(spec, x, convolution=method)
    assert states.shape == (3, 40, 2, spec["order"])
    assert np.allclose(states, np.stack(expected, axis=1), atol=1e-5)


def test_memory_states_reject_an_unknown_method():
    spec = training.make_spec("regress", 8, 1, 1, 4, 4, hidden_to_hidden=False)
    with pytest.raises(ValidationError) as info:
        parallel.memory_states(spec, np.zeros((1, 8, 1)), convolution="fast")
    assert info.value.attr == "convolution"


def test_regression_trained_in_parallel_equals_step_by_step(rng, allclose, plt):
    """Sequence-to-sequence: trained in parallel, then run step by step, the same outputs."""
    x, y = delay_task(rng)
    result = training.train_regressor(((x[:16], y[:16]), (x[16:], y[16:])), units=32,
                                      order=12, epochs=3, batch_size=64,
                                      learning_rate=3e-3, hidden_to_hidden=False,
                                      progress_bar=False)
    assert result["train_mode"] == "parallel"
    spec, params = result["spec"], result["params"]
    ours = parallel.parallel_predict(spec, params, x[16:])
    steps = training.predict(spec, params, x[16:], batch_size=8)
    plt.plot(steps[0, :, 0], label="step by step")
    plt.plot(ours[0, :, 0], "--", label="parallel")
    plt.plot(y[16, :, 0], ":", label="target")
    plt.legend()
    assert steps.shape == ours.shape == y[16:].shape
    assert np.std(ours) > 0.01  # trained to something, not a constant
    assert allclose(steps, ours, rtol=1e-4, atol=1e-4 * np.abs(ours).max())
    # and it learned: better than predicting the mean
    assert result["test_nrmse"] < 1.0


def test_order_up_to_the_sequence_length_is_exact(rng, allclose):
    """The parallel paper's orders go up to the sequence length (here 64 of 64)."""
    (x, y), _ = psdigits()
    spec = feedforward_spec(order=64, units=16)
    params, info = training.fit(spec, x[:64], y[:64], epochs=1, batch_size=32,
                                progress_bar=False)
    assert info["mode"] == "parallel"
    ours = parallel.parallel_predict(spec, params, x[:32])
    steps = training.predict(spec, params, x[:32])
    assert allclose(steps, ours, rtol=1e-4, atol=1e-4 * np.abs(ours).max())


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(mode="fast"), "mode"),
        (dict(dropout=1.0), "dropout"),
        (dict(dropout=-0.1), "dropout"),
        (dict(dropout=True), "dropout"),
        (dict(dropout=0.5, mode="steps"), "dropout"),
        (dict(params={}), "params"),
    ],
)
def test_fit_rejects_bad_parallel_options(kwargs, attr, rng):
    (x, y), _ = psdigits()
    with pytest.raises(ValidationError) as info:
        training.fit(feedforward_spec(), x[:64], y[:64], epochs=1, batch_size=32,
                     progress_bar=False, **kwargs)
    assert info.value.attr == attr


def test_train_command_mode_parallel_names_what_prevents_it(capsys):
    """The psdigits recipe reads out through a lowpass: it trains step by step."""
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "psdigits", "--mode", "parallel", "--max-batches", "1"])
    assert info.value.code == 2
    assert "readout_synapse" in capsys.readouterr().err


def test_parallel_predict_takes_step_by_step_params(allclose):
    """From params, the parallel model predicts what the step-by-step one does."""
    (x, y), (x_test, _) = psdigits()
    spec = feedforward_spec(units=24, order=12)
    params, _ = training.fit(spec, x[:256], y[:256], epochs=1, batch_size=32,
                             progress_bar=False)
    steps = training.predict(spec, params, x_test[:100])
    ours = parallel.parallel_predict(spec, params, x_test[:100], batch_size=32)
    assert ours.shape == steps.shape == (100, 10)
    assert allclose(ours, steps, rtol=1e-4, atol=1e-4 * np.abs(steps).max())
    with pytest.raises(ValidationError, match="not this model's"):
        parallel.parallel_predict(spec, {}, x_test[:10])


def test_parallel_training_continues_from_given_params(allclose):
    """Given params, parallel training starts from them: zero more epochs gives them back."""
    (x, y), _ = psdigits()
    spec = feedforward_spec(units=16, order=8)
    params, _ = training.fit(spec, x[:128], y[:128], epochs=1, batch_size=32,
                             progress_bar=False)
    again, info = training.fit(spec, x[:128], y[:128], epochs=0, batch_size=32,
                               params=params, progress_bar=False)
    assert info["mode"] == "parallel"
    assert set(again) == set(params)
    for key, value in params.items():
        assert allclose(again[key], value), key
