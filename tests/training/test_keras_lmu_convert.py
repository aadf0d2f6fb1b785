"""A trained KerasLMU model converted to an LMUCell model gives KerasLMU's outputs."""

import functools

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli, training

tf = pytest.importorskip("tensorflow")
keras_lmu = pytest.importorskip("keras_lmu")

N_STEPS, SIZE_IN, N_CLASSES = 10, 2, 3


def data(n=16):
    rng = np.random.RandomState(3)
    x = rng.uniform(-1, 1, (n, N_STEPS, SIZE_IN)).astype(np.float32)
    return x, rng.randint(N_CLASSES, size=n)


def hidden(kind, units=6):
    if kind == "rnn-tanh":
        return tf.keras.layers.SimpleRNNCell(units)
    if kind == "rnn-relu":
        return tf.keras.layers.SimpleRNNCell(units, activation="relu")
    return tf.keras.layers.Dense(units, activation="relu")


# layer type, hidden cell, readout, KerasLMU options: every option that converts
CONFIGS = {
    "lmu-dense": ("lmu", "dense-relu", "dense", dict(
        input_to_hidden=True, use_bias=True, memory_d=2, dropout=0.1)),
    "rnn-recurrent": ("rnn", "rnn-tanh", "dense2", dict(
        hidden_to_memory=True, memory_to_memory=True, use_bias=True,
        recurrent_dropout=0.1)),
    "rnn-euler-theta": ("rnn", "rnn-relu", "softmax", dict(
        trainable_theta=True, discretizer="euler", input_to_hidden=True)),
    "lmu-zoh-theta-no-kernel": ("lmu", "rnn-tanh", "dense", dict(
        trainable_theta=True, kernel_initializer=None, memory_d=SIZE_IN)),
    "feedforward-sequences": ("feedforward", "dense-relu", "dense-sequences", dict(
        input_to_hidden=True, discretizer="euler")),
}


def keras_model(layer, cell, readout, options):
    opts = dict(memory_d=1, order=4, theta=6, hidden_cell=hidden(cell))
    opts.update(options)
    sequences = readout == "dense-sequences"
    if layer == "lmu":
        lmu = keras_lmu.LMU(return_sequences=sequences, **opts)
    elif layer == "feedforward":
        lmu = keras_lmu.LMUFeedforward(return_sequences=sequences, **opts)
    else:
        lmu = tf.keras.layers.RNN(keras_lmu.LMUCell(**opts), return_sequences=sequences)
    inp = tf.keras.Input((N_STEPS, SIZE_IN))
    out = lmu(inp)
    if readout == "dense2":
        out = tf.keras.layers.Dense(5)(out)
        out = tf.keras.layers.Dropout(0.2)(out)
    out = tf.keras.layers.Dense(
        N_CLASSES, activation="softmax" if readout == "softmax" else None)(out)
    return tf.keras.Model(inp, out), sequences


@functools.lru_cache(maxsize=None)
def trained(name):
    """A KerasLMU model trained a few steps (trained weights show transpositions)."""
    tf.random.set_seed(1)
    model, sequences = keras_model(*CONFIGS[name])
    x, y = data()
    target = np.repeat(y[:, None], N_STEPS, axis=1) if sequences else y
    model.compile(tf.keras.optimizers.Adam(0.02),
                  tf.keras.losses.SparseCategoricalCrossentropy(
                      from_logits=CONFIGS[name][2] != "softmax"))
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, target, epochs=4, batch_size=8, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights())
               if a.size > 1)
    return model


def run_plain(Simulator, spec, params, x):
    """Each sequence through a plain build of the model, in a simulator of its own."""
    outs = []
    for sequence in x:
        model = training.build_model(spec, params)
        model.input.output = nengo.processes.PresentInput(sequence, spec["dt"])
        with Simulator(model.net, dt=spec["dt"], progress_bar=False) as sim:
            sim.run_steps(N_STEPS)
        out = np.asarray(sim.data[model.probe]).reshape(N_STEPS, -1)
        outs.append(out[-1] if spec["task"] == "classify" else out)
    return np.array(outs)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.backends_lack("loihi-sim", "loihi",
                           reason="KerasLMU's hidden cells are rate (tanh, relu) neurons")
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_converted_model_gives_keras_outputs(name, backend, Simulator, plt):
    model = trained(name)
    x, _ = data(4)
    expected = model.predict(x, verbose=0)
    spec, params = training.from_keras_lmu(model)
    if backend == "dl":
        out = training.predict(spec, params, x, batch_size=4)
    else:
        out = run_plain(Simulator, spec, params, x)
    if CONFIGS[name][2] == "softmax":
        out = softmax(out)  # the converted model outputs logits
    plt.plot(expected.ravel(), out.ravel(), ".")
    assert out.shape == expected.shape
    assert np.abs(out - expected).max() <= 1e-4 * np.abs(expected).max()


def test_converted_spec_carries_the_options():
    spec, params = training.from_keras_lmu(trained("rnn-euler-theta"))
    cell = spec["cell_kwargs"]
    assert cell["method"] == "euler" and cell["trainable_theta"]
    assert cell["input_to_hidden"] and cell["hidden_to_hidden"]
    assert spec["neuron_type"] == "relu" and spec["task"] == "classify"
    layer = trained("rnn-euler-theta").layers[1].cell
    # the trained window, in seconds
    assert np.isclose(float(params["theta"]), layer.theta * spec["dt"])
    assert not np.isclose(layer.theta, 6)
    seq_spec, _ = training.from_keras_lmu(trained("feedforward-sequences"))
    assert seq_spec["task"] == "regress" and seq_spec["readout_bias"]


def test_layer_alone_outputs_the_hidden_state(allclose):
    model = trained("lmu-dense")
    lmu = model.layers[1]
    x, _ = data(3)
    spec, params = training.from_keras_lmu(lmu, n_steps=N_STEPS)
    assert spec["size_out"] == 6 and not spec["readout_bias"]
    expected = lmu(x).numpy()
    assert allclose(training.predict(spec, params, x, batch_size=3), expected, rtol=1e-4,
                    atol=1e-5 * np.abs(expected).max())


def test_saved_converted_model_reloads(tmp_path):
    spec, params = training.from_keras_lmu(trained("rnn-euler-theta"))
    path = tmp_path / "m.npz"
    training.save_model(path, spec, params)
    spec2, params2 = training.load_model(path)
    assert spec2 == spec and params2.keys() == params.keys()
    assert all(np.array_equal(params2[key], params[key]) for key in params)


@pytest.mark.parametrize("build, option", [
    (lambda: keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.LSTMCell(5)), "hidden_cell"),
    (lambda: keras_lmu.LMU(1, 4, 6, hidden_cell=None), "hidden_cell"),
    (lambda: keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.Dense(5, "sigmoid")),
     "activation"),
])
def test_inexpressible_options_are_named(build, option):
    inp = tf.keras.Input((N_STEPS, SIZE_IN))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(build()(inp)))
    with pytest.raises(ValidationError, match=option) as info:
        training.from_keras_lmu(model)
    assert info.value.attr == option


def test_nonlinear_readout_and_two_lmus_are_refused():
    inp = tf.keras.Input((N_STEPS, SIZE_IN))
    lmu = keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.Dense(5, "relu"))
    out = tf.keras.layers.Dense(4, activation="relu")(lmu(inp))
    with pytest.raises(ValidationError, match="activation 'relu'"):
        training.from_keras_lmu(tf.keras.Model(inp, tf.keras.layers.Dense(2)(out)))
    first = keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.Dense(5, "relu"),
                          return_sequences=True)
    second = keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.Dense(5, "relu"))
    with pytest.raises(ValidationError, match="one KerasLMU layer"):
        training.from_keras_lmu(tf.keras.Model(inp, second(first(inp))))
    unbuilt = keras_lmu.LMU(1, 4, 6, hidden_cell=tf.keras.layers.Dense(5))
    with pytest.raises(ValidationError, match="not built"):
        training.from_keras_lmu(unbuilt, n_steps=N_STEPS)


def test_convert_command_saves_a_loadable_model(tmp_path, capsys):
    model = trained("lmu-dense")
    keras_path, path = tmp_path / "lmu.keras", tmp_path / "m.npz"
    model.save(keras_path)
    assert cli.main(["convert", "keras-lmu", str(keras_path), "--save", str(path)]) == 0
    assert "units=6" in capsys.readouterr().out
    spec, params = training.load_model(path)
    x, _ = data(3)
    expected = model.predict(x, verbose=0)
    out = training.predict(spec, params, x, batch_size=3)
    assert np.abs(out - expected).max() <= 1e-4 * np.abs(expected).max()
    with pytest.raises(SystemExit):
        cli.main(["convert", "keras-lmu", str(tmp_path / "missing.keras"), "--save", str(path)])
