"""Ctrl-C during a demo: the part simulated is scored, labelled and plotted (issue 17).

Ctrl-C is simulated by the backend's ``run_steps`` raising ``KeyboardInterrupt``
on its third call: the demos run in chunks of one simulated second
(`nengo_lmu.demos.partial.CHUNK_SECONDS`), so two chunks are complete.
"""

import contextlib
import re

import numpy as np
import pytest

from nengo_lmu import cli
from nengo_lmu.backends import import_backend_module
from nengo_lmu.demos import run_demo
from nengo_lmu.exceptions import DemoInterrupted

METRIC = re.compile(r"^[\w.]+=\S+$")
# imported here, not under a test's captured stdout: its progress bars keep
# the stream they first see, which pytest closes after that test
SIMULATORS = {"nengo": import_backend_module("nengo")}
with contextlib.suppress(ImportError):  # the core stack has no NengoDL
    SIMULATORS["dl"] = import_backend_module("nengo_dl")


def interrupt_third_chunk(monkeypatch, backend):
    """Make ``backend``'s simulator raise ``KeyboardInterrupt`` on its third run."""
    module = SIMULATORS[backend]
    original = module.Simulator.run_steps
    calls = []

    def run_steps(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(module.Simulator, "run_steps", run_steps)
    return calls


def metrics_of(text):
    """The ``name=value`` lines of a command's output (NengoDL's progress bars
    reach pytest's captured stdout)."""
    return dict(line.split("=", 1) for line in text.splitlines() if METRIC.match(line))


@pytest.mark.parametrize("demo_backend", ["nengo", pytest.param("dl", marks=pytest.mark.dl)])
def test_ctrl_c_prints_partial_metrics_and_saves_the_plot(demo_backend, monkeypatch, capsys,
                                                          tmp_path):
    calls = interrupt_third_chunk(monkeypatch, demo_backend)
    plot = tmp_path / "part.png"
    argv = ["demo", "ideal-delay", "--backend", demo_backend, "--duration", "4",
            "--plot", str(plot)]
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 130
    assert [args[0] for args in calls] == [1000, 1000, 1000]
    out, err = capsys.readouterr()
    assert err.strip().splitlines()[-1] == (
        "nengo-lmu: interrupted after 2 of 4 simulated seconds (the metrics are of that part)"
    )
    assert f"Saved plot to {plot}" in err and "Traceback" not in err
    metrics = metrics_of(out)
    assert metrics["partial"] == "true"
    assert metrics["simulated_seconds"] == "2" and metrics["duration"] == "4"
    # scored over the second simulated second (after the one-second window);
    # the shortest delay as well as in a complete run (0.0054 over 3 s, seed 3)
    delays = {name: float(v) for name, v in metrics.items() if name.startswith("nrmse_delay_")}
    assert len(delays) == 4 and all(0 < v < 1 for v in delays.values())
    assert delays["nrmse_delay_0.25s"] < 0.02
    assert float(metrics["nrmse"]) == pytest.approx(np.mean(list(delays.values())), rel=1e-4)
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_ctrl_c_while_learning_leaves_out_the_test_scores(monkeypatch):
    interrupt_third_chunk(monkeypatch, "nengo")
    with pytest.raises(DemoInterrupted) as info:
        run_demo("learn-delay", duration=5.0, seed=1)
    interrupted = info.value
    assert isinstance(interrupted, KeyboardInterrupt)
    assert (interrupted.simulated_seconds, interrupted.duration) == (2.0, 5.0)
    assert interrupted.plot is None
    metrics = interrupted.metrics
    # 2 s of the 4 s of learning: no test period yet, so no test scores
    assert metrics["learning_seconds"] == 2.0 and metrics["test_seconds"] == 0.0
    assert "nrmse" not in metrics and "nrmse_linear_readout" not in metrics
    assert np.isfinite(metrics["nrmse_last_10s_learning"])


def test_ctrl_c_before_the_run_is_a_plain_interrupt(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_demo", interrupted)
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "ideal-delay", "--duration", "1"])
    assert info.value.code == 130
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "nengo-lmu: interrupted"
