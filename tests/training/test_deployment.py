"""Deployment of a trained LMU as a Loihi-ready spiking network."""

import argparse
import copy
import warnings

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import training
from nengo_lmu.loihi import preflight
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.training import deployment, readout_window, sequences
from nengo_lmu.training.spec import find_index
from nengo_lmu.utils.commands import readout_synapse_arg


def toy_data(rng, n=24, steps=8, classes=3):
    """Classes by the input's mean level: learnable in a few batches."""
    y = rng.randint(classes, size=n)
    x = (y[:, None, None] + rng.uniform(-0.3, 0.3, (n, steps, 1))) / classes
    return x.astype(np.float32), y


def initial_params(spec, seed):
    """The params of a spec's model at its initial weights, with random biases.

    Built by nengo's reference builder (no NengoDL training: fast).
    """
    import nengo_lmu  # pylint: disable=import-outside-toplevel

    model = training.build_model(spec)
    with nengo_lmu.Simulator(model.net, backend="nengo", progress_bar=False) as sim:
        params = {}
        for k, obj in enumerate(model.parametrized_objects()):
            if isinstance(obj, nengo.Ensemble):
                for key in ("encoders", "gain", "bias"):
                    params[f"{k}/{key}"] = np.array(getattr(sim.data[obj], key))
            elif not isinstance(obj.transform, nengo.transforms.NoTransform):
                params[f"{k}/transform"] = np.array(sim.data[obj].weights)
    hidden = find_index(model.parametrized_objects(), model.cell.hidden)
    params[f"{hidden}/bias"] = np.random.RandomState(seed).uniform(-0.1, 0.5, spec["units"])
    return params


@pytest.fixture(scope="module")
def untrained():
    """A small feedforward classifier at its initial weights, and sequences."""
    spec = training.make_spec("classify", 8, 1, 3, units=12, order=4, seed=1,
                              hidden_to_hidden=False, readout_synapse=0.002)
    x, y = toy_data(np.random.RandomState(3), n=6)
    return spec, initial_params(spec, seed=2), x, y


@pytest.fixture(scope="module")
def unfiltered(untrained):
    """The untrained classifier read out without a lowpass: one a window can read."""
    spec, params, x, y = untrained
    return dict(spec, readout_synapse=None), params, x, y


@pytest.fixture(scope="module")
def deployed_untrained(unfiltered):
    """The unfiltered classifier deployed with the defaults (a window), and its sequences."""
    spec, params, x, _ = unfiltered
    return (*deployment.deploy(spec, params, x), x)


@pytest.fixture(scope="module")
def trained():
    """A tiny feedforward classifier, trained for a few batches."""
    x, y = toy_data(np.random.RandomState(3))
    spec = training.make_spec("classify", 8, 1, 3, units=12, order=4, seed=1,
                              hidden_to_hidden=False, readout_synapse=0.002)
    params, _ = training.fit(spec, x, y, epochs=10, batch_size=8, learning_rate=1e-2,
                             progress_bar=False)
    return spec, params, x, y


@pytest.mark.slow_on("dl")
@pytest.mark.backends_lack(
    "loihi-sim", "loihi",
    reason="an ideal memory is Nodes only: no neurons for the chip (the deployed "
    "network's chip part is tested in test_deployed_runs_on_loihi_sim)",
)
def test_held_elements_keep_the_memory(Simulator, rng, allclose, plt):
    """k steps of the memory over theta * k on a held input = one step over theta."""
    k, steps = 5, 8
    spec = training.make_spec("classify", steps, 1, 3, units=4, order=6, seed=0,
                              hidden_to_hidden=False)
    held_spec = dict(spec, theta=spec["theta"] * k, steps_per_element=k)
    x = rng.uniform(-1, 1, (1, steps, 1)).astype(np.float32)
    states = []
    for each, sequence in ((spec, x[0]), (held_spec, training.hold_elements(x, k)[0])):
        model = training.build_model(each)
        model.input.output = nengo.processes.PresentInput(sequence, each["dt"])
        with model.net:
            probe = nengo.Probe(model.cell.memory.output, synapse=None)
        with Simulator(model.net, dt=each["dt"], progress_bar=False) as sim:
            sim.run_steps(len(sequence))
        states.append(np.reshape(sim.data[probe], (-1, spec["order"])))
    original, held = states
    plt.plot(np.arange(k - 1, steps * k, k), original, "o")
    plt.plot(held)
    assert np.std(original) > 0.01
    assert allclose(held[k - 1:: k], original, atol=1e-6)


def test_deployment_scales_fold_back(untrained, allclose, plt):
    """The scales leave the rate model's function unchanged; the network is Loihi-ready."""
    spec, params, x, _ = untrained
    k = 4
    dspec, dparams = deployment.deploy(spec, params, x, steps_per_element=k, max_rate=150.0)
    assert dspec["theta"] == pytest.approx(spec["theta"] * k)
    assert dspec["readout_synapse"] == pytest.approx(0.002 * k)
    assert dspec["neuron_type"] == "spiking-relu"
    assert dspec["steps_per_element"] == k
    assert dspec["deployment"]["input_scale"] == pytest.approx(0.95 / np.max(np.abs(x)))
    assert preflight(training.build_model(dspec, dparams).net) == []

    # with rate neurons and no readout filter, every scale cancels at element ends
    rates = dict(dspec, neuron_type="relu")
    plain = training.run_sequences(spec, params, x, readout_synapse=None,
                                   progress_bar=False)
    deployed = training.run_sequences(rates, dparams, x, readout_synapse=None,
                                      progress_bar=False)
    plt.plot(plain.ravel(), deployed.ravel(), ".")
    assert np.std(plain) > 0.05
    assert allclose(deployed, plain, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "change, kwargs, attr",
    [
        ({}, dict(steps_per_element=0), "steps_per_element"),
        ({}, dict(max_rate=2000.0), "max_rate"),
        ({}, dict(rate_percentile=0.0), "rate_percentile"),
        ({}, dict(input_headroom=1.5), "input_headroom"),
        ({}, dict(readout_synapse=-1.0), "readout_synapse"),
        (dict(neuron_type="lif-rate"), {}, "neuron_type"),
        (dict(cell_kwargs=dict(hidden_to_hidden=True)), {}, "hidden_to_hidden"),
        (dict(cell_kwargs=dict(hidden_to_hidden=False, memory_to_memory=True)), {},
         "memory_to_memory"),
        (dict(steps_per_element=4), {}, "spec"),
        (dict(deployment={}), {}, "spec"),
        ({}, dict(readout_steps=-1), "readout_steps"),
        ({}, dict(readout_steps=True), "readout_steps"),
        ({}, dict(readout_steps=2.5), "readout_steps"),
        (dict(task="regress"), dict(readout_steps=10), "readout_steps"),
        (dict(readout_synapse=0.005), dict(readout_steps=10), "readout_steps"),
        (dict(cell_kwargs=dict(hidden_to_hidden=True)), dict(readout_steps=10, steps_per_element=1),
         "readout_steps"),
    ],
)
def test_deploy_bad_input(change, kwargs, attr):
    spec = training.make_spec("classify", 8, 1, 3, units=4, order=3,
                              hidden_to_hidden=False)
    spec.update(change)
    x = np.ones((2, 8, 1), dtype=np.float32)
    with pytest.raises(ValidationError) as info:
        deployment.deploy(spec, {}, x, **kwargs)
    assert info.value.attr == attr


def test_deploy_bad_calibration(untrained):
    spec, params, x, _ = untrained
    with pytest.raises(ValidationError) as info:
        deployment.deploy(spec, params, x[:, :4])
    assert info.value.attr == "x"
    with pytest.raises(ValidationError) as info:
        deployment.deploy(spec, params, x[:, :, 0])
    assert info.value.attr == "x_calibration"


@pytest.mark.slow
def test_deployed_ranges_fit_the_chip(trained):
    """What enters the chip lies within [-1, 1]; the busiest neuron fires at max_rate."""
    spec, params, x, _ = trained
    dspec, dparams = deployment.deploy(spec, params, x, steps_per_element=3, max_rate=150.0,
                                   rate_percentile=100.0)
    # relu rate neurons of amplitude 1: their activities are the deployed firing rates
    states = training.simulate_states(dict(dspec, neuron_type="relu"), dparams, x)
    assert np.max(np.abs(states["memory"])) == pytest.approx(0.95, rel=1e-4)
    assert np.max(states["hidden"]) == pytest.approx(150.0, rel=1e-4)


@pytest.mark.slow
def test_deployed_runs_on_loihi_sim(trained, plt):
    """The deployed network gives the same classes on nengo, NengoDL and loihi-sim."""
    spec, params, x, y = trained
    result = deployment.evaluate(spec, params, x, x[:6], y[:6], backends=("nengo", "loihi-sim"),
                             steps_per_element=10, max_rate=200.0, progress_bar=False)
    plt.bar(range(3), [result[f"{b}_test_accuracy"]
                       for b in ("deployed_spiking", "nengo", "loihi_sim")])
    assert result["preflight_problems"] == 0
    assert result["eval_rate_test_accuracy"] >= 5 / 6  # the tiny model learned
    assert result["nengo_agreement_with_dl_spiking"] >= 5 / 6
    assert result["loihi_sim_agreement_with_dl_spiking"] >= 5 / 6


def test_deploy_warns_for_an_unfiltered_readout(untrained):
    """A model trained without a readout lowpass is deployed, with a warning."""
    spec, params, x, _ = untrained
    unfiltered = dict(spec, readout_synapse=None)
    with pytest.warns(UserWarning, match="without a readout lowpass"):
        dspec, _ = deployment.deploy(unfiltered, params, x, steps_per_element=3,
                                     readout_steps=0)
    assert dspec["readout_synapse"] == pytest.approx(3 * spec["dt"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # filtered, or read over a window: no warning
        deployment.deploy(spec, params, x, steps_per_element=3, readout_steps=0)
        dspec, _ = deployment.deploy(unfiltered, params, x, steps_per_element=3)
    assert dspec["readout_synapse"] is None


@pytest.mark.parametrize(
    "text, value", [("none", None), ("None", None), ("0.005", 0.005), ("1e-2", 0.01)]
)
def test_readout_synapse_arg(text, value):
    assert readout_synapse_arg(text) == value


@pytest.mark.parametrize("text", ["0", "-0.1", "fast", ""])
def test_readout_synapse_arg_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError, match="positive time constant"):
        readout_synapse_arg(text)


def test_readout_window_defaults(untrained, unfiltered):
    """A feedforward classifier read without a lowpass is read over a window.

    One trained through a readout lowpass reads an average of its last
    elements, which the window's held final state does not give: it holds its
    elements instead, and a window asked for is refused.
    """
    spec, params, x, _ = unfiltered
    dspec, _ = deployment.deploy(spec, params, x)
    assert dspec["readout_steps"] == deployment.DEFAULT_READOUT_STEPS
    assert dspec["steps_per_element"] == 1
    assert dspec["theta"] == spec["theta"]
    assert dspec["readout_synapse"] is None
    dspec, _ = deployment.deploy(spec, params, x, readout_steps=0)
    assert dspec["steps_per_element"] == deployment.DEFAULT_STEPS_PER_ELEMENT
    filtered, params, x, _ = untrained
    dspec, _ = deployment.deploy(filtered, params, x)
    assert dspec["readout_steps"] == 0
    assert dspec["steps_per_element"] == deployment.DEFAULT_STEPS_PER_ELEMENT
    with pytest.raises(ValidationError, match="lowpass") as info:
        deployment.deploy(filtered, params, x, readout_steps=50)
    assert info.value.attr == "readout_steps"


@pytest.mark.parametrize("neuron_type", ["relu", "spiking-relu"])
def test_readout_window_reads_the_final_state(untrained, neuron_type, allclose, plt):
    """Rates read over the window give the trained model's logits; spikes, close to them.

    With rates, NengoDL (batched, `predict`) and nengo (one sequence after
    another, `run_sequences`) agree to float precision; with spikes, both are
    within the weight of two spikes per neuron (one at each end of the window,
    where their phases differ) of the trained logits.
    """
    spec, params, x, _ = untrained
    unfiltered = dict(spec, readout_synapse=None)
    trained = training.predict(unfiltered, params, x)
    window = 50
    dspec, dparams = deployment.deploy(unfiltered, params, x, readout_steps=window)
    dspec = dict(dspec, neuron_type=neuron_type)
    in_dl = training.predict(dspec, dparams, x)
    in_nengo = training.run_sequences(dspec, dparams, x, progress_bar=False)
    plt.plot(trained.ravel(), in_dl.ravel(), ".")
    plt.plot(trained.ravel(), in_nengo.ravel(), "x")
    assert np.std(trained) > 0.05
    if neuron_type == "relu":
        assert allclose(in_dl, trained, rtol=1e-4, atol=1e-5)
        assert allclose(in_nengo, trained, rtol=1e-4, atol=1e-5)
    else:
        # a spike is 1 / dt for one step; the readout averages window steps of them
        two_spikes = 2 * np.abs(dparams[_readout_key(dspec)]).sum(axis=1) / (window * spec["dt"])
        for logits in (in_dl, in_nengo):
            assert np.all(np.abs(logits - trained) < two_spikes)
            assert np.max(np.abs(logits - trained)) > 1e-4  # spikes do differ from rates


def _readout_key(spec):
    model = training.build_model(spec)
    readout = next(c for c in model.net.connections if c.post_obj is model.output)
    return f"{find_index(model.parametrized_objects(), readout)}/transform"


@pytest.mark.backends_lack(
    "loihi-sim", "loihi",
    reason="an ideal memory is Nodes only: no neurons for the chip (the hold Node on a "
    "deployed network's host side is run by test_deployed_runs_on_loihi_sim)",
)
def test_hold_node_holds_and_resets_the_memory(Simulator, rng, allclose, plt):
    """The hold Node keeps the memory state constant, and clears it at a reset step."""
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(nengo.processes.WhiteSignal(1.0, high=10, seed=3))
        memory = LegendreMemory(6, 0.05, dt=0.001)
        nengo.Connection(stim, memory.input, synapse=None)
        readout_window.add_hold_node(memory, hold=set(range(100, 150)), reset={200})
        probe = nengo.Probe(memory.output, synapse=None)
        stim_probe = nengo.Probe(stim, synapse=None)
    with Simulator(net, progress_bar=False) as sim:
        sim.run_steps(250)
    m, u = sim.data[probe], sim.data[stim_probe]
    plt.plot(m)
    assert np.std(m[:100]) > 0.01
    assert allclose(m[100:150], m[99], atol=1e-6)  # float32 on NengoDL
    assert not np.allclose(m[150], m[149])  # it moves again
    Ad, Bd = readout_window.memory_matrices(memory)
    assert allclose(Ad, memory.Ad) and allclose(Bd.ravel(), np.ravel(memory.Bd))
    assert allclose(m[200], Bd @ u[200], atol=1e-6)  # restarted from its input alone
    assert not np.allclose(m[200], Ad @ m[199] + Bd @ u[200])


def test_chip_input_defaults(unfiltered):
    """A windowed deployment filters the chip's inputs and lets the filter settle."""
    spec, params, x, _ = unfiltered
    dspec, _ = deployment.deploy(spec, params, x)
    settings = dspec["deployment"]
    assert settings["input_tau"] == deployment.DEFAULT_INPUT_TAU
    assert settings["input_encoding"] == "rectified"
    assert dspec["settle_steps"] == 20  # 4 time constants of 5 ms at dt = 1 ms
    # one spike per step from each of the order memory dimensions, the input, the reset
    assert settings["host_spike_cap"] == spec["order"] + spec["size_in"] + 1
    dspec, _ = deployment.deploy(spec, params, x, input_tau=0.01)
    assert dspec["settle_steps"] == 40
    dspec, _ = deployment.deploy(spec, params, x, input_tau=0.0, settle_steps=3)
    assert dspec["settle_steps"] == 3 and dspec["deployment"]["input_tau"] == 0
    # the held schedule reads every element: no filter to delay them
    dspec, _ = deployment.deploy(spec, params, x, readout_steps=0)
    assert dspec["settle_steps"] == 0 and dspec["deployment"]["input_tau"] == 0


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(input_tau=-0.001), "input_tau"),
        (dict(input_tau=True), "input_tau"),
        (dict(input_tau=0.005, readout_steps=0), "input_tau"),
        (dict(settle_steps=-1), "settle_steps"),
        (dict(settle_steps=2.5), "settle_steps"),
        (dict(input_tau=0.0, settle_steps=4, readout_steps=0), "settle_steps"),
        (dict(input_encoding="poisson"), "input_encoding"),
    ],
)
def test_deploy_bad_chip_input_options(unfiltered, kwargs, attr):
    spec, params, x, _ = unfiltered
    with pytest.raises(ValidationError) as info:
        deployment.deploy(spec, params, x, **kwargs)
    assert info.value.attr == attr


def test_jump_to_the_final_state_equals_streaming(unfiltered, allclose, plt):
    """Jumping the host memory to its final state gives the logits of playing every element.

    With rate neurons the hidden layer is a function of the memory and the
    last element only, so the two schedules agree to float precision; the
    jump runs settle + window steps per sequence instead of the elements too.
    """
    spec, params, x, _ = unfiltered
    dspec, dparams = deployment.deploy(spec, params, x, readout_steps=30)
    rates = dict(dspec, neuron_type="relu")
    stats = {}, {}
    jumped = training.run_sequences(rates, dparams, x, progress_bar=False, stats=stats[0])
    streamed = training.run_sequences(rates, dparams, x, stream=True, progress_bar=False,
                                      stats=stats[1])
    plt.plot(streamed.ravel(), jumped.ravel(), ".")
    assert np.std(streamed) > 0.05
    assert allclose(jumped, streamed, rtol=1e-6, atol=1e-8)
    assert stats[1]["steps"] - stats[0]["steps"] == len(x) * (x.shape[1] - 1)
    with pytest.raises(ValidationError) as info:  # read at the elements: nothing to jump
        training.run_sequences(dict(rates, readout_steps=0), dparams, x, stream=False,
                               progress_bar=False)
    assert info.value.attr == "stream"


def test_final_states_match_the_memory(rng, allclose):
    """`final_states` is the memory's own recursion, run to the last element."""
    memory = LegendreMemory(5, 0.02, size_in=2, dt=0.001)
    Ad, Bd = readout_window.memory_matrices(memory)
    u = rng.uniform(-1, 1, (3, 17, 2))
    m = np.zeros((3, len(Ad)))
    for t in range(u.shape[1]):
        m = m @ Ad.T + u[:, t] @ Bd.T
    assert allclose(readout_window.final_states(memory, u), m)


def test_host_spike_cap_drops_what_a_board_drops():
    """Beyond the cap, a step's spikes are dropped in the order they were sent."""
    spikes = [("a", 3, np.arange(4)), ("b", 3, np.arange(5)), ("a", 4, np.arange(2))]
    kept = sequences._capped(spikes, 6)
    assert [len(idxs) for _, _, idxs in kept] == [4, 2, 2]
    assert [(target, step) for target, step, _ in kept] == [("a", 3), ("b", 3), ("a", 4)]


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(host_spike_cap=0), "host_spike_cap"),
        (dict(host_spike_cap=-3), "host_spike_cap"),
        (dict(host_spike_cap=2.5), "host_spike_cap"),
        (dict(host_spike_cap=True), "host_spike_cap"),
        (dict(host_spike_cap=50, backend="nengo"), "host_spike_cap"),  # no chip
        (dict(host_spike_cap=50, backend="dl"), "host_spike_cap"),
        (dict(float_emulator=True, backend="nengo"), "float_emulator"),
    ],
)
def test_chip_run_options_reject(deployed_untrained, kwargs, attr):
    """A bad cap, or a chip's option on a backend without a chip, is named before running."""
    dspec, dparams, x = deployed_untrained
    kwargs = dict(dict(backend="loihi-sim"), **kwargs)
    with pytest.raises(ValidationError) as info:
        training.run_sequences(dspec, dparams, x, progress_bar=False, **kwargs)
    assert info.value.attr == attr


def test_windowed_deployment_on_loihi_sim(deployed_untrained, plt):
    """The default deployment computes the rate model's function on loihi-sim, with fewer spikes.

    A fast case of the psFashion benchmark (``nengo-lmu bench
    loihi-deployment``): the logits' variation from sequence to sequence (each
    class's mean removed) follows the deployed rate model's, and the rectified,
    filtered inputs send fewer host-to-chip spikes per step than nengo-loihi's
    on/off neurons (which send one per dimension and step).
    """
    dspec, dparams, x = deployed_untrained
    rates = training.predict(dict(dspec, neuron_type="relu"), dparams, x)
    stats = {}
    logits = training.run_sequences(dspec, dparams, x, backend="loihi-sim",
                                     progress_bar=False, stats=stats)

    def centered(a):
        return (a - a.mean(axis=0)).ravel()

    plt.plot(centered(rates), centered(logits), ".")
    assert np.std(centered(rates)) > 0.05
    assert np.corrcoef(centered(rates), centered(logits))[0, 1] > 0.95
    on_off = copy.deepcopy(dspec)
    on_off["deployment"]["input_encoding"] = "on-off"
    on_off_stats = {}
    training.run_sequences(on_off, dparams, x, backend="loihi-sim", progress_bar=False,
                           stats=on_off_stats)
    plt.bar([0, 1], [stats["host_to_chip_spikes_per_step"],
                     on_off_stats["host_to_chip_spikes_per_step"]])
    inputs = dspec["order"] + dspec["size_in"] + 1  # the memory, the input, the reset
    assert on_off_stats["host_to_chip_spikes_per_step"] == pytest.approx(inputs, rel=0.05)
    assert stats["host_to_chip_spikes_per_step"] < 0.5 * inputs
    assert stats["host_to_chip_spikes_max"] <= dspec["deployment"]["host_spike_cap"]
