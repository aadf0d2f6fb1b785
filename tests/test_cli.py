"""The nengo-lmu command line."""

import re

import pytest

from nengo_lmu import cli

METRIC_LINE = re.compile(r"^[a-z_0-9.]+=\S+$")


def metrics_from(output):
    lines = output.strip().splitlines()
    assert all(METRIC_LINE.match(line) for line in lines), output
    return dict(line.split("=", 1) for line in lines)


def test_demo_prints_metrics_and_saves_plot(backend, tmp_path, capsys):
    plot = tmp_path / "new-directory" / "demo.png"
    assert cli.main(["demo", "--backend", backend, "--seed", "3", "--plot", str(plot), "--duration", "3"]) == 0
    output = capsys.readouterr().out
    metrics = metrics_from(output)
    assert output.strip().splitlines()[-1].startswith("nrmse=")
    assert metrics["backend"] == backend
    assert float(metrics["nrmse"]) < 0.05
    assert plot.stat().st_size > 10000


def test_demo_is_reproducible(capsys):
    runs = []
    for _ in range(2):
        cli.main(["demo", "--seed", "5", "--duration", "2"])
        runs.append(metrics_from(capsys.readouterr().out))
    assert runs[0] == runs[1]
    cli.main(["demo", "--seed", "6", "--duration", "2"])
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
    assert "must be one of ['nengo', 'dl']" in capsys.readouterr().err


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    assert "demo" in help_text and "bench" in help_text
