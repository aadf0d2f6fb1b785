"""Training helpers: fit, save/reload, the same model on every backend, bad input."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import cli, training


def toy_data(rng, n=24, steps=8, classes=3):
    """Classes by the input's mean level: learnable in a few batches."""
    y = rng.randint(classes, size=n)
    x = (y[:, None, None] + rng.uniform(-0.3, 0.3, (n, steps, 1))) / classes
    return x.astype(np.float32), y


def test_fit_save_reload_and_plain_nengo(rng, tmp_path, allclose, plt):
    x, y = toy_data(rng)
    spec = training.make_spec("classify", 8, 1, 3, units=6, order=4, seed=1)
    params, info = training.fit(spec, x, y, epochs=2, batch_size=8, progress_bar=False)
    assert info["batches"] == 6
    trained = training.predict(spec, params, x, batch_size=8)
    assert trained.shape == (24, 3)

    path = tmp_path / "model.npz"
    training.save_model(path, spec, params)
    spec2, params2 = training.load_model(path)
    assert spec2 == spec
    assert np.array_equal(training.predict(spec2, params2, x, batch_size=8), trained)

    # the same trained model as a plain Nengo network, many sequences in one run
    plain = training.run_sequences(spec2, params2, x[:6], backend="nengo", progress_bar=False)
    plt.plot(trained[:6].ravel(), plain.ravel(), ".")
    assert allclose(plain, trained[:6], atol=1e-4)


@pytest.mark.parametrize("neuron_type, options", [
    ("tanh", dict(hidden_to_hidden=True)),
    ("tanh", dict(hidden_to_hidden=False, hidden_to_memory=True)),
    ("relu", dict(memory_to_memory=True)),
    # the hidden state's rates (up to 1 / tau_ref) keep it firing through the inhibition
    ("lif-rate", dict(hidden_to_hidden=True)),
])
def test_run_sequences_restarts_every_recurrent_state(neuron_type, options, rng, allclose):
    """Each sequence of a run starts from zero state, as in NengoDL's batches.

    Inhibited, tanh neurons output ``-1 / tau_ref``, not 0; LIF neurons that
    excite one another may not stop; a memory that reads itself reads the
    last sequence's state at the next one's start.
    """
    x = rng.uniform(-1, 1, (4, 8, 2)).astype(np.float32)
    spec = training.make_spec("regress", 8, 2, 3, units=6, order=4, seed=1,
                              neuron_type=neuron_type, **options)
    params, _ = training.fit(spec, x, np.zeros((4, 8, 3)), epochs=0, batch_size=4,
                             mode="steps", progress_bar=False)
    batched = training.predict(spec, params, x, batch_size=4)
    plain = training.run_sequences(spec, params, x, backend="nengo", progress_bar=False)
    assert allclose(plain, batched, atol=1e-5 * np.abs(batched).max())


@pytest.mark.slow
def test_spiking_counterpart_approaches_rates(rng):
    x, y = toy_data(rng, n=8)
    spec = training.make_spec("classify", 8, 1, 3, units=6, order=4, seed=2,
                              hidden_to_hidden=False)
    rate = training.predict(spec, None, x, batch_size=8)
    spikes = [
        training.predict(spec, None, x, batch_size=8, neuron_type="spiking-relu", rate_scale=s)
        for s in (10.0, 1e5)
    ]
    errors = [np.abs(s - rate).mean() for s in spikes]
    assert errors[1] < 0.1 * errors[0]  # faster, smaller spikes: closer to the rates


@pytest.mark.slow
def test_regressor_learns_a_delay(rng):
    x = rng.uniform(-1, 1, (32, 16, 1)).astype(np.float32)
    y = np.zeros_like(x)
    y[:, 3:] = x[:, :-3]  # the input 3 steps ago
    result = training.train_regressor(((x, y), (x[:8], y[:8])), units=16, order=8,
                                      epochs=8, batch_size=8, learning_rate=1e-2,
                                      progress_bar=False)
    assert result["test_nrmse"] < 0.8  # from 1 (predicting 0) within 8 epochs


@pytest.mark.parametrize(
    "change, attr",
    [
        (lambda d: dict(d, x_train=d["x_train"][:, :, 0]), "x_train"),
        (lambda d: dict(d, y_test=d["y_test"] + 5), "y_test"),
        (lambda d: dict(d, y_train=d["y_train"].astype(float)), "y_train"),
        (lambda d: dict(d, units=0), "units"),
        (lambda d: dict(d, x_test=d["x_test"][:, :4]), "x_test"),
    ],
)
def test_train_classifier_bad_input(rng, change, attr):
    x, y = toy_data(rng, n=8)
    d = change(dict(x_train=x, y_train=y, x_test=x, y_test=y, units=4))
    with pytest.raises(ValidationError) as info:
        training.train_classifier(
            ((d["x_train"], d["y_train"]), (d["x_test"], d["y_test"])),
            units=d["units"], order=4, epochs=1, batch_size=4, progress_bar=False,
        )
    assert info.value.attr == attr


def test_train_command_refuses_unknown_dataset(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "psnothing"])
    assert info.value.code == 2
    assert "psdigits" in capsys.readouterr().err  # it lists what there is


@pytest.mark.slow
def test_train_command_evaluates_a_deployment(rng, tmp_path, capsys):
    """--evaluate-on deploys a saved model and prints each backend's accuracy."""
    from nengo_lmu.training.recipes import RECIPES, load_dataset

    result = training.train_classifier(load_dataset("psdigits"), seed=0, progress_bar=False,
                                       **dict(RECIPES["psdigits"], epochs=1))
    path = tmp_path / "model.npz"
    training.save_model(path, result["spec"], result["params"])
    argv = ["train", "psdigits", "--load", str(path), "--evaluate-on", "nengo",
            "--eval-sequences", "60", "--calibration-sequences", "20",
            "--steps-per-element", "4"]
    assert cli.main(argv) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split()
                 if "=" in line)
    assert lines["eval_sequences"] == "60"
    assert lines["preflight_problems"] == "0"
    assert lines["test_accuracy"] == f"{result['test_accuracy']:.6g}"
    # nengo runs the deployed network NengoDL evaluated, spikes and all. This model
    # (trained through a lowpass) holds its elements, 4 steps each, and is read at one
    # step through a 20 ms lowpass: its spikes' phases, which differ between NengoDL's
    # batches (every sequence from rest) and nengo's one run (voltages carried through
    # the gaps), decide the class of the sequences near a tie: 0.90 of these 60 agree
    assert float(lines["nengo_agreement_with_dl_spiking"]) >= 0.85
    assert float(lines["nengo_test_accuracy"]) == pytest.approx(
        float(lines["deployed_spiking_test_accuracy"]), abs=0.1)
    assert float(lines["nengo_test_accuracy"]) > 0.5  # well above chance (0.1)
    assert "loihi_sim_test_accuracy" not in lines


def test_train_command_refuses_bad_deployment_options(capsys):
    for argv in (["--evaluate-on", "nengo,nope"], ["--eval-sequences", "0"],
                 ["--steps-per-element", "0"], ["--readout-steps", "-1"],
                 ["--evaluate-on", "nengo", "--max-rate", "2000"]):
        with pytest.raises(SystemExit) as info:
            cli.main(["train", "psdigits"] + argv)
        assert info.value.code == 2
        assert argv[-2].strip("-").replace("-", "_") in capsys.readouterr().err.replace("-", "_")


def test_a_failed_save_leaves_the_old_model_whole(rng, tmp_path, monkeypatch):
    """save_model writes atomically: killed mid-save, the old file is still there, whole."""
    spec = training.make_spec("classify", 8, 1, 3, units=6, order=4, seed=1)
    path = tmp_path / "model.npz"
    training.save_model(path, spec, {"0/bias": np.ones(6)})
    before = path.read_bytes()

    def savez_then_die(file, **arrays):
        file.write(b"PK\x03\x04 half a zip archive")
        raise KeyboardInterrupt  # as a Ctrl-C in the middle of the write

    monkeypatch.setattr(np, "savez", savez_then_die)
    with pytest.raises(KeyboardInterrupt):
        training.save_model(path, spec, {"0/bias": np.zeros(6)})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert np.array_equal(training.load_model(path)[1]["0/bias"], np.ones(6))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]  # no temporary left


def test_save_model_adds_the_suffix_as_numpy_did(tmp_path):
    spec = training.make_spec("classify", 8, 1, 3, units=6, order=4)
    training.save_model(tmp_path / "model", spec, {})
    assert (tmp_path / "model.npz").exists()
