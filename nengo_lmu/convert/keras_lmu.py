"""A trained KerasLMU model as an `.LMUCell` model: ``(spec, params)`` with the same outputs.

KerasLMU's layers compute what `.LMUCell` computes (memory input ``u = e_x x
+ e_h h + e_m m + b_u``, memory ``m = Ad m + Bd u``, hidden state ``h = f(W_x x
+ W_h h + W_m m + b)``); `from_keras_lmu` reads a model's or layer's options
and weights and returns the spec and params of `nengo_lmu.training.build_model`,
so that `nengo_lmu.training.predict` gives what the Keras model's ``predict``
gives, and the model runs with spikes, on any backend, or is saved with
`nengo_lmu.training.save_model`. KerasLMU is optional (and under a
non-commercial licence): it is imported only to read a model.

Keras keeps each kernel as ``(inputs, outputs)``; Nengo's transforms are
``(outputs, inputs)``. Keras's ``theta`` counts steps; ours is in seconds
(``theta * dt``). nengo's ``Tanh`` neurons output ``tanh(J) / tau_ref``, so
the weights that read a tanh hidden state are divided by ``1 / tau_ref``.
"""

import pathlib

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import import_backend_module
from nengo_lmu.params import check_param, DT
from nengo_lmu.training.spec import build_model, find_index, make_spec, neuron_type_from_name

#: Keras activations of the hidden cell -> the spec's neuron type names
ACTIVATIONS = {"relu": "relu", "tanh": "tanh"}


def _keras_lmu():
    # a missing keras-lmu raises MissingExtraError, one line naming its extra
    return import_backend_module("keras_lmu", "Converting a KerasLMU model")


def load_keras_model(path):
    """Load a saved Keras model (``.h5``, ``.keras`` or a SavedModel folder) with KerasLMU's layers."""
    keras_lmu = _keras_lmu()
    tf = import_backend_module("tensorflow")
    path = pathlib.Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file", "path")
    custom = {"LMU": keras_lmu.LMU, "LMUCell": keras_lmu.LMUCell,
              "LMUFeedforward": keras_lmu.LMUFeedforward}
    try:
        return tf.keras.models.load_model(path, custom_objects=custom, compile=False)
    except (OSError, ValueError, TypeError) as error:
        raise ValidationError(
            f"{path}: not a Keras model with KerasLMU layers ({type(error).__name__}: {error})",
            "path",
        ) from None


class _Lmu:
    """What `from_keras_lmu` reads from one KerasLMU layer: options and weights."""

    def __init__(self, layer, keras_lmu, tf):
        self.name = layer.name
        self.return_sequences = getattr(layer, "return_sequences", False)
        core = layer
        if isinstance(layer, keras_lmu.LMU):
            if layer.layer is None:
                raise ValidationError(
                    f"The KerasLMU layer {layer.name!r} is not built: call the model on "
                    f"data (or build it) first", "model")
            core = layer.layer
        if isinstance(core, tf.keras.layers.RNN):
            for option in ("go_backwards", "stateful"):
                if getattr(core, option, False):
                    raise ValidationError(
                        f"{option}=True (layer {layer.name!r}) has no LMUCell counterpart",
                        option)
            self.return_sequences = core.return_sequences
            core = core.cell
        if not isinstance(core, (keras_lmu.LMUCell, keras_lmu.LMUFeedforward)):
            raise ValidationError(
                f"{type(layer).__name__} {layer.name!r} is not a KerasLMU layer", "model")
        feedforward = isinstance(core, keras_lmu.LMUFeedforward)
        self.memory_d, self.order = core.memory_d, core.order
        self.theta_steps = float(core.theta)  # the trained value if trainable
        self.trainable_theta = bool(getattr(core, "trainable_theta", False))
        self.hidden_to_memory = False if feedforward else bool(core.hidden_to_memory)
        self.memory_to_memory = False if feedforward else bool(core.memory_to_memory)
        self.input_to_hidden = bool(core.input_to_hidden)
        self.discretizer = core.discretizer
        self.kernel = None if core.kernel is None else core.kernel.numpy()
        self.bias = None if core.bias is None else core.bias.numpy()
        recurrent = getattr(core, "recurrent_kernel", None)
        self.recurrent_kernel = None if recurrent is None else recurrent.numpy()
        self.hidden_cell = core.hidden_cell


def _activation_name(layer, tf):
    name = tf.keras.activations.serialize(layer.activation)
    return name if isinstance(name, str) else str(name)


def _hidden(lmu, tf):
    """``(neuron name, kernel, recurrent kernel or None, bias or None)`` of the hidden cell."""
    cell = lmu.hidden_cell
    if cell is None:
        raise ValidationError(
            f"hidden_cell=None (layer {lmu.name!r}): an LMUCell's output is its hidden "
            f"neurons; give the KerasLMU layer a Dense or SimpleRNNCell hidden cell",
            "hidden_cell")
    if not isinstance(cell, (tf.keras.layers.Dense, tf.keras.layers.SimpleRNNCell)):
        raise ValidationError(
            f"hidden_cell={type(cell).__name__} (layer {lmu.name!r}) has no LMUCell "
            f"counterpart: the hidden state is one population of neurons, "
            f"h = f(W_x x + W_h h + W_m m + b); use Dense or SimpleRNNCell",
            "hidden_cell")
    activation = _activation_name(cell, tf)
    if activation not in ACTIVATIONS:
        raise ValidationError(
            f"The hidden cell's activation {activation!r} (layer {lmu.name!r}) has no "
            f"neuron type here; choose from {sorted(ACTIVATIONS)}", "activation")
    recurrent = getattr(cell, "recurrent_kernel", None)
    return (ACTIVATIONS[activation], cell.kernel.numpy(),
            None if recurrent is None else recurrent.numpy(),
            cell.bias.numpy() if cell.use_bias else None)


def _readout(layers, units, tf):
    """The Dense layers after the LMU composed into one ``(kernel, bias or None)``."""
    kernel, bias = np.eye(units), None
    dense = [layer for layer in layers if isinstance(layer, tf.keras.layers.Dense)]
    for layer in layers:
        if isinstance(layer, tf.keras.layers.Dropout):
            continue  # inactive at inference
        if not isinstance(layer, tf.keras.layers.Dense):
            raise ValidationError(
                f"Layer {layer.name!r} ({type(layer).__name__}) after the LMU has no "
                f"counterpart: the readout is linear (Dense layers, Dropout)", "model")
        activation = _activation_name(layer, tf)
        last = layer is dense[-1]
        if activation != "linear" and not (last and activation == "softmax"):
            raise ValidationError(
                f"Dense layer {layer.name!r} has activation {activation!r}: the readout "
                f"is linear (a softmax on the last layer is left to the loss)", "activation")
        kernel = kernel @ layer.kernel.numpy()
        if bias is not None:
            bias = bias @ layer.kernel.numpy()
        if layer.use_bias:
            bias = layer.bias.numpy() if bias is None else bias + layer.bias.numpy()
    return kernel, bias


def _split_model(model_or_layer, keras_lmu, tf):
    """``(lmu layer, layers after it, n_steps or None, size_in or None)``."""
    lmu_types = (keras_lmu.LMU, keras_lmu.LMUFeedforward, tf.keras.layers.RNN)
    if not isinstance(model_or_layer, tf.keras.Model):
        return model_or_layer, [], None, None
    layers = [layer for layer in model_or_layer.layers
              if not isinstance(layer, tf.keras.layers.InputLayer)]
    found = [k for k, layer in enumerate(layers) if isinstance(layer, lmu_types)]
    if len(found) != 1:
        raise ValidationError(
            f"The model must have one KerasLMU layer (LMU, LMUFeedforward or "
            f"RNN(LMUCell)); it has {len(found)}", "model")
    before = [layer for layer in layers[:found[0]]
              if not isinstance(layer, tf.keras.layers.Dropout)]
    if before:
        raise ValidationError(
            f"Layer {before[0].name!r} comes before the LMU: the LMU must read the "
            f"model's input", "model")
    shape = model_or_layer.input_shape
    if isinstance(shape, list):
        raise ValidationError("The model must have one input", "model")
    return layers[found[0]], layers[found[0] + 1:], shape[1], shape[2]


def from_keras_lmu(model_or_layer, n_steps=None, dt=0.001, seed=0):
    """The ``(spec, params)`` of the `.LMUCell` model that computes what a KerasLMU model computes.

    Parameters
    ----------
    model_or_layer : tf.keras.Model or tf.keras.layers.Layer
        A built model of the psMNIST shape, ``Input``, one KerasLMU layer
        (``keras_lmu.LMU``, ``keras_lmu.LMUFeedforward`` or
        ``tf.keras.layers.RNN(keras_lmu.LMUCell)``), then ``Dense`` (and
        ``Dropout``) layers for the readout; or a built KerasLMU layer alone
        (the readout is then the hidden state itself).
    n_steps : int or None
        Steps per sequence; None: the model's input length.
    dt : float
        Seconds per step: the converted window is Keras's ``theta`` (in steps)
        times ``dt``.
    seed : int
        The spec's seed (the network's other random choices).

    Returns
    -------
    spec : dict
        From `nengo_lmu.training.make_spec`: task ``"regress"`` for
        ``return_sequences=True`` (outputs at every step), else ``"classify"``
        (the last step's outputs); ``readout_bias`` if a Dense layer has a
        bias.
    params : dict
        For `nengo_lmu.training.build_model`.

    Notes
    -----
    What converts: ``memory_d``, ``order``, ``theta`` (its trained value, and
    ``trainable_theta``), the hidden cell (``Dense`` or ``SimpleRNNCell``,
    with ``relu`` or ``tanh`` and its bias or none), ``hidden_to_memory``,
    ``memory_to_memory``, ``input_to_hidden``, ``discretizer`` (``"zoh"``,
    ``"euler"``), ``use_bias`` (the memory input's bias), the input kernel or
    none (``kernel_initializer=None``), and ``dropout``/``recurrent_dropout``
    (inactive at inference, dropped). Several Dense readouts compose into one
    when linear; a softmax on the last one is dropped (the converted model
    outputs logits: the same classes). Anything else raises a
    ``ValidationError`` naming the option.
    """
    keras_lmu = _keras_lmu()
    tf = import_backend_module("tensorflow")
    dt = check_param(DT, dt)
    layer, after, model_steps, size_in = _split_model(model_or_layer, keras_lmu, tf)
    lmu = _Lmu(layer, keras_lmu, tf)
    n_steps = model_steps if n_steps is None else n_steps
    if n_steps is None:
        raise ValidationError(
            "The model's input has no fixed length: give n_steps", "n_steps")
    name, hidden_kernel, hidden_recurrent, hidden_bias = _hidden(lmu, tf)
    units = hidden_kernel.shape[1]
    n_memory = lmu.memory_d * lmu.order
    if size_in is None:
        size_in = hidden_kernel.shape[0] - n_memory if lmu.input_to_hidden else (
            lmu.memory_d if lmu.kernel is None else lmu.kernel.shape[0]
            - (units if lmu.hidden_to_memory else 0))
    readout_kernel, readout_bias = _readout(after, units, tf)
    spec = make_spec(
        "regress" if lmu.return_sequences else "classify",
        n_steps,
        size_in,
        readout_kernel.shape[1],
        units,
        lmu.order,
        theta=lmu.theta_steps * dt,
        neuron_type=name,
        readout_synapse=None,
        dt=dt,
        seed=seed,
        memory_d=lmu.memory_d,
        hidden_to_memory=lmu.hidden_to_memory,
        memory_to_memory=lmu.memory_to_memory,
        input_to_hidden=lmu.input_to_hidden,
        hidden_to_hidden=hidden_recurrent is not None,
        hidden_bias=hidden_bias is not None,
        memory_bias=lmu.bias is not None,
        trainable_theta=lmu.trainable_theta,
        method=lmu.discretizer,
    )
    spec["readout_bias"] = readout_bias is not None
    # nengo's Tanh outputs tanh(J) / tau_ref: what reads h takes that back out
    neurons = neuron_type_from_name(name)
    h_scale = 1.0 / neurons.tau_ref if isinstance(neurons, nengo.Tanh) else 1.0

    if lmu.kernel is None:
        e_x = np.eye(lmu.memory_d, size_in)
    else:
        e_x = lmu.kernel[:size_in].T
    transforms = {
        "input_to_memory": e_x,
        "memory_to_hidden": hidden_kernel[:n_memory].T,
        "hidden_to_memory": None if lmu.kernel is None else lmu.kernel[size_in:].T / h_scale,
        "memory_to_memory": None if lmu.recurrent_kernel is None else lmu.recurrent_kernel.T,
        "input_to_hidden": hidden_kernel[n_memory:].T,
        "hidden_to_hidden": None if hidden_recurrent is None else hidden_recurrent.T / h_scale,
        "memory_bias": None if lmu.bias is None else lmu.bias[:, None],
    }
    model = build_model(spec)
    objs = model.parametrized_objects()
    params = {}
    for role, conn in model.cell.cell_connections.items():
        if role in transforms and transforms[role] is not None:
            params[f"{find_index(objs, conn)}/transform"] = np.asarray(transforms[role])
    hidden = find_index(objs, model.cell.hidden)
    params[f"{hidden}/gain"] = np.ones(units)
    params[f"{hidden}/bias"] = np.zeros(units) if hidden_bias is None else hidden_bias
    readout = [conn for conn in model.net.connections if conn.post_obj is model.output]
    params[f"{find_index(objs, readout[0])}/transform"] = readout_kernel.T / h_scale
    if readout_bias is not None:
        params[f"{find_index(objs, readout[1])}/transform"] = readout_bias[:, None]
    if lmu.trainable_theta:
        params["theta"] = np.array(spec["theta"])
    return spec, {key: np.asarray(value, dtype=np.float64) for key, value in params.items()}
