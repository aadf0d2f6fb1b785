"""The product demo on nengo-loihi: its PES parameters (``loihi_learning_options``)."""

from types import SimpleNamespace

import nengo
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.demos import learn_product, online
from nengo_lmu.demos.learn_product import _window_product, run_product_learning_demo
from nengo_lmu.demos.online import filtered_like_output
from nengo_lmu.loihi import loihi_learning_options, loihi_pes_error_step
from nengo_lmu.networks import LearnedReadout, LegendreMemory, least_squares_window_readout


def test_loihi_learning_options_set_the_model_of_one_run():
    pytest.importorskip("nengo_loihi")
    options = loihi_learning_options(
        "loihi-sim", dt=0.002, pes_wgt_exp=1, pes_error_scale=300, decode_tau=0.01
    )
    model = options["model"]
    assert (model.dt, model.pes_wgt_exp, model.pes_error_scale) == (0.002, 1, 300)
    assert model.decode_tau == 0.01
    # one parameter alone leaves the others at nengo-loihi's defaults
    model = loihi_learning_options("loihi-sim", pes_wgt_exp=2)["model"]
    assert (model.pes_error_scale, model.decode_tau) == (100, 0.005)
    assert loihi_learning_options("loihi-sim", decode_tau=0)["model"].pes_wgt_exp == 4
    # a fresh model each time: nothing shared, nothing global
    assert loihi_learning_options("loihi-sim", pes_wgt_exp=1)["model"] is not model
    assert loihi_learning_options("loihi-sim") == {}


@pytest.mark.parametrize("name", ["nengo", "dl"])
def test_loihi_learning_options_are_empty_off_loihi(name):
    assert loihi_learning_options(name, pes_wgt_exp=1, pes_error_scale=300) == {}


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(pes_wgt_exp=8), "pes_wgt_exp"),  # the chip's exponents are 4-bit
        (dict(pes_wgt_exp=1.5), "pes_wgt_exp"),
        (dict(pes_wgt_exp=True), "pes_wgt_exp"),
        (dict(pes_error_scale=0), "pes_error_scale"),
        (dict(pes_error_scale=-100), "pes_error_scale"),
        (dict(decode_tau=-0.005), "decode_tau"),
    ],
)
def test_bad_pes_parameters(kwargs, attr):
    # rejected on every backend, so a typo does not wait for a loihi run
    for backend in ("nengo", "loihi-sim"):
        with pytest.raises(ValidationError) as info:
            loihi_learning_options(backend, **kwargs)
        assert info.value.attr == attr
    if attr == "decode_tau":
        return  # the demo sets decode_tau from its input_synapse
    with pytest.raises(ValidationError) as info:
        run_product_learning_demo(backend="nengo", duration=1.0, progress_bar=False, **kwargs)
    assert info.value.attr == attr


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(learning_rate=-1e-2), "learning_rate"),
        (dict(population="ring"), "population"),
        (dict(delay=2.0), "delay"),  # beyond the 1 s window
        (dict(max_rates=(120, 100)), "max_rates"),
        (dict(max_rates=(0, 100)), "max_rates"),
        (dict(max_rates="fast"), "max_rates"),
        (dict(input_synapse=nengo.Alpha(0.005)), "input_synapse"),
        (dict(input_synapse=-0.005), "input_synapse"),
        (dict(input_synapse="5 ms"), "input_synapse"),
        (dict(exact_loihi_updates="yes"), "exact_loihi_updates"),
        (dict(weight_splits=0), "weight_splits"),
    ],
)
def test_product_demo_rejects_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        run_product_learning_demo(duration=1.0, progress_bar=False, **kwargs)
    assert info.value.attr == attr


def test_loihi_pes_error_step():
    pytest.importorskip("nengo_loihi")
    # nengo-loihi divides trace times integer error by 4; its default scale is 100
    assert loihi_pes_error_step(1600) == 4 / 1600
    assert loihi_pes_error_step() == 4 / 100
    with pytest.raises(ValidationError) as info:
        loihi_pes_error_step(0)
    assert info.value.attr == "pes_error_scale"


class _Built(Exception):
    """Raised by a stand-in simulator, to stop before anything runs."""


def _simulator_arguments(monkeypatch, backend, **kwargs):
    """What the product demo hands its simulator (the network and the options), unrun."""
    if backend != "nengo":
        pytest.importorskip("nengo_loihi")
    seen = {}

    def simulator(network, **options):
        seen.update(options, network=network)
        raise _Built

    monkeypatch.setattr(online, "Simulator", simulator)
    with pytest.raises(_Built):
        run_product_learning_demo(backend=backend, duration=1.0, progress_bar=False, **kwargs)
    return seen


@pytest.mark.parametrize(
    "name, kwargs, expected",
    [
        ("nengo", {}, None),
        ("loihi-sim", {}, ("LOIHI_PES_WGT_EXP", "LOIHI_PES_ERROR_SCALE")),
        ("loihi-sim", dict(pes_wgt_exp=4, pes_error_scale=100), (4, 100)),
    ],
)
def test_product_demo_passes_its_pes_parameters(monkeypatch, name, kwargs, expected):
    """On nengo-loihi the demo's run gets a model with its PES parameters; elsewhere none."""
    seen = _simulator_arguments(monkeypatch, name, **kwargs)
    if expected is None:
        assert "model" not in seen
    else:
        expected = [getattr(learn_product, e) if isinstance(e, str) else e for e in expected]
        assert (seen["model"].pes_wgt_exp, seen["model"].pes_error_scale) == tuple(expected)
        assert seen["model"].dt == seen["dt"] == 0.001


@pytest.mark.parametrize(
    "name, kwargs, expected_step",
    [
        ("nengo", {}, None),
        ("loihi-sim", {}, 4 / 1600),
        ("loihi-sim", dict(pes_error_scale=400), 4 / 400),
        ("loihi-sim", dict(exact_loihi_updates=False), None),
    ],
)
def test_product_demo_rounds_the_error_only_for_nengo_loihi(
    monkeypatch, name, kwargs, expected_step
):
    """On nengo-loihi the error reaches PES in steps that the chip divides exactly."""
    seen = _simulator_arguments(monkeypatch, name, weight_splits=2, **kwargs)
    (readout,) = [n for n in seen["network"].all_networks if isinstance(n, LearnedReadout)]
    assert readout.error_step == expected_step
    assert readout.weight_splits == 2


@pytest.mark.parametrize("name", ["nengo", "loihi-sim"])
@pytest.mark.parametrize("input_synapse", [0.005, 0.02, None])
def test_product_demo_filters_the_window_once_on_every_backend(
    monkeypatch, name, input_synapse
):
    """The population's input filter: the connection's synapse, or nengo-loihi's decode_tau."""
    seen = _simulator_arguments(monkeypatch, name, input_synapse=input_synapse)
    connections = seen["network"].all_connections
    (into_population,) = [
        c for c in connections if getattr(c.post_obj, "label", None) == "learning population"
    ]
    (into_target_filter,) = [
        c for c in connections if getattr(c.post_obj, "label", None) == "filtered target"
    ]
    expected = None if input_synapse is None else nengo.Lowpass(input_synapse)
    assert into_target_filter.synapse == expected  # the target is filtered alike
    if name == "nengo":
        assert into_population.synapse == expected
        assert "model" not in seen
    else:
        assert into_population.synapse is None
        assert seen["model"].decode_tau == (0.0 if input_synapse is None else input_synapse)


@pytest.mark.parametrize("window_readout", ["legendre", "least-squares"])
def test_solved_decoders_compute_the_product_of_the_window(window_readout, rng, allclose):
    """The function the demo's solved decoders compute is the product of the window samples."""
    process = nengo.processes.WhiteSignal(10.0, high=2.0, rms=0.3)
    memory = LegendreMemory(8, 1.0, input_process=process, add_to_container=False)
    readout = LearnedReadout(
        memory, population="window", delays=[0.0, 0.5], window_readout=window_readout,
        n_neurons=50, add_to_container=False,
    )
    if window_readout == "legendre":
        window = memory.readout_transform([0.0, 0.5])
    else:
        window = least_squares_window_readout(memory, [0.0, 0.5])
    assert LearnedReadout(memory, n_neurons=50, add_to_container=False).window_scales is None
    product = _window_product(readout)
    for state in rng.normal(scale=0.3, size=(5, 8)):
        samples = window @ state
        represented = readout.population_transform @ state
        assert allclose(product(represented), [samples[0] * samples[1]])


def test_filtered_like_output_puts_the_input_filter_first(rng, allclose):
    """The scored target passes the input filter, then the readout's synapse and the probe's."""
    readout = SimpleNamespace(synapse=nengo.Lowpass(0.01))
    probe, input_synapse, dt = nengo.Lowpass(0.02), nengo.Lowpass(0.005), 0.001
    signal = rng.normal(size=(500, 1))
    expected = probe.filt(
        readout.synapse.filt(input_synapse.filt(signal, dt=dt, y0=0), dt=dt, y0=0), dt=dt, y0=0
    )
    assert allclose(
        filtered_like_output(signal, readout, probe, dt, input_synapse), expected
    )
    assert not allclose(filtered_like_output(signal, readout, probe, dt), expected)
