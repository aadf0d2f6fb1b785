"""``nengo-lmu bench nir``: the exported memory in Norse, when its environment exists."""

import argparse
import importlib.util
import pathlib
import sys

import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli
from nengo_lmu.benchmarks import nir as nir_bench

CONSUMER = pathlib.Path(__file__).parents[2] / ".venv-nir" / "bin" / "python"
needs_nir = pytest.mark.skipif(
    importlib.util.find_spec("nir") is None, reason="nir not installed (pip install nengo-lmu[nir])"
)
needs_consumer = pytest.mark.skipif(
    not CONSUMER.exists(), reason="no consumer environment ('make nir-check')"
)


def bench_args(tmp_path, consumer, **kwargs):
    args = dict(
        backend="nengo", seed=0, duration=3.0, n_neurons=40, network="memory",
        unaligned=False, epochs=1, model=None, sequences=5,
        consumer_python=str(consumer), nir_file=str(tmp_path / "graph.nir"),
    )
    args.update(kwargs)
    return argparse.Namespace(**args)


def test_missing_nir_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "nir", None)  # 'import nir' raises ImportError
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "nir", "--duration", "0.1"])
    message = str(info.value.code)  # a message: exit status 1
    assert "pip install nengo-lmu[nir]" in message and "make install" in message
    assert "Traceback" not in capsys.readouterr().err


@needs_nir
def test_missing_consumer_environment_says_how_to_make_it(tmp_path):
    with pytest.raises(ValidationError, match="make nir-check"):
        nir_bench.run_nir_bench(bench_args(tmp_path, tmp_path / "no-python"))


@needs_nir
@needs_consumer
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


@pytest.mark.slow
@needs_nir
@needs_consumer
def test_norse_runs_the_deployed_cell_like_nengo_with_nir_neurons(tmp_path):
    """A psdigits cell trained for one epoch: Norse gives nengo-with-IF's classes."""
    metrics = nir_bench.run_nir_bench(
        bench_args(tmp_path, CONSUMER, network="deployed-cell", sequences=10)
    )
    assert metrics["norse_agreement_with_nengo_nir_if"] >= 0.9
    assert metrics["nengo_accuracy"] > 0.3  # trained for one epoch: above chance (0.1)
