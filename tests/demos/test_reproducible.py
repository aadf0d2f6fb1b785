"""Same seed, same numbers: the command line and the API print the same metrics (issue 17)."""

import contextlib
import re

import pytest

from nengo_lmu import cli
from nengo_lmu.backends import import_backend_module
from nengo_lmu.demos import run_demo
from nengo_lmu.utils.commands import print_metrics

# imported before any test captures stdout: NengoDL's progress bars keep the
# stream they first see, which pytest closes after that test
with contextlib.suppress(ImportError):  # the core stack has no NengoDL
    import_backend_module("nengo_dl")
METRIC = re.compile(r"^[\w.]+=\S+$")


def printed(metrics, capsys):
    """``metrics`` as the command line prints them."""
    capsys.readouterr()
    print_metrics(metrics)
    return capsys.readouterr().out.splitlines()


@pytest.mark.slow_on("loihi-sim", "loihi")
def test_command_line_and_api_print_the_same_metrics(backend, capsys):
    argv = ["demo", "learn-delay", "--backend", backend, "--seed", "3", "--duration", "1"]
    assert cli.main(argv) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if METRIC.match(line)]
    assert lines[:3] == ["demo=learn-delay", f"backend={backend}", "seed=3"]

    api = run_demo("learn-delay", seed=3, backend=backend, duration=1.0)
    assert lines[3:] == printed(api, capsys)
    # the numbers depend on the seed: the comparison above can fail
    other = run_demo("learn-delay", seed=4, backend=backend, duration=1.0)
    assert printed(other, capsys) != lines[3:]
