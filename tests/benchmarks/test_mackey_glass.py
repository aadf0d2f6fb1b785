"""``nengo-lmu bench mackey-glass`` runs end to end; its regressor runs step by step alike."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli, training
from nengo_lmu.benchmarks import mackey_glass as bench
from nengo_lmu.datasets import mackey_glass_sequences
from nengo_lmu.training import parallel

# imported before capsys, so its loggers keep the real stderr; every test trains
nengo_dl = pytest.importorskip("nengo_dl", reason="needs nengo-dl (pip install nengo-lmu[dl])")

TINY = ["--series", "4", "--steps", "200", "--units", "8", "--order", "4", "--theta", "20",
        "--epochs", "1", "--batch-size", "64"]


def test_bench_prints_its_table(capsys):
    cli.main(["bench", "mackey-glass"] + TINY)
    out = capsys.readouterr().out
    assert "seed=0 test_nrmse_percent=" in out
    for line in ("paper: LSTM", "5.87", "paper: LMU", "4.87", "paper: hybrid", "4.47",
                 "persistence", "train_mode=parallel", "test_nrmse_percent=",
                 "train_seconds="):
        assert line in out
    nrmse = float(out.split("\ntest_nrmse_percent=")[1].split()[0])
    persistence = float(out.split("\npersistence_nrmse_percent=")[1].split()[0])
    # one epoch of a tiny model already beats persistence (measured: 135 against 163)
    assert 0 < nrmse < 0.9 * persistence


def test_bench_seeds_and_validation(capsys):
    cli.main(["bench", "mackey-glass", "--seeds", "1,2", "--validation", "1"] + TINY)
    out = capsys.readouterr().out
    assert "seed=1 validation_nrmse_percent=" in out
    assert "seed=2 validation_nrmse_percent=" in out
    assert "+-" in out and "validation_nrmse_percent_sd=" in out
    assert "trained on 1, scored on 1 validation series" in out


def test_validation_split_never_holds_the_test_series():
    data = mackey_glass_sequences(n_series=8, n_steps=30, seed=2)
    (x_fit, _), (x_val, y_val) = bench.split_validation(data, 2)
    (x_train, y_train), (x_test, _) = data
    assert np.array_equal(x_fit, x_train[:2]) and np.array_equal(x_val, x_train[2:])
    assert np.array_equal(y_val, y_train[2:])
    assert not any(np.array_equal(x_val[0], x) for x in x_test)
    for bad in (0, 4):
        with pytest.raises(ValidationError) as info:
            bench.split_validation(data, bad)
        assert info.value.attr == "validation"


def test_trained_outputs_parallel_equal_step_by_step(allclose):
    """Trained in parallel on Mackey-Glass, the step-by-step `build_model` gives the same outputs."""
    (x, y), (x_test, _) = mackey_glass_sequences(n_series=4, n_steps=120, seed=1)
    result = training.train_regressor(((x, y), (x_test, x_test)), units=16, order=6,
                                      theta=0.03, epochs=2, batch_size=32, learning_rate=3e-3,
                                      progress_bar=False, **bench.CELL)
    assert result["train_mode"] == "parallel"
    spec, params = result["spec"], result["params"]
    ours = parallel.parallel_predict(spec, params, x_test)
    steps = training.predict(spec, params, x_test, batch_size=2)
    assert ours.shape == steps.shape == x_test.shape
    assert np.std(ours) > 1e-3  # trained to something, not a constant
    assert allclose(steps, ours, rtol=1e-4, atol=1e-4 * np.abs(ours).max())
