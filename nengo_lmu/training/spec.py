"""A trained model's description: its *spec* and *params*, and the network they make.

A model is a *spec* (a dict of the hyperparameters, JSON-serializable) plus
*params* (the trained values of every ensemble and weighted connection, in the
order of ``net.all_ensembles + net.all_connections``). `build_model` turns
the two into a fresh `nengo.Network`, with any neuron type: that is how a
model trained with rate neurons is evaluated with spiking ones, reloaded from
a file, or run on the ``nengo`` and ``loihi-sim`` backends.
"""

import json
import pathlib
import zipfile

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import import_backend_module
from nengo_lmu.networks import LMUCell
from nengo_lmu.exceptions import ModelFileError
from nengo_lmu.params import (
    DT, N_STEPS, ORDER, RATE_SCALE, SEED, SIZE_IN, THETA, UNITS, IntParam, NumberParam,
    check_param,
)
from nengo_lmu.trainable_theta import learned_theta, theta_from_params
from nengo_lmu.utils.files import check_output_path, save_npz

#: The spiking neuron type that stands in for each rate type at evaluation.
SPIKING_COUNTERPARTS = {
    nengo.RectifiedLinear: nengo.SpikingRectifiedLinear,
    nengo.LIFRate: nengo.LIF,
}


SIZE_OUT = IntParam("size_out", low=1)
#: a readout's lowpass time constant (s); None: no filter
READOUT_SYNAPSE = NumberParam("readout_synapse", low=0, low_open=True, optional=True)

_NEURON_TYPES = {
    "relu": nengo.RectifiedLinear,
    "spiking-relu": nengo.SpikingRectifiedLinear,
    "lif-rate": nengo.LIFRate,
    "lif": nengo.LIF,
    "tanh": nengo.Tanh,
}


def neuron_type_from_name(name, amplitude=1.0):
    """A hidden neuron type from its name in a spec (see ``_NEURON_TYPES``)."""
    if not isinstance(name, str) or name not in _NEURON_TYPES:
        raise ValidationError(
            f"Unknown neuron type {name!r}; choose from {sorted(_NEURON_TYPES)}",
            "neuron_type",
        )
    cls = _NEURON_TYPES[name]
    return cls() if cls is nengo.Tanh else cls(amplitude=amplitude)


def spiking_name(name):
    """The name of the spiking counterpart of a rate neuron type's name."""
    counterparts = {"relu": "spiking-relu", "lif-rate": "lif"}
    if isinstance(name, str) and name in counterparts.values():
        return name
    if not isinstance(name, str) or name not in counterparts:
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
    if not isinstance(task, str) or task not in ("classify", "regress"):
        raise ValidationError(f"Must be 'classify' or 'regress' (got {task!r})", "task")
    units = check_param(UNITS, units)
    order = check_param(ORDER, order)
    n_steps = check_param(N_STEPS, n_steps)
    size_in = check_param(SIZE_IN, size_in)
    size_out = check_param(SIZE_OUT, size_out)
    dt = check_param(DT, dt)
    theta = check_param(THETA, n_steps * dt if theta is None else theta)
    seed = check_param(SEED, seed)
    readout_synapse = check_param(READOUT_SYNAPSE, readout_synapse)
    neuron_type_from_name(neuron_type)
    return dict(
        task=task,
        n_steps=int(n_steps),
        size_in=int(size_in),
        size_out=int(size_out),
        units=int(units),
        order=int(order),
        theta=float(theta),
        neuron_type=neuron_type,
        readout_synapse=None if readout_synapse is None else float(readout_synapse),
        dt=float(dt),
        seed=int(seed),
        cell_kwargs=check_cell_options(cell_kwargs),
    )


#: the `.LMUCell` options a spec may set: checked by the cell's own parameters
CELL_OPTIONS = ("hidden_to_memory", "memory_to_memory", "input_to_hidden",
                "hidden_to_hidden", "trainable_memory", "hidden_bias", "memory_d",
                "memory_bias", "trainable_theta", "method")


def check_cell_options(options):
    """Validate `.LMUCell` options for a spec with the cell's own parameters; return them.

    Each is checked now, as the cell would check it when built (a bad one
    would otherwise surface only after a spec is saved, or a training is set up),
    and stored as a plain ``bool``, ``int`` or ``str`` (a spec is JSON).
    """
    unknown = sorted(set(options) - set(CELL_OPTIONS))
    if unknown:
        raise ValidationError(
            f"Unknown cell options {unknown}; choose from {sorted(CELL_OPTIONS)}",
            "cell_kwargs",
        )
    checked = {}
    for name, value in options.items():
        param = getattr(LMUCell, name)  # the class-level descriptor
        value = check_param(param, value)
        if isinstance(param, nengo.params.BoolParam):
            value = bool(value)
        elif isinstance(param, nengo.params.IntParam):
            value = int(value)
        checked[name] = value
    return checked


#: the keys of every spec `make_spec` makes (a deployed one has more)
SPEC_KEYS = ("task", "n_steps", "size_in", "size_out", "units", "order", "theta",
             "neuron_type", "readout_synapse", "dt", "seed", "cell_kwargs")


def check_spec(spec, name="spec"):
    """Raise a `ValidationError` on ``name`` unless ``spec`` is a dict `make_spec` made."""
    if not isinstance(spec, dict):
        raise ValidationError(
            f"Must be a model spec (a dict from make_spec; got {type(spec).__name__})", name
        )
    missing = [key for key in SPEC_KEYS if key not in spec]
    if missing:
        raise ValidationError(
            f"Must be a model spec from make_spec (missing {', '.join(missing)})", name
        )
    return spec


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
        From `get_params` (None: the initial weights). A learned window
        (``params["theta"]``, of a cell with ``trainable_theta``) replaces the
        spec's ``theta``.
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
    nengo_dl = import_backend_module("nengo_dl")
    rate_scale = check_param(RATE_SCALE, rate_scale)
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
            theta_from_params(params, spec["theta"]),
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
        if spec.get("readout_bias", False):
            # appended: the params of models without it keep their indices
            nengo.Connection(nengo.Node(1.0, label="one"), out,
                             transform=np.zeros((spec["size_out"], 1)), synapse=None)
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
    """The trained values of ``model`` in NengoDL simulator ``sim``, as arrays.

    A cell that learns its window (``trainable_theta``) gives ``"theta"``
    (seconds) instead of its memory's ``Ad`` and ``Bd``, which `build_model`
    computes from it.
    """
    objs = model.parametrized_objects()
    values = sim.get_nengo_params(objs)
    params = {}
    skip = set()
    if model.cell.trainable_theta:
        params["theta"] = np.array(learned_theta(sim, model.cell))
        skip = {id(conn) for conn, _ in model.cell.memory._discretized_roles}  # pylint: disable=protected-access
    for k, (obj, value) in enumerate(zip(objs, values)):
        if id(obj) in skip:
            continue
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
        if key == "theta":  # build_model built the memory for it
            continue
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
    """Save a spec and its params to ``path`` (a ``.npz`` file; the suffix is added if missing).

    The file is written atomically: a run that fails or is killed while saving
    (or a full disk) leaves the file that was there before, whole. A ``path``
    that is a folder (or whose ``.npz`` name is) raises a `ValidationError` on
    ``path``, as does one that is not a str or path.
    """
    path = pathlib.Path(check_output_path(path, "path"))
    if path.suffix != ".npz":  # as np.savez names it
        path = path.with_name(path.name + ".npz")
    save_npz(path, dict(params, __spec__=np.array(json.dumps(spec))))


def load_model(path):
    """Load ``(spec, params)`` saved by `save_model`.

    Raises `nengo_lmu.exceptions.ModelFileError` (a ``ValidationError`` on
    ``path``) naming the file if it is missing, a directory, unreadable,
    corrupt, or not a model saved by `save_model`.
    """
    path = pathlib.Path(path)

    def fail(what):
        return ModelFileError(f"{path}: {what}", "path")

    if not path.exists():
        raise fail("no such file")
    if path.is_dir():
        raise fail("is a directory, not a saved model (.npz)")
    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):
            raise fail("is a single array, not a saved model (.npz)")
        with data:
            if "__spec__" not in data.files:
                raise fail("is an .npz archive but not a nengo-lmu model (no __spec__)")
            spec = json.loads(str(data["__spec__"]))
            params = {k: data[k] for k in data.files if k != "__spec__"}
    except ModelFileError:
        raise
    except PermissionError:
        raise fail("cannot be read (permission denied)") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise fail(f"is not a readable model file ({type(error).__name__}: {error})") from None
    if not isinstance(spec, dict) or "n_steps" not in spec or "size_in" not in spec:
        raise fail("its __spec__ is not a nengo-lmu model spec (another or newer format?)")
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


def check_spec_shape(spec, x):
    if x.shape[1:] != (spec["n_steps"], spec["size_in"]):
        raise ValidationError(
            f"The model takes sequences of shape (n_steps, size_in) = "
            f"{(spec['n_steps'], spec['size_in'])} (got {x.shape[1:]})",
            "x",
        )


#: the cell options by which a cell reads its previous step's hidden state or
#: memory, with their `.LMUCell` defaults
RECURRENT_OPTIONS = {"hidden_to_hidden": True, "hidden_to_memory": False,
                     "memory_to_memory": False}


def recurrent_option(spec):
    """The first option by which ``spec``'s cell reads its previous step, or None (feedforward)."""
    options = spec["cell_kwargs"]
    return next((name for name, default in RECURRENT_OPTIONS.items()
                 if options.get(name, default)), None)


def steps_per_element(spec):
    """Simulator steps each sequence element is held for (1 unless deployed).

    A deployed spec (see `nengo_lmu.training.deployment.deploy`) holds each element for
    ``spec["steps_per_element"]`` steps; older specs have no such key.
    """
    return int(spec.get("steps_per_element", 1))


def hold_elements(x, k):
    """Each element of the sequences ``x`` (n, steps, dims) repeated ``k`` times in time."""
    return x if k == 1 else np.repeat(x, k, axis=1)


def find_index(objs, obj):
    """Index of ``obj`` (by identity) in ``objs``."""
    return next(i for i, each in enumerate(objs) if each is obj)
