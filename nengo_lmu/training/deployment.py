"""Deploy a trained LMU model as a Loihi-ready spiking network.

A model trained with NengoDL (`nengo_lmu.training`) steps once per sequence
element, with rate neurons. The Loihi chip runs spiking neurons that fire at
most once per 1 ms step, takes its inputs from the host as spikes that encode
values within [-1, 1], and filters with ``Lowpass`` synapses only. `deploy`
turns a trained ``(spec, params)`` into a deployed ``(spec, params)`` that
keeps the trained function but fits the chip:

- **Readout window** (classifiers, the default). After the last element,
  the memory is held at its final state for ``readout_steps`` steps, and the
  output is the readout averaged over them (the spike count of every hidden
  neuron, `nengo_lmu.training.readout_window`): the hidden neurons fire at
  the rates of the trained model's final step, and enough spikes are counted
  to read them. Elements are then presented for one step each: the hidden
  layer's activity during the sequence does not reach the output.
- **Held elements** (regressors, or ``readout_steps=0``). Each sequence
  element is presented for ``steps_per_element`` steps (``k``), so that the
  spiking neurons have time to fire. The ideal memory is rebuilt over ``theta * k``: ``k`` steps of the
  zero-order-hold discretization on a held input equal one step of the
  original, so the memory state at the end of each element is exactly the
  trained model's. The readout's lowpass is stretched by ``k`` alike.
- **Chip firing rates.** The hidden rectified-linear neurons become
  ``nengo.SpikingRectifiedLinear`` with gain and bias multiplied by
  ``rate_scale``, chosen from the trained activities on calibration
  sequences so that the busiest neuron fires at ``max_rate`` (a rate the chip
  can produce, well below its 1000 Hz limit); the readout weights are divided
  by it.
- **Inputs within [-1, 1].** The sequence and the memory state, computed on
  the host, enter the chip through nengo-loihi's input neurons, which encode
  values within [-1, 1]: both are scaled into that range (from their largest
  values on the calibration sequences, over every step of the held
  schedule), and the scales are folded back into the on-chip weights.
- **Off-chip readout.** The readout is a Node on the host, reading the
  hidden neurons' spikes (through the trained readout's ``Lowpass``, if it
  had one; averaged over the readout window, if there is one); nothing but
  the hidden population is on the chip. `nengo_lmu.loihi.preflight` passes.

The deployed spec and params work with every function of
`nengo_lmu.training`: `~nengo_lmu.training.build_model` builds the deployed
network, `~nengo_lmu.training.predict` evaluates it in NengoDL with the held
schedule, `~nengo_lmu.training.run_sequences` runs it on ``nengo``,
``loihi-sim`` or ``loihi``, and `~nengo_lmu.training.save_model` saves it.
"""

import copy
import time
import warnings

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import resolve_backend
from nengo_lmu.loihi.checks import preflight
from nengo_lmu.loihi.model import INPUT_ENCODING
from nengo_lmu.params import STEPS_PER_ELEMENT, NumberParam, check_param
from nengo_lmu.training.readout_window import (
    READOUT_STEPS,
    SETTLE_STEPS,
    check_windowed,
    windowable,
)
from nengo_lmu.training.sequences import accuracy, predict, run_sequences, simulate_states
from nengo_lmu.training.spec import (
    build_model,
    check_sequences,
    check_spec_shape,
    find_index,
    recurrent_option,
)
from nengo_lmu.training.spec import steps_per_element as held_steps
from nengo_lmu.training.spec import READOUT_SYNAPSE

MAX_RATE = NumberParam("max_rate", low=0, high=1000, low_open=True)
_PERCENTILE = NumberParam("rate_percentile", low=0, high=100, low_open=True)
_HEADROOM = NumberParam("input_headroom", low=0, high=1, low_open=True)
_READOUT = READOUT_SYNAPSE  # defined once, in training/spec.py (issue 27)
INPUT_TAU = NumberParam("input_tau", low=0, high=1, optional=True)
#: a classifier's readout window: up to 20 spikes per neuron at max_rate 200 Hz
DEFAULT_READOUT_STEPS = 100
#: elements held without a readout window
DEFAULT_STEPS_PER_ELEMENT = 10
#: the chip's lowpass on host inputs: nengo-loihi's own default (``decode_tau``)
DEFAULT_INPUT_TAU = 0.005
#: time constants of that lowpass the memory is held before the window opens
SETTLE_TAUS = 4


def _param_keys(model):
    """Index in params of the objects that deployment rescales."""
    cell = model.cell
    conns = cell.cell_connections
    objs = model.parametrized_objects()
    keys = {
        "hidden": find_index(objs, cell.hidden),
        "sequence_to_cell": find_index(
            objs, next(c for c in model.net.connections if c.pre_obj is model.input)
        ),
        "readout": find_index(
            objs, next(c for c in model.net.connections if c.post_obj is model.output)
        ),
    }
    for role in ("input_to_memory", "input_to_hidden", "memory_to_hidden"):
        if role in conns:
            keys[role] = find_index(objs, conns[role])
    keys["memory"] = [find_index(objs, c) for c in cell.memory.all_connections]
    return keys


def check_deployable(spec, steps_per_element=1, readout_steps=0):
    """Raise a ``ValidationError`` if ``spec``'s model cannot be deployed.

    Deployment needs rectified-linear hidden neurons (whose firing rates scale
    exactly) and, to hold elements for more than one step, a feedforward cell
    (no connection that reads the hidden state or the memory of the previous
    step, which would then be the previous *step*, not element) with a fixed
    memory; a readout window needs a feedforward classifier (see
    `nengo_lmu.training.readout_window.check_windowed`).
    """
    if spec["neuron_type"] not in ("relu", "spiking-relu"):
        raise ValidationError(
            f"Deployment scales firing rates, which is exact for rectified-linear "
            f"neurons only; train with neuron_type 'relu' (got {spec['neuron_type']!r})",
            "neuron_type",
        )
    if held_steps(spec) != 1 or "deployment" in spec:
        raise ValidationError("The model is already deployed", "spec")
    check_windowed(spec, readout_steps)
    if steps_per_element > 1:
        name = recurrent_option(spec)
        if name is not None:
            raise ValidationError(
                f"Holding each element for {steps_per_element} steps needs a "
                f"feedforward cell; this one has {name}=True (train with "
                f"{name}=False, or deploy with steps_per_element=1)",
                name,
            )
        if spec["cell_kwargs"].get("trainable_memory", False):
            raise ValidationError(
                "Holding elements rebuilds the memory over theta * steps_per_element, "
                "which a trained memory cannot be (train with trainable_memory=False)",
                "trainable_memory",
            )


def deploy(
    spec,
    params,
    x_calibration,
    steps_per_element=None,
    readout_steps=None,
    max_rate=200.0,
    rate_percentile=99.9,
    input_headroom=0.95,
    readout_synapse=None,
    input_tau=None,
    input_encoding="rectified",
    settle_steps=None,
    batch_size=100,
):
    """A Loihi-ready deployment of a trained model: ``(spec, params)``.

    Parameters
    ----------
    spec, params
        The trained model (from `nengo_lmu.training.train_classifier`,
        `~nengo_lmu.training.fit` or `~nengo_lmu.training.load_model`), with
        rectified-linear hidden neurons; to hold elements for more than one
        step, a feedforward cell (``hidden_to_hidden``, ``hidden_to_memory`` and
        ``memory_to_memory`` False) with a fixed memory.
    params : dict
    x_calibration : (n, steps, size_in) array_like
        Sequences (from the training set) from which the input, memory and
        activity ranges are measured.
    steps_per_element : int or None
        Simulator steps each sequence element is held for. None: 1 for a
        classifier read over a window, else 10.
    readout_steps : int or None
        Steps of a classifier's readout window (0: none; read at the last
        step). None: 100 for a feedforward classifier trained without a
        readout lowpass (at ``max_rate`` 200 Hz, up to 20 spikes per neuron;
        see `nengo_lmu.training.readout_window.windowable`), else 0.
    max_rate : float
        Firing rate (Hz) of the busiest hidden neuron on the calibration
        sequences (its ``rate_percentile`` activity); at most 1000, the
        chip's one spike per step.
    rate_percentile : float
        Percentile of all hidden activities on the calibration sequences that
        is mapped to ``max_rate`` (100: the largest; the default 99.9 lets the
        rare busiest moments fire faster, up to about 1.7 times ``max_rate``
        for psdigits).
    input_headroom : float
        The largest sequence value and memory state on the calibration
        sequences are scaled to this (at most 1, the chip's input range).
    readout_synapse : float or None
        Time constant (s) of the readout's lowpass; None: the trained
        readout's times ``steps_per_element`` (if it had none: none with a
        readout window, which averages the spikes, else
        ``steps_per_element * dt``).
    input_tau : float or None
        Time constant (s) of the lowpass through which the chip receives the
        host's values (the memory state, the input, the reset signal):
        nengo-loihi's ``decode_tau``. A host value reaches the chip as spikes,
        each of which adds a whole weight to its targets' current in one
        step; the chip's neurons fire at most once per step, reset to zero
        and stop at zero, so an unfiltered spike train does not average out
        (psFashion on loihi-sim, 300 test sequences: 0.750 unfiltered,
        0.897 with the default; ``nengo-lmu bench loihi-deployment``). 0: no
        filter. None:
        0.005 (nengo-loihi's own default) with a readout window, else 0 (the
        held schedule reads every element as it ends, which a filter would
        delay).
    input_encoding : {"rectified", "on-off"}
        How the host's values are encoded as spikes for the chip (see
        `nengo_lmu.loihi.loihi_model`): ``"rectified"`` fires in proportion
        to each value's magnitude (about ``sum(|v|)`` spikes per step),
        ``"on-off"`` is nengo-loihi's own (one spike per step and dimension).
    settle_steps : int or None
        Steps the memory is held before the readout window opens, so that
        the input filter reaches the held state. None: ``4 * input_tau / dt``
        with a readout window, else 0.
    batch_size : int
        Calibration sequences simulated at once (NengoDL).

    Returns
    -------
    spec : dict
        The deployed spec: ``theta`` and the readout synapse multiplied by
        ``steps_per_element``, ``neuron_type`` ``"spiking-relu"``,
        ``steps_per_element``, ``readout_steps``, ``settle_steps``, and
        ``deployment``: a dict of the scales (``rate_scale``, ``input_scale``,
        ``memory_scale``) and settings (``input_tau``, ``input_encoding``,
        ...).
    params : dict
        The trained params with the scales folded in (the memory's own
        connections left to be rebuilt over the new ``theta``).
    """
    if readout_steps is None:
        readout_steps = DEFAULT_READOUT_STEPS if windowable(spec) else 0
    window = check_param(READOUT_STEPS, readout_steps)
    if steps_per_element is None:
        steps_per_element = 1 if window else DEFAULT_STEPS_PER_ELEMENT
    k = check_param(STEPS_PER_ELEMENT, steps_per_element)
    max_rate = check_param(MAX_RATE, max_rate)
    rate_percentile = check_param(_PERCENTILE, rate_percentile)
    input_headroom = check_param(_HEADROOM, input_headroom)
    readout_synapse = check_param(_READOUT, readout_synapse)
    input_tau = check_param(INPUT_TAU, input_tau)
    if input_tau is None:
        input_tau = DEFAULT_INPUT_TAU if window else 0.0
    input_encoding = check_param(INPUT_ENCODING, input_encoding)
    if not window:
        if input_tau:  # a filter would delay every element the held schedule reads
            raise ValidationError(
                "An on-chip input filter needs a readout window (the held schedule reads "
                "each element as it ends); use input_tau=0 with readout_steps=0",
                "input_tau")
        if settle_steps:
            raise ValidationError("Settle steps precede a readout window; use "
                                  "settle_steps=0 with readout_steps=0", "settle_steps")
    if settle_steps is None:
        settle_steps = int(np.ceil(SETTLE_TAUS * input_tau / spec["dt"] - 1e-9))
    settle_steps = check_param(SETTLE_STEPS, settle_steps)
    check_deployable(spec, k, window)
    if params is None:
        raise ValidationError("Deploy a trained model: params are needed", "params")
    x = np.asarray(x_calibration, dtype=np.float32)
    x, _ = check_sequences(x, np.zeros(len(x), dtype=int) if x.ndim == 3 else [],
                                    n_classes=1, name="x_calibration")
    check_spec_shape(spec, x)

    if k > 1 and spec["readout_synapse"] is None and not window:
        # within a held element the memory passes through states the model was
        # never trained on; a model trained through a lowpass averages them away
        warnings.warn(
            "This model was trained without a readout lowpass (readout_synapse=None): "
            "its deployment with held elements loses accuracy (psdigits: 0.97 trained, "
            "0.78 deployed with rates, 0.53 on loihi-sim); train with a readout lowpass "
            "(the psdigits recipe's 0.005 s) to deploy it, or read it over a window "
            "(readout_steps)"
        )
    if readout_synapse is None:
        trained = spec["readout_synapse"]
        if trained is not None:
            readout_synapse = k * float(trained)
        elif not window:
            readout_synapse = k * spec["dt"]
    held_spec = copy.deepcopy(spec)
    held_spec.update(theta=spec["theta"] * k, steps_per_element=k)
    params = {key: np.array(value) for key, value in params.items()}
    keys = _param_keys(build_model(spec))
    for index in keys["memory"]:  # rebuilt over theta * k
        for name in ("transform", "decoders"):
            params.pop(f"{index}/{name}", None)

    # the ranges of the input, the memory and the activities on the held schedule
    states = simulate_states(held_spec, params, x, batch_size=batch_size)
    x_max = float(np.max(np.abs(x)))
    m_max = float(np.max(np.abs(states["memory"])))
    a_top = float(np.percentile(states["hidden"], rate_percentile))
    if x_max == 0 or m_max == 0 or a_top <= 0:
        raise ValidationError(
            "The calibration sequences leave the input, the memory or the hidden "
            "neurons silent; give sequences from the training set",
            "x_calibration",
        )
    input_scale = input_headroom / x_max
    memory_scale = input_headroom / m_max
    rate_scale = max_rate / a_top

    def scale(key, factor, name="transform"):
        if key in keys:
            full = f"{keys[key]}/{name}"
            params[full] = np.asarray(params.get(full, 1.0), dtype=float) * factor

    scale("sequence_to_cell", input_scale)  # the host feeds x * input_scale
    scale("input_to_memory", memory_scale / input_scale)  # the memory holds m * memory_scale
    scale("input_to_hidden", rate_scale / input_scale)
    scale("memory_to_hidden", rate_scale / memory_scale)
    scale("hidden", rate_scale, name="bias")
    scale("readout", 1.0 / rate_scale)  # spikes of amplitude 1 -> the trained h

    deployed = copy.deepcopy(held_spec)
    deployed.update(
        neuron_type="spiking-relu",
        readout_synapse=None if readout_synapse is None else float(readout_synapse),
        readout_steps=window,
        settle_steps=settle_steps,
        deployment=dict(
            input_tau=input_tau,
            input_encoding=input_encoding,
            # one spike per dimension and step at most (rates up to 1 / dt), for
            # the memory, the input and run_sequences' reset: nothing is dropped
            host_spike_cap=int(spec["order"] * spec["cell_kwargs"].get("memory_d", 1)
                               + spec["size_in"] + 1),
            rate_scale=rate_scale,
            input_scale=input_scale,
            memory_scale=memory_scale,
            max_rate=max_rate,
            rate_percentile=rate_percentile,
            input_headroom=input_headroom,
            trained_theta=spec["theta"],
            trained_neuron_type=spec["neuron_type"],
            trained_readout_synapse=spec["readout_synapse"],
            calibration_sequences=len(x),
        ),
    )
    return deployed, params


def metric_name(backend):
    """``loihi-sim`` -> ``loihi_sim``: a backend's name in metric names."""
    return backend.replace("-", "_")


def evaluate(
    spec,
    params,
    x_calibration,
    x_test,
    y_test,
    backends=("nengo", "loihi-sim"),
    steps_per_element=None,
    readout_steps=None,
    max_rate=200.0,
    rate_percentile=99.9,
    progress_bar=True,
    **deploy_kwargs,
):
    """Deploy a trained classifier and score the deployment on NengoDL and ``backends``.

    The same test sequences go through: the trained model (rates, NengoDL);
    the deployed network with rate neurons and with spiking neurons, both in
    NengoDL (`nengo_lmu.training.predict`, the held schedule); and the deployed
    spiking network on each of ``backends`` (`nengo_lmu.training.run_sequences`,
    all sequences in one run).

    Parameters
    ----------
    spec, params
        The trained classifier.
    x_calibration : array_like
        Calibration sequences for `deploy` (from the training set).
    x_test, y_test : array_like
        Test sequences and their labels.
    backends : sequence of str
        Backends to run the deployed network on (``"nengo"``, ``"dl"``,
        ``"loihi-sim"``, ``"loihi"``).
    steps_per_element, readout_steps, max_rate, rate_percentile, **deploy_kwargs
        Passed to `deploy`.
    progress_bar : bool
        Show progress bars on stderr.

    Returns
    -------
    dict
        ``eval_sequences``; ``eval_rate_test_accuracy`` (the trained model);
        ``deployed_rate_test_accuracy``, ``deployed_spiking_test_accuracy``
        (NengoDL); ``<backend>_test_accuracy`` and
        ``<backend>_agreement_with_dl_spiking`` (fraction of sequences given
        the same class as NengoDL's spiking evaluation) and
        ``<backend>_seconds`` and ``<backend>_seconds_per_sequence`` per
        backend, and on ``loihi-sim`` ``loihi_sim_host_to_chip_spikes_per_step``
        and ``loihi_sim_host_to_chip_spikes_max`` (see
        `nengo_lmu.training.run_sequences`); ``rate_scale``,
        ``steps_per_element``, ``readout_steps``, ``max_rate``, ``preflight_problems`` (of the
        deployed network, `nengo_lmu.loihi.preflight`); ``spec`` and
        ``params`` of the deployment.
    """
    backends = [resolve_backend(b) for b in backends]
    if spec["task"] != "classify":
        raise ValidationError("evaluate scores classifiers", "spec")
    x_test, y_test = check_sequences(
        x_test, np.asarray(y_test), spec["size_out"], name="x_test"
    )
    dspec, dparams = deploy(
        spec, params, x_calibration, steps_per_element=steps_per_element,
        readout_steps=readout_steps, max_rate=max_rate, rate_percentile=rate_percentile,
        **deploy_kwargs,
    )
    result = dict(
        eval_sequences=len(x_test),
        steps_per_element=dspec["steps_per_element"],
        readout_steps=dspec["readout_steps"],
        max_rate=max_rate,
        rate_scale=dspec["deployment"]["rate_scale"],
        preflight_problems=len(preflight(build_model(dspec, dparams).net,
                                         dt=dspec["dt"])),
    )
    result["eval_rate_test_accuracy"] = accuracy(
        predict(spec, params, x_test), y_test
    )
    rate_spec = dict(dspec, neuron_type="relu")
    result["deployed_rate_test_accuracy"] = accuracy(
        predict(rate_spec, dparams, x_test), y_test
    )
    spiking = predict(dspec, dparams, x_test)
    result["deployed_spiking_test_accuracy"] = accuracy(spiking, y_test)
    for backend in backends:
        start = time.perf_counter()
        stats = {}
        logits = run_sequences(dspec, dparams, x_test, backend=backend,
                               progress_bar=progress_bar, stats=stats)
        name = metric_name(backend)
        result[f"{name}_seconds"] = time.perf_counter() - start
        result[f"{name}_seconds_per_sequence"] = result[f"{name}_seconds"] / len(x_test)
        for key in ("host_to_chip_spikes_per_step", "host_to_chip_spikes_max"):
            if key in stats:
                result[f"{name}_{key}"] = stats[key]
        result[f"{name}_test_accuracy"] = accuracy(logits, y_test)
        result[f"{name}_agreement_with_dl_spiking"] = float(
            np.mean(np.argmax(logits, axis=-1) == np.argmax(spiking, axis=-1))
        )
    result["spec"], result["params"] = dspec, dparams
    return result
