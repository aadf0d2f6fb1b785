"""SIGTERM and SIGHUP stop a run as Ctrl-C does (issue 27).

The signals here are real (``os.kill`` of this process), sent from inside the
run at a chosen point, so the test is deterministic: Python runs the handler
as soon as ``os.kill`` returns. Real subprocesses stopped by SIGTERM and
killed by SIGKILL are in tests/test_bad_input.py and
tests/training/test_checkpoint.py.
"""

import importlib
import os
import signal

import numpy as np
import pytest

from nengo_lmu import cli, training
from nengo_lmu.benchmarks import convolution
from nengo_lmu.exceptions import StopSignal, TrainingInterrupted
from nengo_lmu.utils.signals import exit_code, stop_signals, stopped_by
from tests.demos.test_interrupt import SIMULATORS, metrics_of
from tests.training.test_checkpoint import TRAIN, run_cli, small_problem

fit_module = importlib.import_module("nengo_lmu.training.fit")


def kill_self(signum):
    os.kill(os.getpid(), signum)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_stop_signal_raises_in_the_block_only(signum):
    before = signal.getsignal(signum)
    assert before is signal.SIG_DFL  # pytest leaves them alone
    with pytest.raises(StopSignal) as info:
        with stop_signals():
            kill_self(signum)
    assert isinstance(info.value, KeyboardInterrupt)
    assert info.value.signum == signum and stopped_by(info.value) == signum
    assert exit_code(info.value) == 128 + signum
    assert signal.getsignal(signum) is signal.SIG_DFL


def test_ignored_and_own_handlers_are_kept():
    """nohup's ignored SIGHUP stays ignored; a program's own SIGTERM handler stays its own."""
    seen = []
    old_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    old_term = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with stop_signals():
            kill_self(signal.SIGHUP)
            kill_self(signal.SIGTERM)
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, old_hup)
        signal.signal(signal.SIGTERM, old_term)


def test_a_second_signal_does_not_cut_the_saving_short():
    saved = []
    with stop_signals():
        try:
            kill_self(signal.SIGTERM)
        except StopSignal:
            kill_self(signal.SIGTERM)  # systemd, a shell: more than one
            kill_self(signal.SIGHUP)
            saved.append(True)
    assert saved == [True]
    assert stopped_by() == signal.SIGTERM  # the first one is what stopped it


def test_ctrl_c_is_sigint():
    with stop_signals():  # a fresh block forgets the signals of earlier ones
        pass
    assert stopped_by(KeyboardInterrupt()) == signal.SIGINT
    assert exit_code(KeyboardInterrupt()) == 130


def signal_in_epoch(monkeypatch, signum, epoch=1):
    real_order = fit_module._epoch_order

    def order(seed, at_epoch, n_samples, n_used):
        if at_epoch == epoch:
            kill_self(signum)
        return real_order(seed, at_epoch, n_samples, n_used)

    monkeypatch.setattr(fit_module, "_epoch_order", order)


@pytest.mark.dl
def test_fit_stopped_by_sigterm_raises_training_interrupted(monkeypatch, tmp_path):
    """Through the API: the params so far, the signal, and the default handler back."""
    spec, x, y = small_problem()
    signal_in_epoch(monkeypatch, signal.SIGTERM)
    path = tmp_path / "c.npz"
    with pytest.raises(TrainingInterrupted) as info:
        training.fit(spec, x, y, 3, batch_size=32, checkpoint=path, progress_bar=False)
    assert info.value.signum == signal.SIGTERM and "stopped by SIGTERM" in str(info.value)
    assert info.value.info["epochs_done"] == 1 and path.exists()
    logits = training.predict(spec, info.value.params, x[:32])
    assert logits.shape == (32, 10) and np.all(np.isfinite(logits))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.dl
def test_train_classifier_stopped_while_evaluating_keeps_the_model(monkeypatch):
    spec, x, y = small_problem()

    def evaluate(*args, **kwargs):
        kill_self(signal.SIGHUP)
        raise AssertionError("not reached")

    monkeypatch.setattr(fit_module, "evaluate_classifier", evaluate)
    with pytest.raises(TrainingInterrupted) as info:
        training.train_classifier(((x, y), (x[:32], y[:32])), units=24, order=12, epochs=2,
                                  hidden_to_hidden=False, seed=2, progress_bar=False)
    interrupt = info.value
    assert interrupt.signum == signal.SIGHUP
    assert interrupt.info["epochs_done"] == 2 and interrupt.spec["units"] == 24
    assert sorted(interrupt.params) == sorted(training.fit(
        spec, x, y, 0, batch_size=32, progress_bar=False)[0])


@pytest.mark.dl
def test_cli_train_stopped_by_sighup_saves_and_exits_129(monkeypatch, capsys, tmp_path):
    model = tmp_path / "model.npz"
    signal_in_epoch(monkeypatch, signal.SIGHUP)
    code, out, err = run_cli(TRAIN + ["--save", str(model)], capsys)
    assert code == 128 + signal.SIGHUP
    assert out["interrupted"] == "true" and out["signal"] == "SIGHUP"
    assert out["epochs_done"] == "1"
    assert "No --checkpoint was given" in err and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "nengo-lmu: training interrupted after 1 full epoch(s) (stopped by SIGHUP)"
    )
    assert training.load_model(model)[0]["order"] == 12


def test_cli_demo_stopped_by_sigterm_prints_partial_metrics_and_plots(monkeypatch, capsys,
                                                                       tmp_path):
    module = SIMULATORS["nengo"]
    original, calls = module.Simulator.run_steps, []

    def run_steps(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            kill_self(signal.SIGTERM)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(module.Simulator, "run_steps", run_steps)
    plot = tmp_path / "part.png"
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "ideal-delay", "--duration", "4", "--plot", str(plot)])
    assert info.value.code == 128 + signal.SIGTERM
    out, err = capsys.readouterr()
    metrics = metrics_of(out)
    assert metrics["partial"] == "true" and metrics["simulated_seconds"] == "2"
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert err.strip().splitlines()[-1] == (
        "nengo-lmu: interrupted after 2 of 4 simulated seconds (the metrics are of that "
        "part) (stopped by SIGTERM)"
    )
    assert "Traceback" not in err


@pytest.mark.dl  # NengoDL trains; TensorFlow convolves
def test_cli_bench_stopped_by_sigterm_exits_143_in_one_line(monkeypatch, capsys):
    def run(*args, **kwargs):
        kill_self(signal.SIGTERM)
        raise AssertionError("not reached")

    monkeypatch.setattr(convolution, "run_convolution", run)
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "convolution"])
    assert info.value.code == 143
    err = capsys.readouterr().err
    assert err.strip() == "nengo-lmu: stopped by SIGTERM"
