"""Checkpoints: a training resumed from one ends where the uninterrupted one does."""

import importlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import training
from nengo_lmu.datasets import psdigits
from nengo_lmu.exceptions import CheckpointError, TrainingInterrupted
from nengo_lmu.training import checkpoint as checkpoints
from nengo_lmu.training.fit import fit

fit_module = importlib.import_module("nengo_lmu.training.fit")  # the module, not fit


def small_problem(**kwargs):
    (x, y), _ = psdigits()
    options = dict(hidden_to_hidden=False, seed=2)
    options.update(kwargs)
    spec = training.make_spec("classify", 64, 1, 10, 24, 12, **options)
    return spec, x[:320], y[:320]


@pytest.mark.parametrize("mode, dropout, schedule", [
    ("parallel", 0.5, "cosine"),
    ("steps", 0.0, "constant"),
])
def test_resumed_training_equals_uninterrupted(mode, dropout, schedule, tmp_path, monkeypatch):
    """Two epochs, then one more from the checkpoint: the params of three in one go."""
    spec, x, y = small_problem()
    options = dict(batch_size=32, learning_rate=3e-3, mode=mode, dropout=dropout,
                   lr_schedule=schedule, progress_bar=False)
    if mode == "steps":  # slow: fewer sequences
        x, y = x[:64], y[:64]
    whole, info = fit(spec, x, y, 3, **options)
    assert info["epochs_done"] == 3 and len(info["losses"]) == 3
    path = tmp_path / "run.ckpt.npz"

    class StopAfterTwo(Exception):
        pass

    # the first run "dies" after writing its second checkpoint
    real_save = checkpoints.save_checkpoint
    calls = []

    def save_then_die(*args):
        real_save(*args)
        calls.append(args[2])
        if args[2] == 2:
            raise StopAfterTwo

    with monkeypatch.context() as patch:
        patch.setattr(fit_module, "save_checkpoint", save_then_die)
        with pytest.raises(StopAfterTwo):
            fit(spec, x, y, 3, checkpoint=path, **options)
    assert calls == [1, 2]
    resumed, info = fit(spec, x, y, 3, checkpoint=path, resume=True, **options)
    assert info["resumed_from_epoch"] == 2 and info["epochs_done"] == 3
    assert sorted(resumed) == sorted(whole)
    for key, value in whole.items():
        assert np.allclose(resumed[key], value, rtol=1e-6, atol=1e-7), key
    # and a different continuation would differ: the check can fail
    other, _ = fit(spec, x, y, 3, **dict(options, learning_rate=1e-3))
    assert any(not np.allclose(other[k], v, atol=1e-7) for k, v in whole.items())


def test_resume_without_checkpoint_file_starts_afresh(tmp_path):
    spec, x, y = small_problem()
    path = tmp_path / "new.npz"
    _, info = fit(spec, x, y, 1, batch_size=32, checkpoint=path, resume=True,
                  progress_bar=False)
    assert "resumed_from_epoch" not in info and path.exists()


@pytest.mark.parametrize("change, named", [
    (dict(spec_kwargs=dict(seed=5)), "seed"),
    (dict(spec_kwargs=dict(hidden_to_hidden=False, order=8)), "order"),
    (dict(fit_kwargs=dict(learning_rate=1e-2)), "learning rate"),
    (dict(fit_kwargs=dict(dropout=0.2)), "dropout"),
    (dict(data=True), "data"),
])
def test_checkpoint_of_another_training_is_refused(change, named, tmp_path):
    spec, x, y = small_problem()
    path = tmp_path / "a.npz"
    fit(spec, x, y, 1, batch_size=32, checkpoint=path, progress_bar=False)
    spec_kwargs = change.get("spec_kwargs")
    if spec_kwargs:
        options = dict(hidden_to_hidden=False, seed=2)
        options.update(spec_kwargs)
        order = options.pop("order", 12)
        spec = training.make_spec("classify", 64, 1, 10, 24, order, **options)
    if change.get("data"):
        x = x[::-1]
    with pytest.raises(CheckpointError, match=f"differs.*{named}|{named}.*differs") as error:
        fit(spec, x, y, 1, batch_size=32, checkpoint=path, resume=True, progress_bar=False,
            **change.get("fit_kwargs", {}))
    assert error.value.attr == "checkpoint"


@pytest.mark.parametrize("content, message", [
    (b"not a zip", "not a readable checkpoint"),
    (None, "not a nengo-lmu training checkpoint"),
])
def test_unreadable_checkpoint_is_refused(content, message, tmp_path):
    spec, x, y = small_problem()
    path = tmp_path / "bad.npz"
    if content is None:
        np.savez(path, a=np.zeros(2))
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as error:
        fit(spec, x, y, 1, batch_size=32, checkpoint=path, resume=True, progress_bar=False)
    assert error.value.attr == "checkpoint"


@pytest.mark.parametrize("kwargs, name", [
    (dict(resume=True), "resume"),
    (dict(resume=1), "resume"),
    (dict(checkpoint="c.npz", max_batches=2), "checkpoint"),
    (dict(lr_schedule="linear"), "lr_schedule"),
])
def test_bad_checkpoint_options(kwargs, name):
    spec, x, y = small_problem()
    with pytest.raises(ValidationError) as error:
        fit(spec, x, y, 1, batch_size=32, progress_bar=False, **kwargs)
    assert error.value.attr == name


def test_interrupt_carries_the_params_so_far(tmp_path, monkeypatch):
    """Ctrl-C in the second epoch: the params and the first epoch's loss come with it."""
    spec, x, y = small_problem()
    real_order, epochs = fit_module._epoch_order, []

    def order_then_interrupt(seed, epoch, n_samples, n_used):
        epochs.append(epoch)
        if epoch == 1:
            raise KeyboardInterrupt
        return real_order(seed, epoch, n_samples, n_used)

    monkeypatch.setattr(fit_module, "_epoch_order", order_then_interrupt)
    path = tmp_path / "c.npz"
    with pytest.raises(TrainingInterrupted) as error:
        fit(spec, x, y, 3, batch_size=32, checkpoint=path, progress_bar=False)
    info = error.value.info
    assert info["epochs_done"] == 1 and len(info["losses"]) == 1
    assert info["checkpoint"] == path and path.exists()
    # the params of the first epoch, not the initial ones nor anything else
    monkeypatch.undo()
    one_epoch, _ = fit(spec, x, y, 1, batch_size=32, progress_bar=False)
    assert sorted(error.value.params) == sorted(one_epoch)
    for key, value in one_epoch.items():
        assert np.allclose(error.value.params[key], value, rtol=1e-6, atol=1e-7), key
    # training moves the params (were they the initial ones, two epochs would equal one)
    two_epochs, _ = fit(spec, x, y, 2, batch_size=32, progress_bar=False)
    assert any(not np.allclose(two_epochs[k], v, atol=1e-7) for k, v in one_epoch.items())


TRAIN = ["train", "psdigits", "--readout-synapse", "none", "--epochs", "2", "--units", "24",
         "--order", "12"]


def run_cli(argv, capsys):
    from nengo_lmu import cli  # pylint: disable=import-outside-toplevel

    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return stop.value.code, dict(line.split("=", 1) for line in out.splitlines() if "=" in line), err


def test_command_line_checkpoint_resume_and_interrupt(tmp_path, capsys, monkeypatch):
    """``--checkpoint``/``--resume`` give the uninterrupted run's accuracy; Ctrl-C saves."""
    path, model = str(tmp_path / "ckpt.npz"), str(tmp_path / "model.npz")
    code, whole, _ = run_cli(TRAIN, capsys)
    assert code == 0 and whole["train_mode"] == "parallel"

    real_order = fit_module._epoch_order

    def interrupt_in_second_epoch(seed, epoch, n_samples, n_used):
        if epoch == 1:
            raise KeyboardInterrupt
        return real_order(seed, epoch, n_samples, n_used)

    with monkeypatch.context() as patch:
        patch.setattr(fit_module, "_epoch_order", interrupt_in_second_epoch)
        code, partial, err = run_cli(TRAIN + ["--checkpoint", path, "--save", model], capsys)
    assert code == 130
    assert partial["interrupted"] == "true" and partial["epochs_done"] == "1"
    assert "last_epoch_loss" in partial
    assert "interrupted after 1 full epoch" in err and "--resume" in err
    assert training.load_model(model)[0]["order"] == 12

    code, resumed, _ = run_cli(TRAIN + ["--checkpoint", path, "--resume"], capsys)
    assert code == 0 and resumed["resumed_from_epoch"] == "1"
    assert resumed["test_accuracy"] == whole["test_accuracy"]


@pytest.mark.parametrize("extra, message", [
    (["--resume"], "--resume needs --checkpoint"),
    (["--checkpoint", "/proc/no/such/ckpt.npz"], "--checkpoint"),
    (["--lr-schedule", "linear"], "invalid choice"),
])
def test_command_line_bad_checkpoint_options(extra, message, capsys):
    code, _, err = run_cli(TRAIN + extra, capsys)
    assert code == 2 and message in err and "Traceback" not in err


#: a training stopped as soon as its first epoch's checkpoint is written (an
#: epoch takes 0.1-0.3 s; the test looks every 10 ms)
LONG_TRAIN = TRAIN[:5] + ["4"] + TRAIN[6:]


def checkpoint_epochs(path):
    """The whole epochs a checkpoint file holds."""
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["__checkpoint__"]))["epochs_done"]


def start_training(tmp_path, argv, checkpoint):
    """``nengo-lmu train`` in a subprocess, returned once it has written its first checkpoint.

    Its output goes to files (a full pipe would stall it); returns the process
    and a function that reads ``(stdout, stderr)`` once it has ended.
    """
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "nengo_lmu.cli", *argv],
                                   stdout=stdout, stderr=stderr)
    deadline = time.monotonic() + 300
    while not os.path.exists(checkpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"no checkpoint written; stderr:\n{err.read_text()[-2000:]}")
        time.sleep(0.01)
    return process, lambda: (out.read_text(), err.read_text())


def test_killed_training_resumes_to_the_uninterrupted_result(tmp_path, capsys):
    """SIGKILL (no handler runs): --resume continues from the last whole epoch, and ends
    with the uninterrupted training's model."""
    path = str(tmp_path / "ckpt.npz")
    whole_model, resumed_model = str(tmp_path / "whole.npz"), str(tmp_path / "resumed.npz")
    process, _ = start_training(tmp_path, LONG_TRAIN + ["--checkpoint", path], path)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    done = checkpoint_epochs(path)
    assert 1 <= done < 4  # killed mid-training, not after it

    code, resumed, _ = run_cli(LONG_TRAIN + ["--checkpoint", path, "--resume",
                                             "--save", resumed_model], capsys)
    assert code == 0 and resumed["resumed_from_epoch"] == str(done)
    code, whole, _ = run_cli(LONG_TRAIN + ["--save", whole_model], capsys)
    assert code == 0 and resumed["test_accuracy"] == whole["test_accuracy"]
    (spec, params), (whole_spec, whole_params) = map(training.load_model,
                                                       (resumed_model, whole_model))
    assert spec == whole_spec and sorted(params) == sorted(whole_params)
    for key, value in whole_params.items():
        assert np.allclose(params[key], value, rtol=1e-6, atol=1e-7), key
