"""Running a trained model over sequences: NengoDL batches, or one long run on any backend.

- `predict`, `simulate_states`: NengoDL, batched, one sequence per minibatch row.
- `run_sequences`: many sequences one after another in one run of a plain
  Nengo build, with the state reset between them, on ``nengo``, ``dl``,
  ``loihi-sim`` or ``loihi``.
"""

import time
import warnings

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import import_backend_module, is_loihi_backend, resolve_backend
from nengo_lmu.loihi import model as chip_model
from nengo_lmu.params import BATCH_SIZE, IntParam, check_param
from nengo_lmu.simulator import Simulator
from nengo_lmu.training.readout_window import (
    add_hold_node,
    add_hold_tensor_node,
    final_states,
    readout_steps,
    settle_steps,
    transform_matrix,
)
from nengo_lmu.training.spec import (
    build_model,
    check_spec_shape,
    hold_elements,
    steps_per_element,
)
from nengo_lmu.utils.progress import tqdm


HOST_SPIKE_CAP = IntParam("host_spike_cap", low=1, optional=True)


def pad_batches(x, multiple):
    """``x`` with zero sequences appended up to a whole number of batches of ``multiple``."""
    extra = -len(x) % multiple
    if extra:
        x = np.concatenate([x, np.zeros((extra,) + x.shape[1:], x.dtype)])
    return x


def nengo_dl_sim(model, batch_size, unroll, progress_bar=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Simulator(
            model.net,
            backend="dl",
            dt=model.spec["dt"],
            minibatch_size=batch_size,
            unroll_simulation=unroll,
            progress_bar=progress_bar,
        )


def unroll_for(n_steps, wanted=16):
    return max(u for u in range(1, wanted + 1) if n_steps % u == 0)


def predict(spec, params, x, batch_size=100, neuron_type=None, rate_scale=1.0,
            readout_synapse="spec", progress_bar=False):
    """The model's outputs on ``x`` in NengoDL (inference: spiking neurons spike).

    Returns the last step's outputs ``(n, size_out)`` for a classifier, every
    element's ``(n, steps, size_out)`` for a regressor. A deployed spec's
    elements are each held for its ``steps_per_element`` steps (see
    `nengo_lmu.training.deployment.deploy`), and read at the last step of each
    element; a deployed classifier with a readout window is read as the mean
    output over the window (see `nengo_lmu.training.readout_window`).
    """
    model = build_model(spec, params, neuron_type=neuron_type, rate_scale=rate_scale,
                        readout_synapse=readout_synapse)
    out = _run_held(spec, model, x, batch_size, [model.probe],
                    progress_bar=progress_bar)[model.probe]
    k = steps_per_element(spec)
    window = readout_steps(spec)
    if window:
        return out[:, -window:].mean(axis=1)
    return out[:, -1] if spec["task"] == "classify" else out[:, k - 1:: k]


def batch_callback(total_batches, desc, progress_bar=True):
    """A Keras callback that times each batch (training or prediction) and shows a bar.

    The bar (tqdm, on stderr) shows the running loss while training; ``times``
    holds the end of every batch. One callback serves several ``fit`` calls
    (one per epoch): a prediction closes its bar at its end, a training's
    caller closes it (``close()``) after the last epoch.
    """
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    class BatchCallback(tf.keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []
            self.bar = None

        def begin(self, logs=None):
            if progress_bar and self.bar is None:
                self.bar = tqdm(total=total_batches, desc=desc, unit="batch", leave=False)

        def batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())
            if self.bar is not None:
                self.bar.update(1)
                if logs and "loss" in logs:
                    self.bar.set_postfix(loss=f"{logs['loss']:.3f}")

        def close(self, logs=None):
            if self.bar is not None:
                self.bar.close()
                self.bar = None

        on_train_begin = on_predict_begin = begin
        on_train_batch_end = on_predict_batch_end = batch_end
        on_predict_end = close

    return BatchCallback()


def _run_held(spec, model, x, batch_size, probes, progress_bar=False):
    """``probes``' outputs of ``model`` on ``x`` (elements held), in NengoDL.

    With a readout window, the last element is held for its settle and
    window steps after the sequence, the memory held too, and the probes keep
    every step. With
    ``progress_bar``, a bar on stderr counts the batches.
    """
    x = np.asarray(x, dtype=np.float32)
    check_spec_shape(spec, x)
    n = len(x)
    batch_size = min(check_param(BATCH_SIZE, batch_size), n)
    held = hold_elements(x, steps_per_element(spec))
    window = readout_steps(spec)
    if window:
        with model.net:
            add_hold_tensor_node(model.cell.memory, first_step=held.shape[1])
        for probe in probes:
            model.net.config[probe].keep_history = True
        tail = settle_steps(spec) + window
        held = np.concatenate([held, np.repeat(held[:, -1:], tail, axis=1)], axis=1)
    padded = pad_batches(held, batch_size)
    callbacks = [batch_callback(len(padded) // batch_size, f"{n} sequences", progress_bar)]
    with nengo_dl_sim(model, batch_size, unroll_for(held.shape[1])) as sim:
        out = sim.predict({model.input: padded}, verbose=0, callbacks=callbacks)
    return {probe: np.asarray(out[probe][:n]) for probe in probes}


def simulate_states(spec, params, x, batch_size=100):
    """The memory state and the hidden activities of a model on ``x``, in NengoDL.

    Every step of the (held, for a deployed spec) schedule: ``"memory"``
    ``(n, steps * k, order * memory_d)`` and ``"hidden"`` ``(n, steps * k,
    units)`` (activities of rate neurons; spike trains of spiking ones).
    """
    model = build_model(spec, params)
    with model.net:
        probes = dict(memory=nengo.Probe(model.cell.memory.output, synapse=None),
                      hidden=nengo.Probe(model.cell.hidden.neurons, synapse=None))
    out = _run_held(spec, model, x, batch_size, list(probes.values()))
    return {name: out[probe] for name, probe in probes.items()}


def accuracy(logits, labels):
    """Fraction of sequences whose largest output is the label."""
    return float(np.mean(np.argmax(logits, axis=-1) == labels))


def run_sequences(
    spec,
    params,
    x,
    backend="nengo",
    neuron_type=None,
    rate_scale=1.0,
    readout_synapse="spec",
    gap_steps=2,
    delay_steps=None,
    stream=None,
    progress_bar=True,
    loihi_model=None,
    stats=None,
    host_spike_cap=None,
    float_emulator=False,
):
    """Run many sequences through a plain Nengo build of the model, in one run.

    The sequences follow one another, each after ``gap_steps`` steps during
    which the hidden neurons are strongly inhibited (their activity stops; a
    LIF neuron's voltage returns to zero, while nengo's
    ``SpikingRectifiedLinear`` rectifies its current and keeps its voltage,
    below threshold); at each sequence's first
    step the memory state is cleared (a Node cancels ``Ad m``), and so is
    what the cell's recurrent connections carry into it from the step before
    (``hidden_to_hidden``, ``hidden_to_memory``, ``memory_to_memory``: Nodes
    cancel it, see ``_cancel_carried_states``; inhibited tanh neurons output
    ``-1 / tau_ref``, not 0), so that every sequence starts from zero state
    as in `predict`'s batches. On ``loihi-sim`` and ``loihi`` the host does
    not read the hidden layer: there the inhibition alone resets it. Every
    part is a Node or an Ensemble, so the model runs on ``nengo`` and
    ``loihi-sim`` (neither can reset its state between sequences cheaply). A deployed spec
    (`nengo_lmu.training.deployment.deploy`) holds each element for its
    ``steps_per_element`` steps, and a classifier's for its settle and
    readout steps after the last, with the memory held.

    A deployed classifier read over a window is a function of the memory's
    final state alone (the hidden layer's activity during the elements never
    reaches the output), so by default its elements are not played one by
    one: the ideal memory, on the host, jumps in one step to the state they
    leave (`nengo_lmu.training.readout_window.final_states`, the same
    recursion), and the network runs for the window only. ``stream=True``
    plays every element in time, as a live input would be.

    Parameters
    ----------
    spec, params
        The model (see `build_model`).
    x : (n, steps, size_in) array_like
        The sequences.
    backend : str
        ``"nengo"``, ``"dl"``, ``"loihi-sim"`` or ``"loihi"``.
    neuron_type, rate_scale, readout_synapse
        As in `build_model`.
    gap_steps : int
        Steps between sequences (hidden inhibited, input zero).
    delay_steps : int or None
        Read each sequence's output this many steps after its last element,
        which is held meanwhile (a chip delays signals between host and chip).
        None: `nengo_lmu.loihi.LOIHI_DELAY_STEPS` on ``"loihi-sim"`` and
        ``"loihi"``, 0 on the others.
    stream : bool or None
        Play every element in time (True), or jump the memory to its final
        state (False; only for a classifier read over a window). None: False
        where it applies, else True.
    progress_bar : bool
        Show a progress bar (on stderr) over the sequences.
    loihi_model : nengo_loihi.builder.Model or None
        The model nengo-loihi builds into (None: `nengo_lmu.loihi.loihi_model`
        with the deployment's input filter and encoding, see
        `nengo_lmu.training.deployment.deploy`).
    stats : dict or None
        If a dict, filled with ``steps`` (simulator steps run) and, on
        ``"loihi-sim"``, ``host_to_chip_spikes_per_step`` (mean) and
        ``host_to_chip_spikes_max`` (the most in any one step): the spikes
        nengo-loihi sends from the host's input neurons to the chip.
    host_spike_cap : int or None
        The most host-to-chip spikes a step takes. A Loihi board's host
        process (snip) takes ``snip_max_spikes_per_step`` (nengo-loihi's
        default: 50) and drops the rest; on ``"loihi"`` this sets it, on
        ``"loihi-sim"`` (which has no cap) the emulator drops them as a board
        would. None: the deployment's ``host_spike_cap`` on ``"loihi"`` (else
        nengo-loihi's default), no cap on ``"loihi-sim"``.
    float_emulator : bool
        On ``"loihi-sim"``, run nengo-loihi's emulator in floating point
        (``target="simreal"``): the same build, without the chip's rounding of
        weights and voltages.

    Returns
    -------
    (n, size_out) ndarray for a classifier (the output at the last element,
    plus ``delay_steps``; for a deployed classifier with a readout window, its
    mean over the window that follows the delay and the settle steps, the
    memory held meanwhile: see `nengo_lmu.training.readout_window`);
    (n, steps, size_out) for a regressor (at the last step of each element).
    """
    backend = resolve_backend(backend)
    on_loihi = is_loihi_backend(backend)
    host_spike_cap = check_param(HOST_SPIKE_CAP, host_spike_cap)
    if host_spike_cap is not None and not on_loihi:
        raise ValidationError(
            f"A host-to-chip spike cap needs a chip; backend {backend!r} has none "
            "(use loihi-sim or loihi)", "host_spike_cap")
    if float_emulator and backend != "loihi-sim":
        raise ValidationError(
            f"The float emulator is loihi-sim's (got backend {backend!r})", "float_emulator")
    if delay_steps is None:
        delay_steps = chip_model.LOIHI_DELAY_STEPS if on_loihi else 0
    model, reads = sequence_model(
        spec, params, x, gap_steps=gap_steps, delay_steps=delay_steps, stream=stream,
        neuron_type=neuron_type, rate_scale=rate_scale, readout_synapse=readout_synapse,
        on_chip=on_loihi,
    )
    kwargs = {}
    if on_loihi:
        import_backend_module("nengo_loihi").add_params(model.net)
        kwargs["model"] = chip_model_for(spec) if loihi_model is None else loihi_model
        if float_emulator:
            kwargs["target"] = "simreal"
        if backend == "loihi":
            cap = host_spike_cap or spec.get("deployment", {}).get("host_spike_cap")
            if cap:
                kwargs["hardware_options"] = {"snip_max_spikes_per_step": int(cap)}
    with warnings.catch_warnings():
        if on_loihi:  # the chip's weight discretization warns about every small weight
            warnings.simplefilter("ignore")
        with Simulator(model.net, backend=backend, dt=spec["dt"], progress_bar=False,
                       **kwargs) as sim:
            counts = _count_host_spikes(sim, host_spike_cap) if on_loihi else None
            period = model.n_run_steps // len(reads)
            _run_with_bar(sim, len(reads), period, progress_bar, f"sequences on {backend}")
            out = np.asarray(sim.data[model.probe])
    if stats is not None:
        stats["steps"] = model.n_run_steps
        if counts is not None:
            per_step = _spikes_per_step(counts, model.n_run_steps)
            stats["host_to_chip_spikes_per_step"] = float(per_step.mean())
            stats["host_to_chip_spikes_max"] = int(per_step.max())
    if out.ndim == 3:  # NengoDL's minibatch axis
        out = out[0]
    if readout_steps(spec):
        return out[reads].mean(axis=1)
    return out[reads]


def chip_model_for(spec):
    """The nengo-loihi build model of a deployed spec's host-to-chip options.

    A spec deployed before these options existed gets the unfiltered on/off
    inputs it was measured with.
    """
    deployed = spec.get("deployment", {})
    return chip_model.loihi_model(
        spec["dt"],
        decode_tau=deployed.get("input_tau", 0.0),
        input_encoding=deployed.get("input_encoding", "on-off"),
    )


def _count_host_spikes(sim, cap=None):
    """Count the spikes nengo-loihi's emulator receives from the host, per step.

    Returns a dict whose ``"steps"`` and ``"spikes"`` lists grow as the
    simulator runs (None on a board): each call's steps and spike counts.
    With ``cap``, the spikes of a step beyond the first ``cap`` are dropped,
    as a board's host process drops them. Only this simulator's emulator is
    wrapped.
    """
    emulator = sim.sims.get("emulator")
    if emulator is None:  # a board: its own snip counts (and caps) them
        return None
    record = {"steps": [], "spikes": []}
    receive = emulator.host2chip

    def host2chip(spikes, errors):
        if cap is not None:
            spikes = _capped(spikes, cap)
        for _, step, idxs in spikes:
            record["steps"].append(step)
            record["spikes"].append(len(idxs))
        return receive(spikes, errors)

    emulator.host2chip = host2chip
    return record


def _spikes_per_step(record, n_steps):
    """Host-to-chip spikes in each of ``n_steps`` steps (steps count from 1)."""
    return np.bincount(np.asarray(record["steps"], dtype=int),
                       weights=np.asarray(record["spikes"], dtype=float),
                       minlength=n_steps + 1)[1: n_steps + 1]


def _capped(spikes, cap):
    """``spikes`` ((target, step, indices) in the order sent) with at most ``cap`` per step."""
    kept, sent = [], {}
    for target, step, idxs in spikes:
        room = max(cap - sent.get(step, 0), 0)
        sent[step] = sent.get(step, 0) + min(room, len(idxs))
        kept.append((target, step, idxs[:room]))
    return kept


def sequence_model(spec, params, x, gap_steps=2, delay_steps=0, stream=None,
                   neuron_type=None, rate_scale=1.0, readout_synapse="spec", on_chip=False):
    """The network of `run_sequences`: a model that plays ``x`` and resets between sequences.

    Parameters
    ----------
    spec, params, x, gap_steps, delay_steps, stream, neuron_type, rate_scale, readout_synapse
        As in `run_sequences` (``delay_steps`` an int).
    on_chip : bool
        Whether the hidden layer runs on Loihi (``loihi-sim``, ``loihi``):
        then the host does not cancel what its recurrent connections carry
        into a sequence's first step (the inhibition alone resets it).

    Returns
    -------
    model : LMUModel
        Its ``input`` Node plays the sequences (it ignores data fed to it);
        ``model.n_run_steps`` is the number of steps that plays all of them;
        the probe keeps every step.
    reads : ndarray of int
        The steps of the probe's output that are the outputs: ``(n,)`` for a
        classifier (each sequence's last element, plus ``delay_steps``),
        ``(n, readout_steps)`` for a classifier read over a window (see
        `nengo_lmu.training.readout_window`: its output is their mean),
        ``(n, steps)`` for a regressor (each element's last step, plus
        ``delay_steps``).
    """
    x = np.asarray(x, dtype=np.float32)
    check_spec_shape(spec, x)
    gap_steps = check_param(IntParam("gap_steps", low=0), gap_steps)
    delay_steps = check_param(IntParam("delay_steps", low=0), delay_steps)
    n, steps, dims = x.shape
    k = steps_per_element(spec)
    window = readout_steps(spec)
    if stream is None:
        stream = not window
    elif not stream and not window:
        raise ValidationError(
            "Only a classifier read over a window (readout_steps > 0) can skip "
            "its elements; this one is read at its elements", "stream")
    held = hold_elements(x, k)
    played = held if stream else x[:, -1:]
    played_steps = played.shape[1]
    # after the last element: the chip's delay, the settling, then the window
    tail = delay_steps + (settle_steps(spec) + window if window else 0)
    dt = spec["dt"]
    period = gap_steps + played_steps + tail
    schedule = np.zeros((n * period, dims), dtype=np.float32)
    hold = np.ones(n * period, dtype=bool)  # hidden inhibited
    starts, held_memory = set(), set()
    for j in range(n):
        begin = j * period + gap_steps
        end = begin + played_steps
        schedule[begin: end] = played[j]
        schedule[end: end + tail] = played[j, -1]
        hold[begin: end + tail] = False
        starts.add(begin)
        if window:
            held_memory.update(range(end, end + tail))
    model = build_model(spec, params, neuron_type=neuron_type, rate_scale=rate_scale,
                        readout_synapse=readout_synapse)
    cell = model.cell
    if cell.memory.n_neurons is not None:
        raise ValidationError("run_sequences resets the ideal memory only", "memory")
    jump = None
    if not stream:
        u = memory_inputs(model, held)
        jump = dict(zip(sorted(starts), final_states(cell.memory, u)))
        starts = set()

    def feed(t):
        step = int(round(t / dt)) - 1
        return schedule[step] if 0 <= step < len(schedule) else np.zeros(dims)

    def inhibit(t):
        step = int(round(t / dt)) - 1
        return -1.0 if 0 <= step < len(hold) and hold[step] else 0.0

    # build_model's rate_scale is in the hidden gain, which scales this input too;
    # a deployment's is in its weights
    strength = spec.get("deployment", {}).get("rate_scale", 1.0)
    model.input.output = feed
    with model.net:
        add_hold_node(cell.memory, hold=held_memory, reset=starts, jump=jump,
                      label="reset memory")
        inhibit_node = nengo.Node(inhibit, label="reset hidden")
        nengo.Connection(
            # a value of -1 (chip inputs are encoded within [-1, 1]) times 10,
            # times the neurons' gain: far below any neuron's threshold
            # (a deployed model's inputs are scaled by its rate_scale)
            inhibit_node, cell.hidden.neurons,
            transform=10 * strength * np.ones((spec["units"], 1)), synapse=None,
        )
        _cancel_carried_states(model, starts, hold, on_chip=on_chip)
        model.net.config[model.probe].keep_history = True
    model.n_run_steps = len(schedule)
    ends = np.arange(n) * period + gap_steps + played_steps - 1 + delay_steps
    if window:
        return model, ends[:, None] + settle_steps(spec) + np.arange(1, window + 1)
    if spec["task"] == "classify":
        return model, ends
    return model, ends[:, None] - k * np.arange(steps)[::-1]


def _cancel_carried_states(model, starts, hold, on_chip=False):
    """Make the recurrent connections of ``model``'s cell read zero state at each sequence's start.

    A connection with a one-step synapse delivers, at a sequence's first
    step, its source's value from the step before, which the resets do not
    clear: ``memory_to_memory`` reads the last sequence's memory; the
    hidden neurons, inhibited, output ``-1 / tau_ref`` if they are tanh
    (nengo's ``Tanh``, of models converted from KerasLMU), and with
    ``hidden_to_hidden`` LIF neurons' rates (up to ``1 / tau_ref``) can keep
    them firing through the inhibition. A Node feeds each such connection the
    negative of its source's value at the steps before starts, through the
    same transform and synapse, which cancels it (to float64 rounding; where
    the inhibition worked it adds zeros). Tanh neurons' output is cancelled
    into the cell's output while they are held too, so that a readout lowpass
    sees zero there, as with rectified neurons. ``on_chip``: the hidden layer
    runs on Loihi, where the host cannot read it every step; only the
    memory's connection is cancelled. A feedforward cell gets no Node.
    """
    cell = model.cell
    dt = model.spec["dt"]
    before = {step - 1 for step in starts}
    conns = cell.cell_connections
    cancel = {}
    if "memory_to_memory" in conns:
        cancel[conns["memory_to_memory"]] = before
    if not on_chip:
        for role in ("hidden_to_hidden", "hidden_to_memory"):
            if role in conns:
                cancel[conns[role]] = before
        rest = cell.hidden.neuron_type.rates(np.array([-1e3]), np.ones(1), np.zeros(1))
        if np.any(rest != 0):
            cancel[conns["hidden_to_output"]] = set(np.flatnonzero(hold).tolist())
    rng = np.random.RandomState(model.spec["seed"])
    for conn, steps in cancel.items():
        transform = None  # (nengo's NoTransform)
        if isinstance(conn.transform, nengo.transforms.Dense):
            # an untrained model's weights are drawn at the build: fix them, for both paths
            transform = conn.transform = conn.transform.sample(rng=rng)
        negate = nengo.Node(_negate_at(steps, dt, conn.pre.size_out),
                            size_in=conn.pre.size_out, label="cancel carried state")
        nengo.Connection(conn.pre, negate, synapse=None)
        nengo.Connection(negate, conn.post, transform=transform, synapse=conn.synapse)


def _negate_at(steps, dt, size):
    """A Node function: its input negated at ``steps`` (0 for the first), else zeros."""
    zeros = np.zeros(size)

    def negate(t, x):
        return -x if int(round(t / dt)) - 1 in steps else zeros

    return negate


def memory_inputs(model, x):
    """The memory's input ``u`` for the sequences ``x`` of a feedforward model's cell.

    ``u = e_x x`` through the model's input connection (a windowed classifier
    has no ``hidden_to_memory`` or ``memory_to_memory`` term).
    """
    into_cell = next(c for c in model.net.connections if c.pre_obj is model.input)
    encode = np.atleast_2d(transform_matrix(model.cell.cell_connections["input_to_memory"]))
    scale = np.atleast_2d(transform_matrix(into_cell))
    if scale.size == 1:
        scale = scale.item() * np.eye(x.shape[-1])
    return np.asarray(x, dtype=float) @ (encode @ scale).T


def _run_with_bar(sim, n_sequences, period, progress_bar, desc):
    """Run ``n_sequences * period`` steps in chunks of whole sequences, with a bar."""
    per_chunk = max(1, 2000 // period)  # about two simulated seconds per call
    with tqdm(total=n_sequences, desc=desc, unit="seq", disable=not progress_bar,
              leave=False) as bar:
        done = 0
        while done < n_sequences:
            chunk = min(per_chunk, n_sequences - done)
            sim.run_steps(chunk * period)
            done += chunk
            bar.update(chunk)
