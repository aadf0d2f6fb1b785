"""The KerasLMU baseline (needs the optional ``bench`` extra: keras-lmu)."""

import importlib.util

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks import keras_lmu as keras_baseline
from nengo_lmu.benchmarks.keras_lmu import train_keras_lmu
from nengo_lmu.datasets import psdigits

HAS_KERAS_LMU = importlib.util.find_spec("keras_lmu") is not None
needs_keras_lmu = pytest.mark.skipif(
    not HAS_KERAS_LMU, reason="keras-lmu not installed (pip install nengo-lmu[bench])"
)


@pytest.fixture(scope="module")
def small_digits():
    (x_train, y_train), (x_test, y_test) = psdigits(seed=0)
    return (x_train[:400], y_train[:400]), (x_test[:200], y_test[:200])


@needs_keras_lmu
def test_train_keras_lmu_learns_something(small_digits, seed):
    # 50 Adam steps: 0.61-0.74 test accuracy on five seeds tried
    result = train_keras_lmu(
        small_digits, units=64, order=16, theta=64, epochs=1, batch_size=8,
        learning_rate=3e-3, seed=seed, verbose=False,
    )
    assert set(result) >= {"test_accuracy", "seconds_per_epoch", "epochs", "parameters"}
    assert result["epochs"] == 1 and len(result["epoch_seconds"]) == 1
    assert result["seconds_per_epoch"] == result["epoch_seconds"][0] > 0
    # input kernel (1) + SimpleRNN on [memory, input] (17 -> 64) + Dense(64 -> 10)
    assert result["parameters"] == 1 + (17 * 64 + 64 * 64 + 64) + (64 * 10 + 10)
    assert result["test_accuracy"] > 0.3  # chance is 0.1


@needs_keras_lmu
def test_both_implementations_are_one_model(small_digits):
    (x_train, _), _ = small_digits
    import tensorflow as tf

    outputs = []
    for implementation in ("lmu", "cell"):
        tf.keras.utils.set_random_seed(1)
        model = keras_baseline.build_keras_lmu(64, 1, 8, 6, 64.0, implementation=implementation)
        outputs.append(model(x_train[:8]).numpy())
        assert sum(np.prod(w.shape) for w in model.trainable_weights) == 1 + (7 * 8 + 64 + 8) + 90
    # same seed, same weights: the parallel memory and the stepped one agree
    assert np.allclose(outputs[0], outputs[1], atol=1e-4)


@needs_keras_lmu
def test_relu_dense_hidden_is_our_hidden_layer(small_digits):
    (x_train, _), _ = small_digits
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = keras_baseline.build_keras_lmu(64, 1, 8, 6, 64.0, hidden="relu-dense")
    # input kernel (1) + Dense on [memory, input] (7 -> 8, no recurrence) + readout
    assert sum(np.prod(w.shape) for w in model.trainable_weights) == 1 + (7 * 8 + 8) + 90
    layers = [layer for layer in model.layers[1].submodules
              if isinstance(layer, tf.keras.layers.Dense)]
    assert layers and layers[0].activation is tf.keras.activations.relu
    assert np.isfinite(model(x_train[:4]).numpy()).all()


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(units=0), "units"),
        (dict(order=-1), "order"),
        (dict(theta=0), "theta"),
        (dict(epochs=0), "epochs"),
        (dict(learning_rate=0), "learning_rate"),
        (dict(implementation="fft"), "implementation"),
        (dict(hidden="lstm"), "hidden"),
        (dict(input_to_hidden=1), "input_to_hidden"),
    ],
)
def test_train_keras_lmu_bad_parameters(kwargs, attr, small_digits):
    options = dict(units=4, order=4, theta=64, epochs=1)
    options.update(kwargs)
    with pytest.raises(ValidationError) as info:
        train_keras_lmu(small_digits, **options)
    assert info.value.attr == attr


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda x, y: (x[:, :, 0], y), r"x_train must have shape \(n, steps, dims\)"),
        (lambda x, y: (x, y + 1), r"y_train labels must lie in 0-9 \(got 10"),
        (lambda x, y: (x, y[:-1]), "400 sequences and y_train 399 labels"),
        (lambda x, y: (x[:, :32], y), r"x_train's \(steps, dims\) \(32, 1\) differ"),
        (lambda x, y: (x, y - 0.5), "integer labels"),
    ],
)
def test_train_keras_lmu_bad_data(corrupt, match, small_digits):
    (x, y), test = small_digits
    with pytest.raises(ValidationError, match=match) as info:
        train_keras_lmu((corrupt(x, y), test), units=4, order=4, theta=64, epochs=1)
    assert info.value.attr == "data"


def test_missing_keras_lmu_says_how_to_install(monkeypatch, small_digits):
    import builtins

    real_import = builtins.__import__

    def no_keras_lmu(name, *args, **kwargs):
        if name == "keras_lmu":
            raise ModuleNotFoundError("No module named 'keras_lmu'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_keras_lmu)
    with pytest.raises(ImportError, match=r"pip install nengo-lmu\[bench\]"):
        train_keras_lmu(small_digits, units=4, order=4, theta=64, epochs=1)


@needs_keras_lmu
def test_bench_command_reports_a_missing_dataset(tmp_path, capsys):
    from nengo_lmu import cli

    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "keras-lmu", "--dataset", "psmnist", "--data-path", str(tmp_path)])
    assert info.value.code == 2
    error = capsys.readouterr().err
    assert "MNIST not found at the given path" in error and str(tmp_path) in error
