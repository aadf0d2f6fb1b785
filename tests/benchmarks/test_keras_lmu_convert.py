"""``nengo-lmu bench keras-lmu-convert`` on a small slice of psdigits."""

import importlib.util

import numpy as np
import pytest

from nengo_lmu.benchmarks.keras_lmu_convert import run_convert, run_delay, run_theta
from nengo_lmu.datasets import psdigits

pytest.importorskip("nengo_dl")
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("keras_lmu") is None,
    reason="keras-lmu not installed (pip install nengo-lmu[bench])",
)


@pytest.fixture(scope="module")
def small_digits():
    (x_train, y_train), (x_test, y_test) = psdigits(seed=0)
    return (x_train[:128], y_train[:128]), (x_test[:16], y_test[:16])


def test_converted_model_runs_with_spikes_beside_keras_lmu(small_digits):
    metrics = run_convert(small_digits, units=16, order=8, epochs=1, sequences=4,
                          calibration_sequences=16, backends=("nengo",))
    assert metrics["sequences"] == 4
    # the conversion is exact: the converted model's rate accuracy is KerasLMU's
    assert metrics["converted_max_relative_difference"] < 1e-4
    assert metrics["eval_rate_test_accuracy"] == metrics["keras_lmu_accuracy"]
    for key in ("deployed_spiking_test_accuracy", "nengo_test_accuracy"):
        assert 0 <= metrics[key] <= 1


def test_theta_rows_start_short_and_learn(small_digits):
    rows, metrics = run_theta(small_digits, units=16, order=8, epochs=1, shrink=4)
    assert [row[1] for row in rows] == ["64", "16", "16"]
    assert metrics["learned_mode"] == "parallel"
    assert metrics["fixed_short_theta_steps"] == 16
    assert not np.isclose(metrics["learned_theta_steps"], 16)


def test_delay_rows_score_each_window():
    rows, metrics = run_delay(epochs=2)
    assert [row[1] for row in rows[:2]] == ["4.0", "16.0"]
    # the exact delay's window beats the window a quarter of it (see the test of
    # trainable theta on this task for the landscape between them)
    assert metrics["fixed_the_delay"] < metrics["fixed_delay/4"]
    assert len(metrics["learned_theta_steps_by_epoch"].split(",")) == 2
