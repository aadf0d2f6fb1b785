"""Memories built for the simulator's own step, under every backend's own Simulator and ours.

Each case runs a network through the backend's own simulator (``nengo.Simulator``,
``nengo_dl.Simulator``, ``nengo_loihi.Simulator``: the tests are about them)
and through `nengo_lmu.Simulator`, and scores the memory's 0.25 s delay
readout against the true delay.
"""

import contextlib
import subprocess
import sys

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu.exceptions import LoihiPreflightError
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LegendreMemory, LMUCell

DTS = [0.0005, 0.001, 0.002]
FREQ, DELAY, DURATION, SCORED_FROM = 1.3, 0.25, 1.0, 0.5


def own_simulator(backend):
    """The backend's own Simulator class (what the Nengo documentation teaches)."""
    if backend == "nengo":
        return nengo.Simulator
    if backend == "dl":
        return pytest.importorskip("nengo_dl").Simulator
    nengo_loihi = pytest.importorskip("nengo_loihi")
    return lambda net, **kwargs: nengo_loihi.Simulator(
        net, target="sim", **{k: v for k, v in kwargs.items() if k != "progress_bar"}
    )


def memory_model(kind, seed):
    """A 0.5 s, order-4 memory made for dt=0.001 (the default), fed a 1.3 Hz sine."""
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * FREQ * t))
        if kind == "cell":
            cell = LMUCell(units=4, order=4, theta=0.5)
            nengo.Connection(stim, cell.input, synapse=None)
            memory = cell.memory
        else:
            memory = LegendreMemory(4, 0.5, n_neurons=None if kind == "ideal" else 100)
            nengo.Connection(stim, memory.input, synapse=None)
        synapse = None if memory.n_neurons is None else 0.01
        delayed = nengo.Probe(memory.add_delays([DELAY]), synapse=synapse)
        target = nengo.Probe(stim, synapse=synapse)
    return net, memory, delayed, target


def delay_error(sim, delayed, target):
    """NRMSE of the delay readout against the input DELAY seconds earlier, after SCORED_FROM."""
    shift = int(round(DELAY / sim.dt))
    start = int(round(SCORED_FROM / sim.dt))
    return nrmse(sim.data[delayed][start:], sim.data[target][start - shift : -shift])


def run_both(backend, kind, dt, seed):
    """The delay readout's error and output under the backend's own simulator and ours."""
    results = {}
    for name, simulator in (
        ("own", own_simulator(backend)),
        ("ours", lambda net, **kw: nengo_lmu.Simulator(net, backend=backend, **kw)),
    ):
        net, _, delayed, target = memory_model(kind, seed)
        with simulator(net, dt=dt, progress_bar=False) as sim:
            sim.run(DURATION)
        results[name] = (delay_error(sim, delayed, target), sim.data[delayed])
    return results


# measured on main, the memory made for dt=0.001: ideal 0.83 / 0.08 / 1.09 at
# dt 0.0005 / 0.001 / 0.002 under nengo.Simulator and nengo_dl.Simulator;
# built for the step: 0.08 at every dt (spiking: 0.15)
MAX_ERROR = {"ideal": 0.1, "cell": 0.1, "spiking": 0.2}


@pytest.mark.backends_lack(
    "loihi-sim", "loihi", reason="no neurons to put on the chip (see test_ideal_memory_preflight)"
)
@pytest.mark.parametrize("kind", ["ideal", "cell"])
@pytest.mark.parametrize("dt", DTS)
def test_ideal_memory_at_any_dt(backend, kind, dt, seed, allclose):
    results = run_both(backend, kind, dt, seed)
    for error, _ in results.values():
        assert error < MAX_ERROR[kind]
    assert allclose(results["own"][1], results["ours"][1])


@pytest.mark.slow_on("dl")
@pytest.mark.backends_lack("loihi", reason="needs a board")
@pytest.mark.parametrize(
    "dt", [pytest.param(0.0005, marks=pytest.mark.slow), 0.001, 0.002]
)
def test_spiking_memory_at_any_dt(backend, dt, seed, allclose):
    if backend == "loihi-sim" and dt != 0.001:
        for simulator in (own_simulator(backend), nengo_lmu.Simulator):
            net = memory_model("spiking", seed)[0]
            kwargs = {"backend": backend} if simulator is nengo_lmu.Simulator else {}
            with pytest.raises(LoihiPreflightError, match=f"dt={dt:g}, but the chip runs at dt=0.001"):
                simulator(net, dt=dt, **kwargs)
        return
    expect = (
        pytest.warns(UserWarning, match="Loihi-ready form")
        if backend == "loihi-sim" else contextlib.nullcontext()
    )
    with expect:
        results = run_both(backend, "spiking", dt, seed)
    # on the emulator: 0.24 (its 8-bit weights and whole-step spike periods)
    limit = 0.3 if backend == "loihi-sim" else MAX_ERROR["spiking"]
    for error, _ in results.values():
        assert error < limit
    assert allclose(results["own"][1], results["ours"][1])


def test_user_objects_unchanged_by_a_build_at_another_dt(seed):
    net, memory, _, _ = memory_model("ideal", seed)
    before = {c: np.array(c.transform.init) for c in memory.all_connections}
    with nengo.Simulator(net, dt=0.002, progress_bar=False) as sim:
        built = {c: sim.data[c].weights for c in before}
    for conn, transform in before.items():
        assert np.array_equal(conn.transform.init, transform)
    # the built recurrence is that of dt=0.002
    Ad, _ = nengo_lmu.discretize(memory.A, memory.B, 0.002)
    recurrent = next(c for c in before if c.pre is c.post)
    assert np.allclose(built[recurrent], Ad)


def test_minibatched_nengo_dl_at_another_dt(seed):
    nengo_dl = pytest.importorskip("nengo_dl")
    net, _, delayed, target = memory_model("ideal", seed)
    with nengo_dl.Simulator(net, dt=0.002, minibatch_size=2, progress_bar=False) as sim:
        sim.run(DURATION)
    for batch in range(2):
        shift, start = int(DELAY / 0.002), int(SCORED_FROM / 0.002)
        error = nrmse(sim.data[delayed][batch, start:], sim.data[target][batch, start - shift : -shift])
        assert error < MAX_ERROR["ideal"]


def test_a_trained_memory_is_refused_at_another_dt(seed):
    """Weights trained (frozen) at one step cannot be recomputed for another: both steps named."""
    net, memory, _, _ = memory_model("ideal", seed)
    inputs = next(c for c in memory.all_connections if c.pre_obj is memory.input)
    inputs.transform = 2 * memory.Bd
    with pytest.raises(ValidationError, match="dt=0.001, and the simulator runs at dt=0.002"):
        nengo.Simulator(net, dt=0.002, progress_bar=False)
    # at its own step it runs as the user left it
    with nengo.Simulator(net, dt=0.001, progress_bar=False):
        pass


def test_importing_nengo_lmu_does_not_import_nengo_loihi():
    code = "import sys, nengo_lmu.networks; print('nengo_loihi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nengo_dl_training_at_another_dt(seed, allclose):
    """NengoDL trains a cell made for dt=0.001 at dt=0.002 with the memory of 0.002."""
    nengo_dl = pytest.importorskip("nengo_dl")
    tf = pytest.importorskip("tensorflow")
    dt, steps = 0.002, int(DURATION / 0.002)
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(np.zeros(1))
        cell = LMUCell(units=8, order=4, theta=0.5, hidden_to_hidden=False)
        nengo.Connection(stim, cell.input, synapse=None)
        out = nengo.Node(size_in=1)
        nengo.Connection(cell.output, out, transform=np.full((1, 8), 0.1), synapse=None)
        readout = nengo.Probe(out)
        delayed = nengo.Probe(cell.memory.add_delays([DELAY]), synapse=None)
    t = dt * np.arange(1, steps + 1)
    phases = np.array([0.0, 1.0, 2.0, 3.0])
    x = np.sin(2 * np.pi * FREQ * t[None, :, None] + phases[:, None, None])
    with nengo_dl.Simulator(net, dt=dt, minibatch_size=4, progress_bar=False) as sim:
        sim.compile(optimizer=tf.optimizers.Adam(1e-2), loss={readout: tf.losses.mse})
        sim.fit({stim: x}, {readout: np.roll(x, 1, axis=1)}, epochs=2, verbose=0)
        sim.run_steps(steps, data={stim: x})
        recurrent = next(c for c in cell.memory.all_connections if c.pre is c.post)
        built = sim.data[recurrent].weights
        # the trained input encoder (training changes it; the memory it feeds is fixed)
        e_x = float(np.ravel(sim.data[cell.cell_connections["input_to_memory"]].weights)[0])
    Ad, Bd = nengo_lmu.discretize(cell.memory.A, cell.memory.B, dt)
    assert allclose(built, Ad)  # trained and run with the memory of dt=0.002
    # the delay readout of the memory a user would make for dt=0.002, in numpy
    readout_row = nengo_lmu.legendre_readout(4, DELAY / 0.5)
    m, expected = np.zeros((4, 4)), np.zeros((4, steps))
    for step in range(steps):
        m = m @ Ad.T + e_x * x[:, step] @ np.reshape(Bd, (1, 4))
        expected[:, step] = m @ readout_row
    assert allclose(sim.data[delayed][..., 0], expected, atol=1e-4)
