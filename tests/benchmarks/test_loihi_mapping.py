"""``nengo-lmu bench loihi-mapping``."""

import pytest

from nengo_lmu import cli


def test_bench_loihi_mapping_prints_table(capsys):
    pytest.importorskip("nengo_loihi")
    argv = ["bench", "loihi-mapping", "--parts", "mapping", "--order", "2", "--neurons", "20"]
    assert cli.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "cores" in lines[1] and "weight rel RMS err" in lines[1]
    assert len(lines) == 5, lines  # title, header, rule, two networks
    assert lines[3].strip().startswith("memory")
    assert "learned readout" in lines[4]
