"""What ``import nengo_lmu`` checks and changes."""

import os
import subprocess
import sys

import pytest

from nengo_lmu.compat import check_nengo_version
from nengo_lmu.version import latest_nengo_version, minimum_nengo_version


def test_old_nengo_refused():
    too_old = (minimum_nengo_version[0], minimum_nengo_version[1] - 1, 0)
    with pytest.raises(ImportError, match="pip install 'nengo>="):
        check_nengo_version(too_old)


def test_newer_nengo_warns():
    newer = (latest_nengo_version[0], latest_nengo_version[1] + 1, 0)
    with pytest.warns(UserWarning, match="newer than the newest version"):
        check_nengo_version(newer)


def test_supported_nengo_is_quiet(recwarn):
    check_nengo_version(minimum_nengo_version)
    assert len(recwarn) == 0


def run_python(code, **env):
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True
    )


def test_import_keeps_globals_and_quiets_tensorflow():
    code = (
        "import os, nengo\n"
        "def defaults():\n"
        "    return {(cls.__name__, name): repr(getattr(cls, name).default)\n"
        "            for cls in (nengo.Ensemble, nengo.Connection, nengo.Node, nengo.Probe)\n"
        "            for name in dir(cls)\n"
        "            if isinstance(getattr(cls, name), nengo.params.Parameter)}\n"
        "before = defaults()\n"
        "rc_before = {s: dict(nengo.rc.items(s)) for s in nengo.rc.sections()}\n"
        "import nengo_lmu\n"
        "assert defaults() == before, set(defaults().items()) ^ set(before.items())\n"
        "assert {s: dict(nengo.rc.items(s)) for s in nengo.rc.sections()} == rc_before\n"
        "assert nengo.Ensemble.max_rates.default == nengo.dists.Uniform(200, 400)\n"
        "assert nengo.Ensemble.neuron_type.default == nengo.LIF()\n"
        "assert 'tensorflow' not in __import__('sys').modules\n"
        "print(os.environ['TF_CPP_MIN_LOG_LEVEL'])\n"
    )
    assert run_python(code).stdout.strip() == "2"
    # a user's own choice wins
    assert run_python(code, TF_CPP_MIN_LOG_LEVEL="0").stdout.strip() == "0"


@pytest.mark.dl
def test_tensorflow_startup_is_quiet():
    result = run_python(
        "import nengo_lmu, nengo, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "with nengo.Network() as net: nengo.Node(1)\n"
        "nengo_lmu.Simulator(net, backend='dl', progress_bar=False).close()\n"
    )
    assert "TensorRT" not in result.stderr
    assert "cuda" not in result.stderr.lower()
