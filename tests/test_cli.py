"""The nengo-lmu command line."""

import re

import pytest

from nengo_lmu import cli

METRIC_LINE = re.compile(r"^[a-z_0-9.]+=\S+$")


def metrics_from(output):
    lines = output.strip().splitlines()
    assert all(METRIC_LINE.match(line) for line in lines), output
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.backends_lack(
    "loihi-sim",
    "loihi",
    reason="the ideal-delay demo's memory is Nodes only, and nengo-loihi refuses a "
    "network with no neurons on the chip",
)
def test_ideal_delay_demo_prints_metrics_and_saves_plot(backend, tmp_path, capsys):
    plot = tmp_path / "new-directory" / "demo.png"
    argv = ["demo", "ideal-delay", "--backend", backend, "--seed", "3", "--plot", str(plot)]
    assert cli.main(argv + ["--duration", "3"]) == 0
    output = capsys.readouterr().out
    metrics = metrics_from(output)
    assert output.strip().splitlines()[-1].startswith("nrmse=")
    assert metrics["backend"] == backend
    assert float(metrics["nrmse"]) < 0.05
    assert plot.stat().st_size > 10000


def test_learning_demo_is_the_default_and_reproducible(tmp_path, capsys):
    """Same seed, same numbers; a short run still learns."""
    runs = []
    for _ in range(2):
        cli.main(["demo", "--seed", "5", "--duration", "15", "--plot", str(tmp_path / "l.png")])
        runs.append(metrics_from(capsys.readouterr().out))
    assert runs[0] == runs[1]
    assert runs[0]["demo"] == "learn-delay"
    assert capsys.readouterr().out == ""
    # 12 s of learning get well under the untrained error (1.0)
    assert float(runs[0]["nrmse"]) < 0.5
    assert (tmp_path / "l.png").stat().st_size > 10000
    cli.main(["demo", "--seed", "6", "--duration", "15"])
    assert metrics_from(capsys.readouterr().out)["nrmse"] != runs[0]["nrmse"]


def test_bench_capacity_prints_table(capsys):
    cli.main(["bench", "capacity", "--steps", "100", "--sequences", "1", "--order", "20"])
    output = capsys.readouterr().out
    assert "published@T" in output
    row = output.strip().splitlines()[-1].split()
    assert row[0] == "100" and float(row[5]) > 0


def test_bad_backend_is_a_clean_error(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--backend", "nope"])
    assert info.value.code == 2
    assert "must be one of ['nengo', 'dl', 'loihi-sim', 'loihi']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["demo", "no-such-demo"])


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    assert "demo" in help_text and "bench" in help_text


def test_bench_spiking_memory_comparison_prints_table(capsys, tmp_path):
    argv = ["bench", "spiking-memory", "--parts", "comparison", "--seeds", "1",
            "--duration", "3", "--plot-dir", str(tmp_path)]
    assert cli.main(argv) == 0
    output = capsys.readouterr().out
    cells = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]
    rows = {row[0]: row[1:] for row in cells if len(row) == 3 and "±" in row[1]}
    assert "hand-built recipe" in rows and "ours, defaults" in rows
    assert len(rows) == 9


def test_bench_spiking_memory_rejects_unknown_parts(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "spiking-memory", "--parts", "comparison,speed"])
    assert info.value.code == 2
    assert "speed" in capsys.readouterr().err


def test_mackey_glass_demo_beats_persistence(capsys, tmp_path):
    plot = tmp_path / "mg.png"
    argv = ["demo", "mackey-glass", "--duration", "20", "--seed", "1", "--plot", str(plot)]
    assert cli.main(argv) == 0
    metrics = metrics_from(capsys.readouterr().out)
    # measured: nrmse 0.379, persistence 1.605 (16 s of learning, 4 s of test)
    assert float(metrics["nrmse"]) < 0.5 * float(metrics["persistence_nrmse"])
    assert plot.stat().st_size > 10000
