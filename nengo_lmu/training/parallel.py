"""Training a feedforward `.LMUCell` in parallel over time, as one NengoDL step per sequence.

In a cell whose memory does not read the hidden state or itself
(``hidden_to_memory=False``, ``memory_to_memory=False``), whose memory is fixed
(``trainable_memory=False``) and whose hidden state does not read itself
(``hidden_to_hidden=False``), the memory is a fixed linear filter of the input.
Its state after the last element is one matrix product with the reversed
impulse response (Chilkuri & Eliasmith 2021, eq. 25):

.. code-block:: text

    m[T-1] = sum_t K[T-1-t] u[t],   K[k] = Ad^k Bd   (the memory's own ZOH matrices)

and the classifier reads ``h[T-1] = f(W_x x[T-1] + W_m m[T-1] + b)``. The
memory has no trained parameter (``e_x`` scales ``u = e_x x``, and the memory is
linear), so the product with the kernel is computed once per data set, before
training (`parallel_inputs`). The parallel model is a Nengo network that
computes the rest in one time step, so that NengoDL trains it as a feedforward
network: every parameter is one of the step-by-step model's (``e_x``, ``W_x``,
``W_m``, the hidden biases, the readout), and `parallel_params` returns them as
params of `build_model`, which runs the same model step by step on every
backend.

Sequence-to-sequence regression reads every state: ``m[t]`` for all ``t`` is
one causal convolution of the sequence with the kernel (`memory_states`,
FFT or direct, computed once per data set as well), and each time step
becomes one sample of the same one-step network (its state holds the
history), so batches are drawn over time steps.

A readout through a lowpass reads earlier hidden states too, not only the
current one: such a model trains step by step.

A cell that learns its window (``trainable_theta``) trains in parallel too,
but its kernel depends on ``theta``, so its states cannot be computed before
training: the parallel model takes the inputs themselves and computes the
states in every batch (`theta_kernel_layer`), without XLA. A classifier's
sample is its whole sequence. A regressor's is still one time step ``t``,
which carries its history window, the sequence up to ``t`` zero-padded in
front to ``n_steps`` elements: the same layer, the same product with the
reversed kernel, gives ``m[t] = sum_k K[k] u[t - k]`` exactly, with the
one-step network (and so the params) of every other parallel model. The
windows of a data set would take ``n * n_steps**2 * size_in`` floats (6.4 GB
for the Mackey-Glass benchmark's 64 series of 5000 steps), so they are never
stored: `window_batches` cuts each batch's windows from a strided view of the
padded sequences as NengoDL asks for it (a ``keras.utils.Sequence``), one
batch of ``batch_size * n_steps * size_in`` floats at a time. Whole
sequences per sample, with a causal convolution in the layer, would save the
windows' arithmetic, but the one-step hidden network would then have to be
applied at every step inside one NengoDL step: a Keras re-implementation of
the hidden ensemble and its neuron types, no longer the Nengo objects whose
params `parallel_params` reads.
"""

import nengo
import numpy as np
import scipy.signal
from nengo.exceptions import ValidationError
from nengo.params import EnumParam

from nengo_lmu.backends import import_backend_module
from nengo_lmu.legendre import impulse_response
from nengo_lmu.params import BATCH_SIZE, NumberParam, check_param
from nengo_lmu.trainable_theta import discretize_tf, kernel_tf, theta_from_params
from nengo_lmu.training.sequences import nengo_dl_sim, pad_batches
from nengo_lmu.training.spec import build_model, find_index, neuron_type_from_name

MODES = ("auto", "parallel", "steps")
MODE = EnumParam("mode", values=MODES)
DROPOUT = NumberParam("dropout", low=0, high=1, high_open=True)
CONVOLUTION = EnumParam("convolution", values=("fft", "direct"))

# cell options that make a cell's memory or hidden state depend on its own past
# (option, its LMUCell default, why it prevents parallel training)
_RECURRENT = (
    ("hidden_to_hidden", True, "the hidden state reads its previous value"),
    ("hidden_to_memory", False, "the memory reads the previous hidden state"),
    ("memory_to_memory", False, "the memory reads its own previous state"),
    ("trainable_memory", False, "a trained memory is not a fixed filter"),
    # not yet in the parallel model (it trains step by step)
    ("memory_bias", False, "the memory's input has a bias"),
)


def parallel_problem(spec):
    """``(option, reason)`` that keeps ``spec``'s model from parallel training, or None."""
    options = spec["cell_kwargs"]
    for name, default, reason in _RECURRENT:
        if options.get(name, default):
            return name, f"{name}=True: {reason}"
    if spec.get("readout_bias", False):
        return "readout_bias", "the readout has a bias (a converted KerasLMU model)"
    if spec["readout_synapse"] is not None:
        return "readout_synapse", (
            "a readout lowpass reads earlier hidden states too, not only the last"
        )
    if spec.get("steps_per_element", 1) != 1:
        return "spec", "the model is deployed (its elements are held for several steps)"
    return None


def resolve_mode(spec, mode="auto"):
    """``"parallel"`` or ``"steps"``: how ``spec``'s model trains under ``mode``.

    ``"auto"`` is parallel wherever it applies (as KerasLMU does); a model
    forced to ``"parallel"`` that cannot be raises a `ValidationError` naming
    the connection or option that prevents it.
    """
    mode = check_param(MODE, mode)
    problem = parallel_problem(spec)
    if mode == "auto":
        return "steps" if problem else "parallel"
    if mode == "parallel" and problem:
        name, reason = problem
        raise ValidationError(
            f"This model cannot train in parallel over time: {reason}. Train it with "
            f"mode='steps', or build a feedforward cell (hidden_to_hidden=False, "
            f"hidden_to_memory=False, memory_to_memory=False, trainable_memory=False, "
            f"readout_synapse=None)",
            name,
        )
    return mode


def memory_kernel(spec):
    """``(n_steps, order)``: the memory's response ``Ad^k Bd`` to a unit input ``k`` steps ago.

    `nengo_lmu.impulse_response` of the memory the step-by-step cell builds
    (its order, window and step; zero-order hold).
    """
    return impulse_response(spec["order"], spec["theta"], spec["dt"], spec["n_steps"],
                            method=spec["cell_kwargs"].get("method", "zoh"))


def _memory_d(spec):
    return spec["cell_kwargs"].get("memory_d", 1)


def _learns_theta(spec):
    return bool(spec["cell_kwargs"].get("trainable_theta", False))


def theta_kernel_layer(spec, theta):
    """A Keras layer that computes memory states from sequences or windows, learning theta.

    A cell that learns its window (``trainable_theta``) cannot have its
    memory states computed before training: its kernel ``K[k] = Ad^k Bd``
    depends on ``theta``. This layer takes each input dimension's sequence
    (a classifier's) or history window (a regressor's time step: see
    `history_windows`), ``(batch, size_in * n_steps)``, and returns its last
    state ``(batch, size_in * order)``, the product with the reversed kernel, which
    it computes at every call from its weight ``log_theta``
    (`nengo_lmu.trainable_theta.discretize_tf` and ``kernel_tf``): the
    gradient reaches ``theta`` through the discretization and the kernel's
    powers of ``Ad``, as in the step-by-step cell.
    """
    tf = import_backend_module("tensorflow")
    order, n_steps, size_in = spec["order"], spec["n_steps"], spec["size_in"]
    dt, method = spec["dt"], spec["cell_kwargs"].get("method", "zoh")

    class ThetaKernel(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.log_theta = self.add_weight(
                name="log_theta", shape=(),
                initializer=tf.keras.initializers.Constant(np.log(theta)),
            )
            super().build(input_shape)

        def call(self, inputs):
            kernel = kernel_tf(*discretize_tf(self.log_theta, order, dt, method), n_steps)
            reversed_kernel = tf.cast(kernel[::-1], inputs.dtype)
            sequences = tf.reshape(inputs, (-1, size_in, n_steps))
            states = tf.einsum("bjt,tk->bjk", sequences, reversed_kernel)
            return tf.reshape(states, (-1, size_in * order))

    return ThetaKernel(name="theta_kernel")


class ParallelModel:
    """The one-step network of `build_parallel_model` and its handles.

    Attributes
    ----------
    net : nengo.Network
    input : nengo.Node
        Each input dimension's memory state before ``e_x``, then the element
        itself (``size_in * (order + 1)``; see `parallel_inputs`): the final
        state and the last element of a classifier, one time step's of a
        regressor. A cell that learns theta takes each input dimension's
        whole sequence (a classifier) or history window (a regressor's time
        step) instead of its state (``size_in * (n_steps + 1)``).
    hidden : nengo.Ensemble
    output : nengo.Node
    probe : nengo.Probe
    encoders : dict
        ``(d, j) -> Connection`` applying ``e_x[d, j]`` to input ``j``'s memory.
    input_to_hidden, memory_to_hidden, readout : nengo.Connection
        (``input_to_hidden`` is None if the cell has none.)
    dropout : tf.keras.layers.Layer or None
        The `seeded_dropout` layer on the hidden activities (None without dropout).
    theta_kernel : tf.keras.layers.Layer or None
        The `theta_kernel_layer` of a cell that learns theta (else None).
    jit_compile : bool
        Whether XLA compiles the training step: not with a ``theta_kernel``,
        whose matrix exponential's loop XLA cannot differentiate.
    spec : dict
    """

    def __init__(self, **handles):
        self.__dict__.update(handles)


def build_parallel_model(spec, params=None, dropout=0.0):
    """The parallel (one step per sequence, or per time step) network of a feedforward ``spec``.

    ``params`` are the step-by-step model's (from `parallel_params` or
    `get_params`; None: the initial weights). ``dropout`` (in [0, 1)) drops
    that fraction of the hidden activities while NengoDL trains (a
    `seeded_dropout` layer, through ``nengo_dl.Layer``); it has no
    parameters, and the step-by-step model runs without it.

    The network is one time step without NengoDL's simulation loop
    (``use_loop=False``), which lets TensorFlow compile each training step
    with XLA (`fit` does): 2 to 2.5 times the throughput of the looped graph on
    psFashion, where XLA refuses the loop's gradient accumulators.
    """
    resolve_mode(spec, "parallel")
    dropout = check_param(DROPOUT, dropout)
    nengo_dl = import_backend_module("nengo_dl")
    tf = import_backend_module("tensorflow")
    size_in, order = spec["size_in"], spec["order"]
    memory_d = _memory_d(spec)
    input_to_hidden = spec["cell_kwargs"].get("input_to_hidden", True)
    hidden_bias = spec["cell_kwargs"].get("hidden_bias", True)
    glorot = nengo_dl.dists.Glorot()
    per_input = spec["n_steps"] if _learns_theta(spec) else order
    with nengo.Network(seed=spec["seed"], label="parallel LMU model") as net:
        nengo_dl.configure_settings(trainable=None, stateful=False, use_loop=False)
        # each input's final memory state (before e_x), or its whole sequence,
        # then the last element
        inp = nengo.Node(np.zeros(size_in * per_input + size_in), label="filtered sequence")
        states, theta_kernel = inp, None
        if _learns_theta(spec):
            theta_kernel = theta_kernel_layer(spec, theta_from_params(params, spec["theta"]))
            states = nengo_dl.Layer(theta_kernel)(inp[:size_in * per_input],
                                                  shape_in=(size_in * per_input,))
        memory = nengo.Node(size_in=memory_d * order, label="final memory state")
        encoders = {}
        for j in range(size_in):
            filtered = states[j * order:(j + 1) * order]
            for d in range(memory_d):
                encoders[d, j] = nengo.Connection(
                    filtered, memory[d * order:(d + 1) * order], transform=1.0,
                    synapse=None,
                )
        hidden = nengo.Ensemble(
            spec["units"], 1, neuron_type=neuron_type_from_name(spec["neuron_type"]),
            gain=nengo.dists.Choice([1.0]), bias=nengo.dists.Choice([0.0]), label="hidden",
        )
        net.config[hidden].trainable = hidden_bias
        to_hidden = None
        if input_to_hidden:
            last = inp[size_in * per_input:]
            to_hidden = nengo.Connection(last, hidden.neurons, transform=glorot, synapse=None)
        memory_to_hidden = nengo.Connection(
            memory, hidden.neurons, transform=glorot, synapse=None
        )
        activities, dropout_layer = hidden.neurons, None
        if dropout > 0:
            dropout_layer = seeded_dropout(dropout, spec["seed"])
            activities = nengo_dl.Layer(dropout_layer)(hidden.neurons, shape_in=(spec["units"],))
        out = nengo.Node(size_in=spec["size_out"], label="readout")
        readout = nengo.Connection(activities, out, transform=glorot, synapse=None)
        probe = nengo.Probe(out, label="readout")
    pmodel = ParallelModel(
        net=net, input=inp, hidden=hidden, output=out, probe=probe, encoders=encoders,
        input_to_hidden=to_hidden, memory_to_hidden=memory_to_hidden, readout=readout,
        dropout=dropout_layer, theta_kernel=theta_kernel, jit_compile=theta_kernel is None,
        spec=spec,
    )
    if params is not None:
        _set_parallel_params(pmodel, params)
    return pmodel


def seeded_dropout(rate, seed):
    """A Keras dropout layer whose masks are a function of ``seed`` and a batch counter.

    Keras's ``Dropout`` draws from a random state that a checkpoint cannot
    restore; this one draws each training batch's mask with
    ``tf.nn.experimental.stateless_dropout`` from ``(seed, layer.batch)``,
    where ``layer.batch`` (a variable) counts the training batches. `fit`
    sets it at the start of every epoch, so that a training resumed from a
    checkpoint drops exactly the units the uninterrupted one did.
    Outside training it passes its input through.
    """
    tf = import_backend_module("tensorflow")

    class SeededDropout(tf.keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.batch = tf.Variable(0, dtype=tf.int64, trainable=False, name="batch")

        def call(self, inputs, training=None):
            if not training:
                return inputs
            seed_pair = tf.stack([tf.constant(seed, tf.int64), self.batch])
            self.batch.assign_add(1)
            return tf.nn.experimental.stateless_dropout(inputs, self.rate, seed=seed_pair)

    return SeededDropout(name="seeded_dropout")


def _step_keys(spec):
    """Role -> index in params of the step-by-step model's trained objects."""
    model = build_model(spec)
    objs = model.parametrized_objects()
    conns = model.cell.cell_connections
    readout = next(c for c in model.net.connections if c.post_obj is model.output)
    keys = {"hidden": find_index(objs, model.cell.hidden), "readout": find_index(objs, readout)}
    for role in ("input_to_memory", "input_to_hidden", "memory_to_hidden"):
        if role in conns:
            keys[role] = find_index(objs, conns[role])
    return keys


def _set_parallel_params(pmodel, params):
    """Give the parallel model the values of step-by-step ``params``."""
    keys = _step_keys(pmodel.spec)

    def value(role, name="transform"):
        key = f"{keys[role]}/{name}"
        if key not in params:
            raise ValidationError(
                f"The parameters lack {key} ({role}): they are not this model's", "params"
            )
        return np.asarray(params[key])

    for name in ("encoders", "gain", "bias"):
        setattr(pmodel.hidden, name, value("hidden", name))
    pmodel.hidden.normalize_encoders = False
    e_x = value("input_to_memory")
    e_x = np.broadcast_to(e_x, (_memory_d(pmodel.spec), pmodel.spec["size_in"]))
    for (d, j), conn in pmodel.encoders.items():
        conn.transform = float(e_x[d, j])
    pmodel.memory_to_hidden.transform = value("memory_to_hidden")
    pmodel.readout.transform = value("readout")
    if pmodel.input_to_hidden is not None:
        pmodel.input_to_hidden.transform = value("input_to_hidden")


def parallel_predict(spec, params, x, batch_size=100):
    """A feedforward model's outputs on ``x``, computed in parallel over time.

    A classifier's logits ``(n, classes)`` or a regressor's outputs ``(n,
    steps, size_out)``: the same as `nengo_lmu.training.predict` (step by
    step) to float32 precision, in one NengoDL step per sequence or per time
    step (10000 psFashion sequences take seconds: no progress bar).
    """
    pmodel = build_parallel_model(spec, params)
    x = np.asarray(x, dtype=np.float32)
    n_sequences, n_steps = x.shape[:2]
    per_step = spec["task"] != "classify"
    n = n_sequences * (n_steps if per_step else 1)
    batch_size = min(check_param(BATCH_SIZE, batch_size), n)
    with nengo_dl_sim(pmodel, batch_size, 1) as sim:
        if windowed(spec):
            # the last batch filled up with the first time steps again
            samples = np.arange(n + -n % batch_size) % n
            data = window_batches(sim, pmodel, x, samples, batch_size)
        else:
            inputs = parallel_inputs(spec, x).reshape(n, 1, -1)
            data = {pmodel.input: pad_batches(inputs, batch_size)}
        out = sim.predict(data, verbose=0)
    out = np.asarray(out[pmodel.probe][:n, -1])
    return out.reshape(n_sequences, n_steps, -1) if per_step else out


def windowed(spec):
    """Whether ``spec``'s parallel samples are time steps with their history windows.

    A regressor whose cell learns theta: see `history_windows` and `window_batches`.
    """
    return _learns_theta(spec) and spec["task"] != "classify"


def history_windows(x):
    """``(n, steps, dims, steps)``: each time step's history window, of sequences ``x``.

    Element ``[i, t, j]`` is ``x[i, t - steps + 1 .. t, j]``, zeros before
    the start: the input whose product with the reversed kernel is the
    memory state of step ``t``. A strided view of the padded sequences (``n
    * (2 steps - 1) * dims`` floats), not a copy.
    """
    x = np.asarray(x, dtype=np.float32)
    n, n_steps, size_in = x.shape
    padded = np.concatenate([np.zeros((n, n_steps - 1, size_in), np.float32), x], axis=1)
    return np.lib.stride_tricks.sliding_window_view(padded, n_steps, axis=1)


def window_inputs(x, windows, samples):
    """The parallel model's input for time steps ``samples`` of sequences ``x``.

    ``samples`` index the ``n * steps`` time steps (sequence-major);
    ``windows`` is ``history_windows(x)``. Returns ``(len(samples), 1,
    size_in * (steps + 1))``: each dimension's window, then the element.
    """
    sequence, step = np.divmod(samples, x.shape[1])
    return np.concatenate([windows[sequence, step].reshape(len(samples), -1),
                           x[sequence, step]], axis=1)[:, None]


def window_batches(sim, pmodel, x, samples, batch_size, targets=None):
    """NengoDL's data for time steps ``samples`` of ``x``, each batch built when asked for.

    A ``keras.utils.Sequence`` of ``len(samples) // batch_size`` batches for
    ``sim.fit`` (with ``targets``, ``(n, steps, size_out)``) or
    ``sim.predict`` (without) of `window_inputs`: the windows of a whole data
    set are never stored (see the module's docstring).
    """
    tf = import_backend_module("tensorflow")
    x = np.asarray(x, dtype=np.float32)
    windows = history_windows(x)
    n_steps = x.shape[1]
    input_name, probe_name = sim.get_name(pmodel.input), sim.get_name(pmodel.probe)
    # NengoDL takes the steps to run as data when the data comes batch by batch
    one_step = np.ones((batch_size, 1), dtype=np.int32)

    class WindowBatches(tf.keras.utils.Sequence):
        def __len__(self):
            return len(samples) // batch_size

        def __getitem__(self, index):
            batch = samples[index * batch_size:(index + 1) * batch_size]
            inputs = {input_name: window_inputs(x, windows, batch), "n_steps": one_step}
            if targets is None:
                return inputs
            sequence, step = np.divmod(batch, n_steps)
            return inputs, {probe_name: targets[sequence, step][:, None]}

    return WindowBatches()


def memory_states(spec, x, convolution="fft"):
    """Every memory state of sequences ``x`` ``(n, steps, dims)``: ``(n, steps, dims, order)``.

    The causal convolution ``m[t] = sum_k K[k] u[t - k]`` of each input
    dimension with the kernel (`memory_kernel`; before the trained encoder
    ``e_x``). ``convolution="fft"``: ``scipy.signal.fftconvolve`` along time;
    ``"direct"``: each sequence's Toeplitz matrix of its past times the
    reversed kernel, one BLAS product per sequence. FFT is the faster on a
    CPU at every size measured (``nengo-lmu bench convolution``); both give
    the states of the step-by-step recursion to float32 precision.
    """
    method = check_param(CONVOLUTION, convolution)
    x = np.asarray(x, dtype=np.float32)
    kernel = memory_kernel(spec).astype(np.float32)
    n_steps = x.shape[1]
    out = np.empty(x.shape + (spec["order"],), dtype=np.float32)
    if method == "fft":
        for j in range(x.shape[2]):
            full = scipy.signal.fftconvolve(x[:, :, j, None], kernel[None], axes=1)
            out[:, :, j] = full[:, :n_steps]
        return out
    reversed_kernel = np.ascontiguousarray(kernel[::-1])
    for i, sequence in enumerate(x):
        padded = np.concatenate([np.zeros((n_steps - 1, x.shape[2]), np.float32), sequence])
        for j in range(x.shape[2]):
            # row t: the elements t - steps + 1 .. t (zeros before the start)
            past = np.lib.stride_tricks.sliding_window_view(padded[:, j], n_steps)
            out[i, :, j] = past @ reversed_kernel
    return out


def parallel_inputs(spec, x, chunk=5000, convolution="fft"):
    """The parallel model's input for sequences ``x`` ``(n, steps, dims)``.

    Each input dimension's memory state (before the trained encoder
    ``e_x``), then the element itself: for a classifier the final state (one
    matrix product of the sequence with the reversed kernel) and the last
    element, ``(n, 1, d)``; for a regressor every state (`memory_states`, by
    ``convolution``) and every element, ``(n, steps, d)``. The memory has no
    trained parameter, so this is computed once, before training, rather
    than in every batch of every epoch; ``chunk`` sequences at a time bound
    the memory it needs. A cell that learns theta gets each input
    dimension's sequence (a classifier) or each step's history window (a
    regressor: `history_windows`, ``n * steps**2 * dims`` floats, which
    `nengo_lmu.training.fit` and `parallel_predict` build batch by batch
    instead) in place of its state (`theta_kernel_layer` computes the state in
    every batch).
    """
    x = np.asarray(x, dtype=np.float32)
    n, n_steps, size_in = x.shape
    if windowed(spec):
        return window_inputs(x, history_windows(x), np.arange(n * n_steps)).reshape(
            n, n_steps, -1)
    if _learns_theta(spec):
        return np.concatenate([x.transpose(0, 2, 1).reshape(n, 1, -1), x[:, -1:]], axis=2)
    order = spec["order"]
    regress = spec["task"] != "classify"
    out_steps = n_steps if regress else 1
    out = np.empty((n, out_steps, size_in * (order + 1)), dtype=np.float32)
    # the final state from every element at once: K reversed, one row per element
    final_state = memory_kernel(spec)[::-1].astype(np.float32)
    for start in range(0, n, chunk):
        part = x[start:start + chunk]
        rows = slice(start, start + chunk)
        if regress:
            states = memory_states(spec, part, convolution=convolution)
            out[rows, :, :size_in * order] = states.reshape(len(part), n_steps, -1)
            out[rows, :, size_in * order:] = part
        else:
            for j in range(size_in):
                out[rows, 0, j * order:(j + 1) * order] = part[:, :, j] @ final_state
            out[rows, 0, size_in * order:] = part[:, -1]
    return out


def parallel_params(sim, pmodel):
    """The trained parallel model's values as params of the step-by-step `build_model`.

    Every trainable object of the step-by-step model gets the value of its
    counterpart; the fixed ones (the memory) keep the values they are built with.
    A learned window is ``params["theta"]``, as `get_params` gives it.
    """
    spec = pmodel.spec
    keys = _step_keys(spec)
    handles = [pmodel.hidden, pmodel.memory_to_hidden, pmodel.readout,
               *pmodel.encoders.values()]
    if pmodel.input_to_hidden is not None:
        handles.append(pmodel.input_to_hidden)
    values = dict(zip(handles, sim.get_nengo_params(handles)))
    params = {f"{keys['hidden']}/{key}": np.asarray(values[pmodel.hidden][key])
              for key in ("encoders", "gain", "bias")}
    e_x = np.zeros((_memory_d(spec), spec["size_in"]))
    for (d, j), conn in pmodel.encoders.items():
        e_x[d, j] = np.asarray(values[conn]["transform"]).item()
    pairs = [("input_to_memory", e_x),
             ("memory_to_hidden", values[pmodel.memory_to_hidden]["transform"]),
             ("readout", values[pmodel.readout]["transform"])]
    if pmodel.input_to_hidden is not None:
        pairs.append(("input_to_hidden", values[pmodel.input_to_hidden]["transform"]))
    for role, value in pairs:
        params[f"{keys[role]}/transform"] = np.asarray(value)
    if pmodel.theta_kernel is not None:
        params["theta"] = np.array(float(np.exp(pmodel.theta_kernel.get_weights()[0])))
    return params
