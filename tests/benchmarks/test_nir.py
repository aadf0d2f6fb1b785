"""``nengo-lmu bench nir``: the exported memory in Norse, when its environment exists."""

import argparse
import pathlib

import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks import nir as nir_bench

pytest.importorskip("nir")

CONSUMER = pathlib.Path(__file__).parents[2] / ".venv-nir" / "bin" / "python"


def bench_args(tmp_path, consumer):
    return argparse.Namespace(
        backend="nengo", seed=0, duration=3.0, n_neurons=40,
        consumer_python=str(consumer), nir_file=str(tmp_path / "memory.nir"),
    )


def test_missing_consumer_environment_says_how_to_make_it(tmp_path):
    with pytest.raises(ValidationError, match="make nir-check"):
        nir_bench.run_nir_bench(bench_args(tmp_path, tmp_path / "no-python"))


@pytest.mark.skipif(not CONSUMER.exists(), reason="no consumer environment ('make nir-check')")
def test_norse_runs_the_exported_memory_like_nengo(tmp_path, capsys):
    metrics = nir_bench.run_nir_bench(bench_args(tmp_path, CONSUMER))
    assert "norse_vs_nengo_nrmse=" in capsys.readouterr().out
    # a short run of few neurons: looser than the targets (0.05 and 1.5x)
    assert metrics["norse_vs_nengo_nrmse"] < 0.15
    assert metrics["norse_over_nengo"] < 1.5
    assert pathlib.Path(metrics["nir_file"]).exists()


def test_failing_consumer_is_an_os_error(tmp_path):
    """A consumer that fails is reported as a failure the command line prints."""
    with pytest.raises(OSError, match="consumer run failed"):
        nir_bench.run_consumer("/bin/false", tmp_path / "none.nir", [[0.0]])
