"""``nengo-lmu bench throughput``: the three training paths timed side by side."""

import pytest

from nengo_lmu import cli


def test_bench_throughput_prints_the_three_paths(capsys):
    pytest.importorskip("keras_lmu")
    argv = ["bench", "throughput", "--dataset", "psdigits", "--units", "8", "--order", "4",
            "--batch-size", "16", "--steps-batches", "3", "--keras-sequences", "32"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    figures = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    for key in ("parallel", "steps", "keras"):
        assert float(figures[f"{key}_sequences_per_second"]) > 0
    assert figures["parallel_sequences_timed"] == str(1347 // 16 * 16)
    assert figures["steps_sequences_timed"] == "48"
    assert float(figures["speedup_vs_steps"]) > 1  # one step per sequence beats 64
    assert "ours, parallel" in out and "KerasLMU" in out


@pytest.mark.dl
def test_bench_throughput_rejects_too_few_steps_batches(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "throughput", "--dataset", "psdigits", "--steps-batches", "2"])
    assert info.value.code == 2
    assert "steps_batches" in capsys.readouterr().err
