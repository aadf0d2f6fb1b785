"""Every example runs (in its fast mode), so none can rot."""

import pathlib
import re
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).parents[1] / "examples"
METRIC = re.compile(r"^([a-z_0-9]+)=(\S+)$", re.MULTILINE)


def run_example(name, tmp_path, *args):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--fast", "--plot", str(tmp_path / "plot.png"), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (tmp_path / "plot.png").stat().st_size > 10000
    return dict(METRIC.findall(result.stdout))


def test_legendre_window(backend, tmp_path):
    metrics = run_example("legendre_window.py", tmp_path, "--backend", backend)
    errors = [float(metrics[f"window_nrmse_order_{d}"]) for d in (4, 8, 16)]
    assert errors[2] < 0.05
    assert errors[0] > errors[1] > errors[2]  # a higher order remembers more detail


def test_spiking_memory(backend, tmp_path):
    metrics = run_example("spiking_memory.py", tmp_path, "--backend", backend)
    assert float(metrics["ours_state_nrmse"]) < 0.05
    assert float(metrics["ours_delay_nrmse"]) < float(metrics["hand_built_delay_nrmse"])


def test_online_learning(backend, tmp_path):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "online_learning.py"), "--fast", "--backend", backend,
         "--plot", str(tmp_path / "plot.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    metrics = dict(METRIC.findall(result.stdout))
    for name in ("delay", "product", "mackey_glass"):
        assert (tmp_path / f"plot-{name.replace('_', '-')}.png").stat().st_size > 10000
        assert 0 < float(metrics[f"{name}_nrmse"]) < 2
    # 4 s of learning beat the untrained output (NRMSE 1) on the delay; the
    # product needs longer at the demo's rate (tests/test_learning.py tests it)
    assert float(metrics["delay_nrmse"]) < 1


def test_every_example_is_tested():
    tested = set(re.findall(r'"(\w+\.py)"', pathlib.Path(__file__).read_text()))
    assert {p.name for p in EXAMPLES.glob("*.py")} <= tested
