"""The core without its extras: what works, and the one line a missing extra gives."""

import configparser
import os
import pathlib
import subprocess
import sys
import textwrap

import nengo
import pytest

import nengo_lmu
from nengo_lmu.backends import EXTRAS, import_backend_module

# in a fresh interpreter, make the extras' packages unimportable (as on a core
# install), whatever this environment has
WITHOUT_EXTRAS = """
import sys
for name in ("tensorflow", "nengo_dl", "nengo_loihi", "keras_lmu"):
    sys.modules[name] = None
"""


def run_without_extras(code):
    env = {k: v for k, v in os.environ.items() if k != "NENGO_LMU_BACKEND"}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS + textwrap.dedent(code)],
        capture_output=True, text=True, env=env, check=False,
    )


def test_core_runs_without_tensorflow_and_the_backends(tmp_path):
    """The memory, its spiking form, PES, the cell and NIR export, on nengo alone."""
    result = run_without_extras(
        f"""
        import nengo, numpy as np
        nengo.rc.set("decoder_cache", "enabled", "False")
        import nengo_lmu
        from nengo_lmu.networks import LearnedReadout, LegendreMemory, LMUCell

        A, B = nengo_lmu.legendre_ab(6, 1.0)
        Ad, Bd = nengo_lmu.discretize(A, B, 0.001)
        with nengo.Network(seed=0) as net:
            stim = nengo.Node(nengo.processes.WhiteSignal(1, high=2, rms=0.3))
            memory = LegendreMemory(6, 1.0, n_neurons=50)
            nengo.Connection(stim, memory.input, synapse=None)
            readout = LearnedReadout(memory, n_neurons=100)
            readout.learn_from(stim)
            cell = LMUCell(4, 3, 0.01)
            nengo.Connection(stim, cell.input, synapse=None)
            probes = [nengo.Probe(readout.output), nengo.Probe(cell.output)]
        with nengo_lmu.Simulator(net, backend="nengo", progress_bar=False) as sim:
            sim.run(0.05)
        assert all(np.all(np.isfinite(sim.data[p])) for p in probes)
        try:
            from nengo_lmu.convert.nir import NIRLIF, save_nir
        except ImportError:
            pass
        else:
            try:
                save_nir({str(tmp_path / "m.nir")!r},
                         LegendreMemory(3, 1.0, n_neurons=10, neuron_type=NIRLIF(), seed=1))
            except ImportError as error:  # no nir here: the message names the extra
                assert "pip install nengo-lmu[nir]" in str(error)
        assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is None
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("argv, line", [
    (["train", "psdigits"],
     "nengo-lmu: error: nengo-lmu train needs nengo-dl, which is not installed: "
     "pip install nengo-lmu[dl]"),
    (["demo", "ideal-delay", "--backend", "dl"],
     "nengo-lmu: error: backend='dl' needs nengo-dl, which is not installed: "
     "pip install nengo-lmu[dl]"),
    (["bench", "loihi-mapping"],
     "nengo-lmu: error: nengo-lmu bench loihi-mapping needs nengo-loihi, which is not "
     "installed: pip install nengo-lmu[loihi]"),
])
def test_command_line_names_the_missing_extra(argv, line):
    result = run_without_extras(
        f"""
        from nengo_lmu import cli
        cli.main({argv!r})
        """
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [line]  # one line, no traceback
    assert result.stdout == ""


@pytest.mark.parametrize("name, extra", [("dl", "dl"), ("loihi-sim", "loihi")])
def test_simulator_names_the_missing_extra(name, extra, monkeypatch):
    module = {"dl": "nengo_dl", "loihi-sim": "nengo_loihi"}[name]
    monkeypatch.setitem(sys.modules, module, None)  # makes its import fail
    with nengo.Network() as net:
        nengo.Node(1)
    with pytest.raises(nengo_lmu.MissingExtraError) as info:
        nengo_lmu.Simulator(net, backend=name)
    assert isinstance(info.value, ImportError)
    assert str(info.value).endswith(f"pip install nengo-lmu[{extra}]")
    assert "\n" not in str(info.value)


def test_missing_dependency_of_an_extra_says_what_failed(monkeypatch):
    """A package of another extra, missing inside an import, is named too."""
    monkeypatch.setitem(sys.modules, "nir", None)

    def broken_import(name):
        raise ModuleNotFoundError("No module named 'h5py'", name="h5py")

    monkeypatch.setattr("importlib.import_module", broken_import)
    with pytest.raises(nengo_lmu.MissingExtraError, match=r"\(No module named 'h5py'\): pip"):
        import_backend_module("nir", "NIR export")


def test_every_extra_is_in_setup_cfg():
    config = configparser.ConfigParser()
    config.read(pathlib.Path(__file__).parents[1] / "setup.cfg")
    extras = set(config["options.extras_require"])
    assert {extra for _, extra in EXTRAS.values()} <= extras
    assert {"dl", "loihi", "nir", "all"} <= extras
    requires = config["options"]["install_requires"]
    for heavy in ("tensorflow", "nengo-dl", "nengo-loihi", "scikit-learn"):
        assert heavy not in requires
