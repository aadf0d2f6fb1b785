"""The backends benchmark: its table, its failure rows, and NengoDL batching."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli, training
from nengo_lmu.benchmarks import backend_networks as bn
from nengo_lmu.benchmarks import backends as bb
from nengo_lmu.benchmarks import batched
from nengo_lmu.training.recipes import RECIPES, load_dataset


def small_networks():
    """Tiny versions of the registered networks: a 0.1 s window scores in 0.3 s."""
    return [
        bn.ideal_memory_network(order=4, theta=0.1, freq=5.0, name="tiny-ideal"),
        bn.spiking_memory_network(
            nengo.SpikingRectifiedLinear(), order=3, theta=0.1, n_neurons=20, freq=5.0,
            name="tiny-spiking",
        ),
    ]


@pytest.mark.dl
def test_table_on_nengo_and_dl():
    rows = bb.run_backend_table(
        small_networks(), backends="nengo,dl", duration=0.3, chunk=0.3, repeats=1,
        progress_bar=False,
    )
    table = {(row["network"], row["backend"]): row for row in rows}
    assert sorted(table) == sorted(
        (n, b) for n in ("tiny-ideal", "tiny-spiking") for b in ("nengo", "dl")
    )
    for row in rows:
        assert row["status"] == "ok", row
        assert row["speed"] > 0 and row["build_seconds"] > 0
    for network in ("tiny-ideal", "tiny-spiking"):
        on_nengo = table[network, "nengo"]["accuracy"]
        on_dl = table[network, "dl"]["accuracy"]
        assert np.isfinite(on_nengo)
        # float32 and float64 run the same network: the same figure
        assert on_dl == pytest.approx(on_nengo, rel=1e-3)
    # the ideal order-4 memory of a 5 Hz signal over 0.1 s is near exact
    assert table["tiny-ideal", "nengo"]["accuracy"] < 0.05
    assert table["tiny-spiking", "nengo"]["accuracy"] < 0.5

    text = bb.format_backend_table(rows)
    assert "delay NRMSE vs exact delays" in text and "state NRMSE vs ideal memory" in text


def test_registered_networks_too_short_to_score():
    """A run shorter than the window still times; its figure says it is not scored."""
    rows = bb.run_backend_table(
        ["ideal-memory"], backends=["nengo"], duration=0.2, chunk=0.05, repeats=1,
        progress_bar=False,
    )
    (row,) = rows
    assert row["status"] == "ok (run too short to score)"
    assert np.isnan(row["accuracy"]) and row["speed"] > 0


@pytest.mark.dl
def test_failing_backend_gets_its_reason():
    """The ideal memory has no neurons for nengo-loihi to put on chip; no board here."""
    rows = bb.run_backend_table(
        small_networks()[:1], backends=["loihi-sim", "loihi", "nengo"], duration=0.3,
        chunk=0.05, repeats=1, progress_bar=False,
    )
    loihi_sim, loihi, on_nengo = rows
    # the pre-flight check refuses the Node-only memory before nengo-loihi builds it
    assert loihi_sim["status"].startswith("build failed: LoihiPreflightError:")
    assert "cannot go on the Loihi chip" in loihi_sim["status"]
    assert loihi["status"].startswith("build failed: BackendUnavailableError: Backend 'loihi'")
    for row in (loihi_sim, loihi):
        assert np.isnan(row["accuracy"]) and np.isnan(row["speed"])
    assert on_nengo["status"] == "ok"  # the other backends still run
    assert "cannot go on the Loihi chip" in bb.format_backend_table(rows)


def test_failing_run_gets_its_reason():
    """A network that fails while running gets a row too, after the ones that ran."""
    tiny = small_networks()[0]

    def build(signal_output, signal, dt, seed):
        case = tiny.build(signal_output, signal, dt, seed)

        def run(sim, steps):
            sim.run_steps(steps // 2)
            raise RuntimeError("diverged\ntraceback details")

        return bn.BenchCase(case.model, case.stim, case.score, run=run)

    failing = bn.BenchNetwork("failing", "none", build, duration=0.3)
    rows = bb.run_backend_table([tiny, failing], backends=["nengo"], duration=0.3,
                                chunk=0.05, repeats=1, progress_bar=False)
    assert [row["status"] for row in rows] == ["ok", "run failed: RuntimeError: diverged"]
    assert np.isnan(rows[1]["speed"]) and rows[1]["build_seconds"] > 0


def test_first_line():
    assert bb.first_line(ValueError("first\nsecond")) == "ValueError: first"
    assert bb.first_line(KeyError()) == "KeyError"


@pytest.mark.dl
def test_batched_equals_one_by_one():
    network = small_networks()[1]
    result = batched.compare_batched(network, n_signals=3, duration=0.2, repeats=1,
                                progress_bar=False)
    assert result["equal"], result["max_abs_diff"]
    assert result["max_abs_diff"] <= 1e-5 * result["max_abs_value"]
    scores = result["scores"]
    # each signal is a different input: different figures, the same on every path
    assert len(set(scores["dl-batched"])) == 3
    assert np.allclose(scores["dl-batched"], scores["dl"], rtol=1e-5)
    assert np.allclose(scores["dl"], scores["nengo"], rtol=1e-2)
    assert set(result["speedup"]) == {"nengo", "dl", "dl-batched"}
    assert result["speedup"]["dl-batched"] == 1.0
    assert "minibatch_size=3" in batched.format_batched_table(result)


def test_bad_arguments_fail_before_building():
    with pytest.raises(ValidationError, match="networks"):
        bb.run_backend_table(["no-such-network"])
    with pytest.raises(ValidationError, match="backends"):
        bb.run_backend_table(small_networks(), backends="nengo,nope")
    with pytest.raises(ValidationError, match="repeats"):
        bb.run_backend_table(small_networks(), repeats=0)
    with pytest.raises(ValidationError, match="network"):
        batched.compare_batched("learned-readout")
    with pytest.raises(ValidationError, match="n_signals"):
        batched.compare_batched(n_signals=0)


def test_cli_bench_backends(capsys):
    argv = ["bench", "backends", "--backends", "nengo", "--networks", "spiking-memory-relu",
            "--duration", "0.2", "--chunk", "0.05", "--repeats", "1", "--batch", "0"]
    assert cli.main(argv) == 0
    output = capsys.readouterr().out
    assert "spiking-memory-relu" in output and "sim s/wall s" in output
    assert "machine:" in output and "batched" not in output
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "backends", "--networks", "nope"])
    assert info.value.code == 2
    assert "networks" in capsys.readouterr().err


@pytest.mark.slow
def test_trained_cell_row(tmp_path):
    """The deployed psdigits cell classifies on nengo and loihi-sim alike (a short run)."""
    result = training.train_classifier(load_dataset("psdigits"), seed=0, progress_bar=False,
                                       **dict(RECIPES["psdigits"], epochs=2))
    path = tmp_path / "cell.npz"
    training.save_model(path, result["spec"], result["params"])
    network = bn.trained_cell_network(n_sequences=4, model_path=path)
    rows = bb.run_backend_table([network], backends="nengo,loihi-sim", chunk=0.1,
                                repeats=1, progress_bar=False)
    for row in rows:
        assert row["status"] == "ok", row
        assert row["speed"] > 0
        assert row["accuracy"] >= 0.5  # 4 sequences, 10 classes: far above chance
    assert "test accuracy (psdigits)" in bb.format_backend_table(rows)
