"""nengo_lmu.Simulator: backend selection and its errors."""

import sys

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu.networks import LegendreMemory


def make_memory_model(seed):
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(0.5, high=5, rms=0.5))
        memory = LegendreMemory(6, 0.2)
        nengo.Connection(stim, memory.input, synapse=None)
        probe = nengo.Probe(memory.output)
    return model, probe


@pytest.mark.dl
def test_nengo_and_dl_agree(seed, allclose):
    model, probe = make_memory_model(seed)
    outputs = {}
    for backend in ("nengo", "dl"):
        with nengo_lmu.Simulator(model, backend=backend, progress_bar=False) as sim:
            sim.run(0.5)
        outputs[backend] = sim.data[probe]
    assert isinstance(sim, pytest.importorskip("nengo_dl").Simulator)
    assert np.max(np.abs(outputs["nengo"])) > 0.1
    assert allclose(outputs["dl"], outputs["nengo"], atol=1e-5, rtol=0)


class _BrokenEncoders(nengo.dists.Distribution):
    """Encoders whose sampling fails: a build that stops halfway."""

    def sample(self, n, d=None, rng=np.random):
        raise RuntimeError("these encoders cannot be sampled")


@pytest.mark.dl
def test_failed_dl_build_leaves_nengo_precision_alone():
    """NengoDL builds at 32 bits and restores nengo's precision only after a build that succeeds."""
    before = nengo.rc.get("precision", "bits")
    with nengo.Network() as net:
        nengo.Ensemble(5, 1, encoders=_BrokenEncoders())
    with pytest.raises(RuntimeError, match="cannot be sampled"):
        nengo_lmu.Simulator(net, backend="dl", progress_bar=False)
    assert nengo.rc.get("precision", "bits") == before == "64"


def test_unknown_backend_lists_valid_ones():
    model, _ = make_memory_model(0)
    with pytest.raises(ValidationError, match="'nengo', 'dl', 'loihi-sim', 'loihi'") as info:
        nengo_lmu.Simulator(model, backend="brian")
    assert info.value.attr == "backend"


def test_backend_from_environment(monkeypatch):
    model, _ = make_memory_model(0)
    monkeypatch.setenv("NENGO_LMU_BACKEND", "dl")
    assert nengo_lmu.backends.resolve_backend() == "dl"
    monkeypatch.setenv("NENGO_LMU_BACKEND", "nope")
    with pytest.raises(ValidationError, match="must be one of"):
        nengo_lmu.Simulator(model)
    monkeypatch.delenv("NENGO_LMU_BACKEND")
    with nengo_lmu.Simulator(model, progress_bar=False) as sim:
        assert isinstance(sim, nengo.Simulator)


def test_missing_backend_package_says_what_to_install(monkeypatch):
    model, _ = make_memory_model(0)
    monkeypatch.setitem(sys.modules, "nengo_dl", None)  # makes "import nengo_dl" fail
    message = r"^backend='dl' needs nengo-dl, which is not installed: pip install nengo-lmu\[dl\]$"
    with pytest.raises(nengo_lmu.MissingExtraError, match=message):
        nengo_lmu.Simulator(model, backend="dl")


def test_not_a_network():
    with pytest.raises(ValidationError, match="nengo.Network") as info:
        nengo_lmu.Simulator(nengo.Node(0, add_to_container=False))
    assert info.value.attr == "network"


@pytest.mark.loihi
def test_loihi_without_board_names_the_emulator(monkeypatch):
    from nengo_loihi.hardware import nxsdk_shim

    monkeypatch.setattr(nxsdk_shim, "HAS_NXSDK", False)
    model, _ = make_memory_model(0)
    with pytest.raises(nengo_lmu.BackendUnavailableError, match="backend='loihi-sim'"):
        nengo_lmu.Simulator(model, backend="loihi")


def test_loihi_sim_runs_the_emulator(seed):
    """A small spiking model runs on nengo-loihi's emulator of the chip."""
    nengo_loihi = pytest.importorskip("nengo_loihi")
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(0.5)
        ens = nengo.Ensemble(100, 1)
        nengo.Connection(stim, ens)
        probe = nengo.Probe(ens, synapse=0.05)
    with nengo_lmu.Simulator(model, backend="loihi-sim", progress_bar=False) as sim:
        sim.run(0.5)
    assert isinstance(sim, nengo_loihi.Simulator) and sim.target == "sim"
    assert abs(np.mean(sim.data[probe][-100:]) - 0.5) < 0.1
