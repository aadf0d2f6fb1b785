"""``nengo-lmu bench training``: seeds, the mean +- sd rows, validation."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli
from nengo_lmu.benchmarks import training as training_bench


def test_parse_seeds():
    assert training_bench.parse_seeds("0,1,2") == [0, 1, 2]
    assert training_bench.parse_seeds(" 3, 5 ") == [3, 5]
    for bad in ("", "a,b", "-1", "1.5"):
        with pytest.raises(ValidationError) as info:
            training_bench.parse_seeds(bad)
        assert info.value.attr == "seeds"


def test_summarize():
    mean, sd = training_bench.summarize([0.9, 0.95, 1.0])
    assert np.isclose(mean, 0.95) and np.isclose(sd, 0.05)
    assert training_bench.summarize([0.5]) == (0.5, 0.0)


def _result(acc, seconds, spiking=None, keras=False):
    if keras:
        return dict(test_accuracy=acc, seconds_per_epoch=seconds)
    out = dict(test_accuracy=acc, projected_epoch_seconds=seconds)
    if spiking is not None:
        out["spiking_test_accuracy"] = spiking
    return out


def test_bench_training_seeds_table(monkeypatch, capsys):
    calls = []

    def fake_run(dataset, units, order, epochs, batch_size, learning_rate, seed,
                 spiking=False, readout_synapse="recipe"):
        calls.append((dataset, units, order, epochs, batch_size, learning_rate, seed, spiking,
                       readout_synapse))
        return (_result(0.96 + 0.01 * seed, 4.0 + seed, spiking=0.95 + 0.01 * seed),
                _result(0.95 + 0.02 * seed, 2.0, keras=True),
                _result(0.9 + 0.03 * seed, 2.5, keras=True))

    monkeypatch.setattr(training_bench, "run_comparison", fake_run)
    pytest.importorskip("keras_lmu")
    cli.main(["bench", "training", "--seeds", "0,1,2", "--units", "8", "--order", "4",
              "--epochs", "1", "--spiking", "--readout-synapse", "none"])
    out = capsys.readouterr().out
    assert [c[6] for c in calls] == [0, 1, 2]
    assert all(c[1:4] == (8, 4, 1) and c[7] and c[8] is None for c in calls)
    assert "our readout lowpass none" in out
    assert "mean +- sd" in out and "0.9700 +- 0.0100" in out  # ours
    assert "0.9700 +- 0.0200" in out  # KerasLMU
    assert "ours_test_accuracy=0.97\n" in out
    assert "ours_test_accuracy_sd=0.01\n" in out
    assert "keras_lmu_test_accuracy_sd=0.02\n" in out
    assert "0.9300 +- 0.0300" in out  # KerasLMU with our hidden layer
    assert "keras_lmu_our_hidden_test_accuracy=0.93\n" in out
    assert "ours_spiking_test_accuracy=0.96\n" in out
    assert "seconds_per_epoch_ratio=2.5\n" in out  # mean 5.0 / 2.0


@pytest.mark.dl  # without nengo-dl the missing extra is named first (tests/test_extras.py)
def test_bench_training_rejects_bad_seeds_before_running(monkeypatch, capsys):
    monkeypatch.setattr(training_bench, "run_comparison",
                        lambda *args, **kwargs: pytest.fail("must not run"))
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "training", "--seeds", "0,x"])
    assert info.value.code == 2
    assert "seeds" in capsys.readouterr().err
