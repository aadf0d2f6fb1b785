"""Train an `.LMUCell` with NengoDL; evaluate it as rates, as spikes, on any backend.

A model is a *spec* (a dict of the hyperparameters, JSON-serializable) plus
*params* (the trained values of every ensemble and weighted connection, in the
order of ``net.all_ensembles + net.all_connections``). `build_model` turns
the two into a fresh `nengo.Network`, with any neuron type: that is how a
model trained with rate neurons is evaluated with spiking ones, reloaded from
a file, or run on the ``nengo`` and ``loihi-sim`` backends.

- `train_classifier`: sequence classification (loss on the last step), the
  psMNIST task; returns a dict of metrics.
- `train_regressor`: sequence-to-sequence regression (loss on every step).
- `evaluate_classifier` (NengoDL, batched), `run_sequences` (one long run of
  many sequences on ``nengo`` or ``loihi-sim``, with the state reset between
  sequences).
- `save_model` / `load_model`.
"""

import json
import time
import warnings

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import IntParam, NumberParam

from nengo_lmu.simulator import Simulator, import_backend_module, resolve_backend
from nengo_lmu.validation import check_param

_UNITS = IntParam("units", low=1)
_ORDER = IntParam("order", low=1)
_EPOCHS = IntParam("epochs", low=0)
_BATCH = IntParam("batch_size", low=1)
_LR = NumberParam("learning_rate", low=0, low_open=True)
_SCALE = NumberParam("rate_scale", low=0, low_open=True)
_MAX_BATCHES = IntParam("max_batches", low=1, optional=True)

#: The spiking neuron type that stands in for each rate type at evaluation.
SPIKING_COUNTERPARTS = {
    nengo.RectifiedLinear: nengo.SpikingRectifiedLinear,
    nengo.LIFRate: nengo.LIF,
}

_NEURON_TYPES = {
    "relu": nengo.RectifiedLinear,
    "spiking-relu": nengo.SpikingRectifiedLinear,
    "lif-rate": nengo.LIFRate,
    "lif": nengo.LIF,
    "tanh": nengo.Tanh,
}


def neuron_type_from_name(name, amplitude=1.0):
    """A hidden neuron type from its name in a spec (see ``_NEURON_TYPES``)."""
    if name not in _NEURON_TYPES:
        raise ValidationError(
            f"Unknown neuron type {name!r}; choose from {sorted(_NEURON_TYPES)}",
            "neuron_type",
        )
    cls = _NEURON_TYPES[name]
    return cls() if cls is nengo.Tanh else cls(amplitude=amplitude)


def spiking_name(name):
    """The name of the spiking counterpart of a rate neuron type's name."""
    counterparts = {"relu": "spiking-relu", "lif-rate": "lif"}
    if name in counterparts.values():
        return name
    if name not in counterparts:
        raise ValidationError(
            f"Neuron type {name!r} has no spiking counterpart; train with one of "
            f"{sorted(counterparts)} to evaluate with spikes",
            "neuron_type",
        )
    return counterparts[name]


def make_spec(
    task,
    n_steps,
    size_in,
    size_out,
    units,
    order,
    theta=None,
    neuron_type="relu",
    readout_synapse=None,
    dt=0.001,
    seed=0,
    **cell_kwargs,
):
    """Validate the hyperparameters of a model and return its spec (a dict).

    Parameters
    ----------
    task : {"classify", "regress"}
        ``"classify"``: ``size_out`` classes, scored at the last step;
        ``"regress"``: ``size_out`` outputs at every step.
    n_steps : int
        Steps per sequence.
    size_in, size_out : int
        Input dimensions; output dimensions (or classes).
    units, order : int
        Hidden neurons and memory order of the `.LMUCell`.
    theta : float or None
        Memory window in seconds; None for the whole sequence (``n_steps * dt``).
    neuron_type : str
        Hidden neurons: ``"relu"``, ``"lif-rate"``, ``"tanh"`` (rate) or
        ``"spiking-relu"``, ``"lif"``.
    readout_synapse : float or None
        Synapse of the readout from the hidden neurons (None: none).
    dt : float
        Simulator time step (one sequence element per step).
    seed : int
        Network seed (initial weights).
    **cell_kwargs
        Boolean options of `.LMUCell` (``hidden_to_memory``, ...).
    """
    if task not in ("classify", "regress"):
        raise ValidationError(f"Must be 'classify' or 'regress' (got {task!r})", "task")
    units = check_param(_UNITS, units)
    order = check_param(_ORDER, order)
    n_steps = check_param(IntParam("n_steps", low=1), n_steps)
    size_in = check_param(IntParam("size_in", low=1), size_in)
    size_out = check_param(IntParam("size_out", low=1), size_out)
    neuron_type_from_name(neuron_type)
    allowed = {
        "hidden_to_memory", "memory_to_memory", "input_to_hidden",
        "hidden_to_hidden", "trainable_memory", "hidden_bias", "memory_d",
    }
    unknown = set(cell_kwargs) - allowed
    if unknown:
        raise ValidationError(
            f"Unknown cell options {sorted(unknown)}; choose from {sorted(allowed)}",
            "cell_kwargs",
        )
    return dict(
        task=task,
        n_steps=n_steps,
        size_in=size_in,
        size_out=size_out,
        units=units,
        order=order,
        theta=float(n_steps * dt if theta is None else theta),
        neuron_type=neuron_type,
        readout_synapse=readout_synapse,
        dt=float(dt),
        seed=int(seed),
        cell_kwargs=dict(cell_kwargs),
    )


class LMUModel:
    """A built model: the network and its handles (see `build_model`).

    Attributes
    ----------
    net : nengo.Network
    input : nengo.Node
        Feeds the sequence (``size_in`` dimensions).
    cell : nengo_lmu.networks.LMUCell
    output : nengo.Node
        The readout (logits or regression outputs).
    probe : nengo.Probe
        Probes ``output``.
    spec : dict
    """

    def __init__(self, net, input, cell, output, probe, spec):
        self.net, self.input, self.cell = net, input, cell
        self.output, self.probe, self.spec = output, probe, spec

    def parametrized_objects(self):
        """Ensembles then connections, in the order params are stored."""
        return self.net.all_ensembles + self.net.all_connections


def build_model(spec, params=None, neuron_type=None, rate_scale=1.0, readout_synapse="spec"):
    """Build the network of a spec, with trained ``params`` if given.

    Parameters
    ----------
    spec : dict
        From `make_spec`.
    params : dict or None
        From `get_params` (None: the initial weights).
    neuron_type : str or None
        Hidden neuron type to build with, overriding the spec's (e.g. the
        spiking counterpart of the trained rate type).
    rate_scale : float
        Multiplies the hidden neurons' input (gain and bias) and divides their
        output amplitude: a rectified-linear population computes the same
        function, firing ``rate_scale`` times faster, with smaller spikes
        (the ``scale_firing_rates`` of ``nengo_dl.Converter``; approximate for
        other neuron types).
    readout_synapse : float, None or "spec"
        Synapse of the readout; "spec" uses the spec's.
    """
    from nengo_lmu.networks import LMUCell

    nengo_dl = import_backend_module("nengo_dl")
    rate_scale = check_param(_SCALE, rate_scale)
    name = spec["neuron_type"] if neuron_type is None else neuron_type
    neurons = neuron_type_from_name(name, amplitude=1.0 / rate_scale)
    if rate_scale != 1 and not hasattr(neurons, "amplitude"):
        raise ValidationError(f"{name} neurons have no amplitude to scale", "rate_scale")
    synapse = spec["readout_synapse"] if readout_synapse == "spec" else readout_synapse
    classify = spec["task"] == "classify"
    with nengo.Network(seed=spec["seed"], label="LMU model") as net:
        nengo_dl.configure_settings(trainable=None, stateful=False, keep_history=True)
        inp = nengo.Node(np.zeros(spec["size_in"]), label="sequence")
        cell = LMUCell(
            spec["units"],
            spec["order"],
            spec["theta"],
            size_in=spec["size_in"],
            neuron_type=neurons,
            dt=spec["dt"],
            **spec["cell_kwargs"],
        )
        conn = nengo.Connection(inp, cell.input, synapse=None)
        net.config[conn].trainable = False
        out = nengo.Node(size_in=spec["size_out"], label="readout")
        nengo.Connection(
            cell.output, out, transform=nengo_dl.dists.Glorot(), synapse=synapse
        )
        probe = nengo.Probe(out, label="readout")
        net.config[probe].keep_history = not classify
    model = LMUModel(net, inp, cell, out, probe, spec)
    if params is not None:
        set_params(model, params)
    if rate_scale != 1:
        hidden = cell.hidden
        gain = hidden.gain if isinstance(hidden.gain, np.ndarray) else np.ones(spec["units"])
        bias = hidden.bias if isinstance(hidden.bias, np.ndarray) else np.zeros(spec["units"])
        hidden.gain = gain * rate_scale
        hidden.bias = bias * rate_scale
    return model


def get_params(sim, model):
    """The trained values of ``model`` in NengoDL simulator ``sim``, as arrays."""
    objs = model.parametrized_objects()
    values = sim.get_nengo_params(objs)
    params = {}
    for k, (obj, value) in enumerate(zip(objs, values)):
        if isinstance(obj, nengo.Ensemble):
            for key in ("encoders", "gain", "bias"):
                params[f"{k}/{key}"] = np.asarray(value[key])
        elif value.get("solver") is not None:
            params[f"{k}/decoders"] = np.asarray(value["solver"].values)
        elif value["transform"] is not None:
            params[f"{k}/transform"] = np.asarray(value["transform"])
    return params


def set_params(model, params):
    """Store ``params`` (from `get_params`) into a freshly built ``model``."""
    objs = model.parametrized_objects()
    for key, value in params.items():
        index, name = key.split("/")
        index = int(index)
        if index >= len(objs):
            raise ValidationError(
                f"The parameters do not fit this model (object {index} of {len(objs)})",
                "params",
            )
        obj = objs[index]
        if isinstance(obj, nengo.Ensemble):
            if name == "encoders":
                obj.normalize_encoders = False
            setattr(obj, name, value)
        elif name == "decoders":
            obj.solver = nengo.solvers.NoSolver(value, weights=False)
        else:
            old = obj.transform
            shape = getattr(old, "shape", None)
            if shape is not None and np.size(value) > 1 and np.shape(value) != shape:
                raise ValidationError(
                    f"The parameters do not fit this model: {obj} has weights of "
                    f"shape {shape}, the parameters {np.shape(value)}",
                    "params",
                )
            obj.transform = value


def save_model(path, spec, params):
    """Save a spec and its params to ``path`` (a ``.npz`` file)."""
    np.savez(path, __spec__=np.array(json.dumps(spec)), **params)


def load_model(path):
    """Load ``(spec, params)`` saved by `save_model`."""
    with np.load(path, allow_pickle=False) as data:
        spec = json.loads(str(data["__spec__"]))
        params = {k: data[k] for k in data.files if k != "__spec__"}
    return spec, params


def check_sequences(x, y, n_classes=None, name="x"):
    """Validate sequence data: ``x`` (n, steps, dims) floats; ``y`` labels or targets."""
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValidationError(
            f"Must have shape (n_sequences, n_steps, n_dims) (got {x.shape})", name
        )
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise ValidationError("Must be finite numbers", name)
    y = np.asarray(y)
    yname = name.replace("x", "y")
    if n_classes is not None:
        if y.shape != (x.shape[0],):
            raise ValidationError(
                f"Must be one integer label per sequence, shape ({x.shape[0]},) "
                f"(got {y.shape})",
                yname,
            )
        if not np.issubdtype(y.dtype, np.integer):
            raise ValidationError(f"Must be integer class labels (got {y.dtype})", yname)
        bad = y[(y < 0) | (y >= n_classes)]
        if bad.size:
            raise ValidationError(
                f"Labels must lie in [0, {n_classes - 1}] (got {bad[0]})", yname
            )
    elif y.ndim != 3 or y.shape[:2] != x.shape[:2]:
        raise ValidationError(
            f"Must have shape (n_sequences, n_steps, n_outputs) matching x "
            f"{x.shape[:2]} (got {y.shape})",
            yname,
        )
    return x.astype(np.float32), y


def _batch_callback(total_batches, desc, progress_bar):
    """A Keras callback that times batches and shows a progress bar on stderr."""
    import tensorflow as tf
    from tqdm import tqdm

    class BatchCallback(tf.keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []
            self.bar = None

        def on_train_begin(self, logs=None):
            if progress_bar:
                self.bar = tqdm(total=total_batches, desc=desc, unit="batch", leave=False)

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())
            if self.bar is not None:
                self.bar.update(1)
                if logs and "loss" in logs:
                    self.bar.set_postfix(loss=f"{logs['loss']:.3f}")

        def on_train_end(self, logs=None):
            if self.bar is not None:
                self.bar.close()

    return BatchCallback()


def _pad(x, multiple):
    extra = -len(x) % multiple
    if extra:
        x = np.concatenate([x, np.zeros((extra,) + x.shape[1:], x.dtype)])
    return x


def _nengo_dl_sim(model, batch_size, unroll, progress_bar=False):
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


def _unroll(n_steps, wanted=16):
    return max(u for u in range(1, wanted + 1) if n_steps % u == 0)


def fit(
    spec,
    x,
    y,
    epochs,
    batch_size=100,
    learning_rate=1e-3,
    max_batches=None,
    progress_bar=True,
    params=None,
    unroll=8,
):
    """Train a spec's model with NengoDL (Adam); return ``(params, info)``.

    Spiking hidden neurons are trained through NengoDL's rate approximation.
    ``info`` has ``seconds`` (of `fit` itself), ``batches``, ``sequences``.
    With ``max_batches``, training stops after that many batches (a smoke run).
    """
    import tensorflow as tf

    epochs = check_param(_EPOCHS, epochs)
    batch_size = check_param(_BATCH, batch_size)
    learning_rate = check_param(_LR, learning_rate)
    max_batches = check_param(_MAX_BATCHES, max_batches)
    classify = spec["task"] == "classify"
    x, y = check_sequences(x, y, spec["size_out"] if classify else None, name="x_train")
    _check_shape(spec, x)
    n = (len(x) // batch_size) * batch_size
    if n == 0:
        raise ValidationError(
            f"Needs at least one batch of {batch_size} sequences (got {len(x)})",
            "batch_size",
        )
    rng = np.random.RandomState(spec["seed"])
    order = rng.permutation(len(x))[:n]  # drop the remainder, at random
    x, y = x[order], y[order]
    targets = y[:, None, None] if classify else y.astype(np.float32)
    batches_per_epoch = n // batch_size
    if max_batches is not None:
        epochs = int(np.ceil(max_batches / batches_per_epoch))
    model = build_model(spec, params=params)
    tf.random.set_seed(spec["seed"])
    with _nengo_dl_sim(model, batch_size, _unroll(spec["n_steps"], unroll)) as sim:
        if classify:
            loss = tf.losses.SparseCategoricalCrossentropy(from_logits=True)
        else:
            loss = tf.losses.MeanSquaredError()
        sim.compile(optimizer=tf.optimizers.Adam(learning_rate), loss={model.probe: loss})
        total = epochs * batches_per_epoch if max_batches is None else max_batches
        timer = _batch_callback(total, "training", progress_bar)
        callbacks = [timer]
        start = time.perf_counter()
        if max_batches is not None:
            batches = max_batches
            keep = max_batches * batch_size
            reps = int(np.ceil(keep / n))
            xs = np.concatenate([x] * reps)[:keep]
            ts = np.concatenate([targets] * reps)[:keep]
            sim.fit({model.input: xs}, {model.probe: ts}, epochs=1, verbose=0,
                    callbacks=callbacks, shuffle=False)
        else:
            batches = epochs * batches_per_epoch
            if epochs > 0:
                sim.fit({model.input: x}, {model.probe: targets}, epochs=epochs,
                        verbose=0, callbacks=callbacks)
        seconds = time.perf_counter() - start
        new_params = get_params(sim, model)
    info = dict(seconds=seconds, batches=batches, sequences=batches * batch_size,
                batches_per_epoch=batches_per_epoch, epochs=epochs)
    # the first batch includes building TensorFlow's graph: time the others
    if len(timer.times) > 2:
        steady = (timer.times[-1] - timer.times[0]) / (len(timer.times) - 1)
        info["steady_seconds_per_batch"] = steady
        info["first_batch_seconds"] = timer.times[0] - start
    return new_params, info


def _check_shape(spec, x):
    if x.shape[1:] != (spec["n_steps"], spec["size_in"]):
        raise ValidationError(
            f"The model takes sequences of shape (n_steps, size_in) = "
            f"{(spec['n_steps'], spec['size_in'])} (got {x.shape[1:]})",
            "x",
        )


def steps_per_element(spec):
    """Simulator steps each sequence element is held for (1 unless deployed).

    A deployed spec (see `nengo_lmu.deploy.deploy`) holds each element for
    ``spec["steps_per_element"]`` steps; older specs have no such key.
    """
    return int(spec.get("steps_per_element", 1))


def hold_elements(x, k):
    """Each element of the sequences ``x`` (n, steps, dims) repeated ``k`` times in time."""
    return x if k == 1 else np.repeat(x, k, axis=1)


def predict(spec, params, x, batch_size=100, neuron_type=None, rate_scale=1.0,
            readout_synapse="spec", progress_bar=False):
    """The model's outputs on ``x`` in NengoDL (inference: spiking neurons spike).

    Returns the last step's outputs ``(n, size_out)`` for a classifier, every
    element's ``(n, steps, size_out)`` for a regressor. A deployed spec's
    elements are each held for its ``steps_per_element`` steps (see
    `nengo_lmu.deploy.deploy`), and read at the last step of each element.
    """
    model = build_model(spec, params, neuron_type=neuron_type, rate_scale=rate_scale,
                        readout_synapse=readout_synapse)
    out = _run_held(spec, model, x, batch_size, [model.probe])[model.probe]
    k = steps_per_element(spec)
    return out[:, -1] if spec["task"] == "classify" else out[:, k - 1:: k]


def _run_held(spec, model, x, batch_size, probes):
    """``probes``' outputs of ``model`` on ``x`` (elements held), in NengoDL."""
    x = np.asarray(x, dtype=np.float32)
    _check_shape(spec, x)
    n = len(x)
    batch_size = min(check_param(_BATCH, batch_size), n)
    held = hold_elements(x, steps_per_element(spec))
    with _nengo_dl_sim(model, batch_size, _unroll(held.shape[1])) as sim:
        out = sim.predict({model.input: _pad(held, batch_size)}, verbose=0)
    return {probe: np.asarray(out[probe][:n]) for probe in probes}


def _find_index(objs, obj):
    """Index of ``obj`` (by identity) in ``objs``."""
    return next(i for i, each in enumerate(objs) if each is obj)


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
    progress_bar=True,
    loihi_model=None,
):
    """Run many sequences through a plain Nengo build of the model, in one run.

    The sequences follow one another, each after ``gap_steps`` steps during
    which the hidden neurons are strongly inhibited (their activity and, for
    spiking neurons, their voltage return to zero); at each sequence's first
    step the memory state is cleared (a Node cancels ``Ad m``). Every part is
    a Node or an Ensemble, so the model runs on ``nengo`` and ``loihi-sim``
    (neither can reset its state between sequences cheaply). A deployed spec
    (`nengo_lmu.deploy.deploy`) holds each element for its
    ``steps_per_element`` steps.

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
        None: `nengo_lmu.deploy.LOIHI_DELAY_STEPS` on ``"loihi-sim"`` and
        ``"loihi"``, 0 on the others.
    progress_bar : bool
        Show a progress bar (on stderr) over the sequences.
    loihi_model : nengo_loihi.builder.Model or None
        The model nengo-loihi builds into (None: `nengo_lmu.deploy.loihi_model`,
        whose host-to-chip inputs are not filtered on the chip).

    Returns
    -------
    (n, size_out) ndarray for a classifier (the output at the last element,
    plus ``delay_steps``); (n, steps, size_out) for a regressor (at the last
    step of each element).
    """
    from nengo_lmu import deploy  # pylint: disable=import-outside-toplevel

    backend = resolve_backend(backend)
    on_loihi = backend in ("loihi-sim", "loihi")
    if delay_steps is None:
        delay_steps = deploy.LOIHI_DELAY_STEPS if on_loihi else 0
    model, reads = sequence_model(
        spec, params, x, gap_steps=gap_steps, delay_steps=delay_steps,
        neuron_type=neuron_type, rate_scale=rate_scale, readout_synapse=readout_synapse,
    )
    kwargs = {}
    if on_loihi:
        import_backend_module("nengo_loihi").add_params(model.net)
        kwargs["model"] = deploy.loihi_model(spec["dt"]) if loihi_model is None else loihi_model
    with warnings.catch_warnings():
        if on_loihi:  # the chip's weight discretization warns about every small weight
            warnings.simplefilter("ignore")
        with Simulator(model.net, backend=backend, dt=spec["dt"], progress_bar=False,
                       **kwargs) as sim:
            period = model.n_run_steps // len(reads)
            _run_with_bar(sim, len(reads), period, progress_bar, f"sequences on {backend}")
            out = np.asarray(sim.data[model.probe])
    if out.ndim == 3:  # NengoDL's minibatch axis
        out = out[0]
    return out[reads]


def sequence_model(spec, params, x, gap_steps=2, delay_steps=0, neuron_type=None,
                   rate_scale=1.0, readout_synapse="spec"):
    """The network of `run_sequences`: a model that plays ``x`` and resets between sequences.

    Parameters
    ----------
    spec, params, x, gap_steps, delay_steps, neuron_type, rate_scale, readout_synapse
        As in `run_sequences` (``delay_steps`` an int).

    Returns
    -------
    model : LMUModel
        Its ``input`` Node plays the sequences (it ignores data fed to it);
        ``model.n_run_steps`` is the number of steps that plays all of them;
        the probe keeps every step.
    reads : ndarray of int
        The steps of the probe's output that are the outputs: ``(n,)`` for a
        classifier (each sequence's last element, plus ``delay_steps``),
        ``(n, steps)`` for a regressor (each element's last step, plus
        ``delay_steps``).
    """
    x = np.asarray(x, dtype=np.float32)
    _check_shape(spec, x)
    gap_steps = check_param(IntParam("gap_steps", low=0), gap_steps)
    delay_steps = check_param(IntParam("delay_steps", low=0), delay_steps)
    n, steps, dims = x.shape
    k = steps_per_element(spec)
    held = hold_elements(x, k)
    held_steps = steps * k
    dt = spec["dt"]
    period = gap_steps + held_steps + delay_steps
    schedule = np.zeros((n * period, dims), dtype=np.float32)
    hold = np.ones(n * period, dtype=bool)  # hidden inhibited
    starts = set()
    for j in range(n):
        begin = j * period + gap_steps
        schedule[begin: begin + held_steps] = held[j]
        schedule[begin + held_steps: begin + held_steps + delay_steps] = held[j, -1]
        hold[begin: begin + held_steps + delay_steps] = False
        starts.add(begin)
    model = build_model(spec, params, neuron_type=neuron_type, rate_scale=rate_scale,
                        readout_synapse=readout_synapse)
    cell = model.cell
    if cell.memory.n_neurons is not None:
        raise ValidationError("run_sequences resets the ideal memory only", "memory")
    recurrent = [c for c in cell.memory.all_connections if c.pre is c.post]
    Ad = np.zeros((cell.memory.size_out,) * 2)
    for c in recurrent:
        part = c.post.slice if hasattr(c.post, "slice") else slice(None)
        Ad[part, part] = np.asarray(c.transform.init if hasattr(c.transform, "init") else c.transform)

    def feed(t):
        step = int(round(t / dt)) - 1
        return schedule[step] if 0 <= step < len(schedule) else np.zeros(dims)

    def inhibit(t):
        step = int(round(t / dt)) - 1
        return -1.0 if 0 <= step < len(hold) and hold[step] else 0.0

    def reset(t, m):
        step = int(round(t / dt)) - 1
        return -Ad @ m if step in starts else np.zeros_like(m)

    # build_model's rate_scale is in the hidden gain, which scales this input too;
    # a deployment's is in its weights
    strength = spec.get("deployment", {}).get("rate_scale", 1.0)
    model.input.output = feed
    with model.net:
        reset_node = nengo.Node(reset, size_in=cell.memory.size_out, label="reset memory")
        nengo.Connection(cell.memory.output, reset_node, synapse=0)
        nengo.Connection(reset_node, cell.memory.output, synapse=None)
        inhibit_node = nengo.Node(inhibit, label="reset hidden")
        nengo.Connection(
            # a value of -1 (chip inputs are encoded within [-1, 1]) times 10,
            # times the neurons' gain: far below any neuron's threshold
            # (a deployed model's inputs are scaled by its rate_scale)
            inhibit_node, cell.hidden.neurons,
            transform=10 * strength * np.ones((spec["units"], 1)), synapse=None,
        )
        model.net.config[model.probe].keep_history = True
    model.n_run_steps = len(schedule)
    ends = np.arange(n) * period + gap_steps + held_steps - 1 + delay_steps
    if spec["task"] == "classify":
        return model, ends
    return model, ends[:, None] - k * np.arange(steps)[::-1]


def _run_with_bar(sim, n_sequences, period, progress_bar, desc):
    """Run ``n_sequences * period`` steps in chunks of whole sequences, with a bar."""
    from tqdm import tqdm  # pylint: disable=import-outside-toplevel

    per_chunk = max(1, 2000 // period)  # about two simulated seconds per call
    with tqdm(total=n_sequences, desc=desc, unit="seq", disable=not progress_bar,
              leave=False) as bar:
        done = 0
        while done < n_sequences:
            chunk = min(per_chunk, n_sequences - done)
            sim.run_steps(chunk * period)
            done += chunk
            bar.update(chunk)


def train_classifier(
    data,
    units=128,
    order=64,
    theta=None,
    epochs=8,
    batch_size=32,
    learning_rate=3e-3,
    seed=0,
    neuron_type="relu",
    spiking=False,
    rate_scale=1000.0,
    spiking_synapse="spec",
    readout_synapse=None,
    max_batches=None,
    n_classes=None,
    progress_bar=True,
    **cell_kwargs,
):
    """Train an LMU classifier on ``data``; return its metrics, spec and params.

    ``data`` is ``(x_train, y_train), (x_test, y_test)`` as the data sets of
    `nengo_lmu.datasets.SEQUENCE_DATASETS` return: ``x`` of shape
    ``(n, steps, dims)``, ``y`` integer labels in ``[0, n_classes)`` (by default
    ``n_classes`` is one more than the largest training label). The model is trained with
    NengoDL, then evaluated on the test set with its rate neurons and, if
    ``spiking``, with their spiking counterparts (scaled by ``rate_scale``,
    readout through ``spiking_synapse``).

    The defaults are the psdigits recipe's except for the hidden layer: pass
    ``**nengo_lmu.train_cli.RECIPES["psdigits"]`` for all of it (a feedforward
    hidden layer, ``hidden_to_hidden=False``, read out through a 5 ms lowpass,
    which a spiking deployment on Loihi needs: `nengo_lmu.deploy`). The lowpass
    costs some accuracy: 0.929 against 0.951 without (psdigits, units 100, 10
    epochs, Adam 1e-3, seed 0). The spiking evaluation must read out as the
    training did: a model trained unfiltered and read through a lowpass with
    spikes falls to chance.

    Returns
    -------
    dict
        ``test_accuracy``, ``seconds_per_epoch`` (of the whole training,
        including the first batch's graph building), ``train_seconds``,
        ``epochs_trained``, ``batches``; ``sequences_per_second`` and
        ``projected_epoch_seconds`` from the batches after the first (the
        steady training speed) and ``first_batch_seconds``; with ``spiking``,
        ``spiking_test_accuracy``; ``spec`` and ``params`` (for `save_model`,
        `predict` and `run_sequences`).
    """
    (x_train, y_train), (x_test, y_test) = data
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if y_train.ndim != 1 or not np.issubdtype(y_train.dtype, np.integer):
        raise ValidationError(
            f"Must be one integer label per sequence (got shape {y_train.shape}, "
            f"dtype {y_train.dtype})",
            "y_train",
        )
    if n_classes is None:
        n_classes = int(y_train.max()) + 1 if y_train.size else 1
    n_classes = check_param(IntParam("n_classes", low=1), n_classes)
    check_param(_UNITS, units)
    check_param(_ORDER, order)
    x_train, y_train = check_sequences(x_train, y_train, n_classes, name="x_train")
    x_test, y_test = check_sequences(x_test, y_test, n_classes, name="x_test")
    spec = make_spec(
        "classify", x_train.shape[1], x_train.shape[2], n_classes, units, order,
        theta=theta, neuron_type=neuron_type, readout_synapse=readout_synapse,
        seed=seed, **cell_kwargs,
    )
    if x_test.shape[1:] != x_train.shape[1:]:
        raise ValidationError(
            f"Test sequences have shape {x_test.shape[1:]}, training ones "
            f"{x_train.shape[1:]}", "x_test",
        )
    params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                       learning_rate=learning_rate, max_batches=max_batches,
                       progress_bar=progress_bar)
    result = dict(
        epochs_trained=info["epochs"],
        batches=info["batches"],
        train_seconds=info["seconds"],
        seconds_per_epoch=info["seconds"] * info["batches_per_epoch"] / max(info["batches"], 1),
    )
    if "steady_seconds_per_batch" in info:
        per_batch = info["steady_seconds_per_batch"]
        result["sequences_per_second"] = batch_size / per_batch
        result["projected_epoch_seconds"] = per_batch * info["batches_per_epoch"]
        result["first_batch_seconds"] = info["first_batch_seconds"]
    result.update(evaluate_classifier(spec, params, x_test, y_test, spiking=spiking,
                                      rate_scale=rate_scale,
                                      spiking_synapse=spiking_synapse))
    result["spec"], result["params"] = spec, params
    return result


def evaluate_classifier(spec, params, x_test, y_test, spiking=False, rate_scale=1000.0,
                        spiking_synapse="spec"):
    """Test accuracy of a classifier in NengoDL, as trained and (``spiking``) with spikes.

    Returns a dict with ``test_accuracy`` and, with ``spiking``,
    ``spiking_test_accuracy`` (the spiking counterpart of the trained neurons,
    scaled by ``rate_scale``, read out through ``spiking_synapse``; see
    `build_model`).
    """
    result = dict(test_accuracy=accuracy(predict(spec, params, x_test), y_test))
    if spiking:
        logits = predict(spec, params, x_test, neuron_type=spiking_name(spec["neuron_type"]),
                         rate_scale=rate_scale, readout_synapse=spiking_synapse)
        result["spiking_test_accuracy"] = accuracy(logits, y_test)
    return result


def train_regressor(data, units=64, order=16, theta=None, epochs=10, batch_size=32,
                    learning_rate=1e-3, seed=0, neuron_type="relu", progress_bar=True,
                    **cell_kwargs):
    """Train an LMU sequence-to-sequence regressor; return its metrics, spec and params.

    ``data`` is ``(x_train, y_train), (x_test, y_test)`` with ``x`` of shape
    ``(n, steps, size_in)`` and ``y`` of shape ``(n, steps, size_out)``; the
    loss is the mean squared error over every step.

    Returns
    -------
    dict
        ``test_mse``, ``test_nrmse`` (RMSE over the targets' standard
        deviation), ``seconds_per_epoch``, ``spec``, ``params``.
    """
    (x_train, y_train), (x_test, y_test) = data
    x_train, y_train = check_sequences(x_train, y_train, name="x_train")
    x_test, y_test = check_sequences(x_test, y_test, name="x_test")
    spec = make_spec("regress", x_train.shape[1], x_train.shape[2], y_train.shape[2],
                     units, order, theta=theta, neuron_type=neuron_type, seed=seed,
                     **cell_kwargs)
    params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                       learning_rate=learning_rate, progress_bar=progress_bar)
    out = predict(spec, params, x_test, batch_size=batch_size)
    mse = float(np.mean((out - y_test) ** 2))
    return dict(
        test_mse=mse,
        test_nrmse=float(np.sqrt(mse) / np.std(y_test)),
        seconds_per_epoch=info["seconds"] / max(info["epochs"], 1),
        spec=spec,
        params=params,
    )
