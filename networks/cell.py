"""The LMU cell: a Legendre memory coupled to a nonlinear hidden population."""

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.neurons import NeuronTypeParam
from nengo.builder import Builder
from nengo.params import BoolParam, EnumParam

from nengo_lmu.backends import import_backend_module
from nengo_lmu.builder import DiscretizedNetwork, build_discretized_network
from nengo_lmu.params import IntParam, NumberParam, reject_bool
from nengo_lmu.trainable_theta import add_discretize_theta

from .memory import LegendreMemory


class _GlorotUniform(nengo.dists.Distribution):
    """Glorot-uniform weights (KerasLMU's kernels' default), without NengoDL.

    It draws what ``nengo_dl.dists.Glorot()`` draws from the same ``rng``,
    so a cell has the same weights whether NengoDL is installed or not.
    """

    def sample(self, n, d=None, rng=np.random):
        limit = np.sqrt(6.0 / (n + (1 if d is None else d)))
        return rng.uniform(-limit, limit, size=(n,) if d is None else (n, d))


def _glorot():
    return _GlorotUniform()


def _nengo_dl():
    """nengo_dl if installed: only NengoDL reads the ``trainable`` flags."""
    try:
        return import_backend_module("nengo_dl")
    except ImportError:
        return None


class Orthogonal(nengo.dists.Distribution):
    """Random orthogonal matrices (KerasLMU's and Keras's recurrent initializer).

    A sample of shape ``(n, d)`` has orthonormal rows (``n <= d``) or columns
    (``n > d``), times ``scale``: the QR decomposition of a standard normal
    matrix, its signs fixed so that the result is uniformly distributed
    (Saxe et al. 2014; ``tf.keras.initializers.Orthogonal``). A recurrent
    weight matrix drawn from it keeps the norm of the state it recycles.

    Parameters
    ----------
    scale : float
        Multiplies the matrix.
    """

    scale = NumberParam("scale", low=0, low_open=True)

    def __init__(self, scale=1.0):
        super().__init__()
        self.scale = scale

    def sample(self, n, d=None, rng=np.random):
        if d is None:
            raise ValidationError("Orthogonal samples matrices: give d", "d", self)
        big, small = max(n, d), min(n, d)
        q, r = np.linalg.qr(rng.standard_normal((big, small)))
        q = q * np.sign(np.diag(r))  # uniform over orthogonal matrices
        return self.scale * (q if n >= d else q.T)


class LMUCell(DiscretizedNetwork):
    """The LMU cell of Voelker, Kajić & Eliasmith (2019) as a Nengo network.

    A linear memory ``m`` (a `.LegendreMemory` of ``order`` dimensions per
    memory dimension) is coupled to a population of ``units`` neurons whose
    activity is the hidden state ``h``. At each time step:

    .. code-block:: text

        u[t] = e_x x[t] + e_h h[t-1] + e_m m[t-1]        (memory input)
        m[t] = Ad m[t-1] + Bd u[t]                        (the memory)
        h[t] = f(W_x x[t] + W_h h[t-1] + W_m m[t] + b)    (the hidden state)

    ``f`` is the neurons' response: any nengo neuron type. Train with rate
    neurons (``nengo.RectifiedLinear``, ``nengo.Tanh``, ``nengo.LIFRate``), or
    with their spiking counterparts (``nengo.SpikingRectifiedLinear``,
    ``nengo.LIF``), which NengoDL trains through their rate approximation and
    runs as spikes. Connections that read ``h[t-1]`` or ``m[t-1]`` use
    ``synapse=0`` (a one-step delay); all others ``synapse=None``. The
    hidden neurons are driven directly (connections into ``.neurons``,
    ``gain=1``), so ``W`` are ordinary weight matrices.

    The options are those of KerasLMU: ``hidden_to_memory`` (``e_h``),
    ``memory_to_memory`` (``e_m``), ``input_to_hidden`` (``W_x``), and here
    ``hidden_to_hidden`` (``W_h``; False is KerasLMU's ``Dense`` hidden
    cell). Weights start Glorot-uniform (as ``nengo_dl.dists.Glorot``), except
    ``W_h``, which starts orthogonal (`.Orthogonal`), as in KerasLMU's
    ``SimpleRNNCell`` hidden cell; ``e_x`` at one, biases at zero. Which
    parameters NengoDL trains is set inside this network with
    ``nengo_dl.configure_settings(trainable=None)``: the memory's ``A`` and
    ``B`` are fixed unless ``trainable_memory``, the biases trained unless
    ``hidden_bias=False`` (then they are zero). Without NengoDL installed the
    cell builds and runs on nengo all the same, without those settings.

    With ``trainable_theta=True`` NengoDL learns the memory's window
    ``theta`` by backpropagation, as KerasLMU's ``trainable_theta`` does:
    the memory's ``Ad`` and ``Bd`` are recomputed from ``theta`` at every
    step (zero-order hold through a differentiable matrix exponential, or
    Euler), so the gradient reaches ``theta`` through the discretization
    (see `nengo_lmu.trainable_theta`); ``theta`` is trained as its
    logarithm, so that a step of the optimizer changes it by a fraction of
    itself. Other backends run the memory at the given ``theta``.

    Parameters
    ----------
    units : int
        Number of hidden neurons (the dimension of ``h``).
    order : int
        Legendre dimensions per memory dimension.
    theta : float
        Length of the memory's window in seconds (``steps * dt`` to remember a
        sequence of ``steps`` elements presented one per time step).
    size_in : int
        Dimension of the input ``x``.
    memory_d : int
        Dimension of the memory's input ``u``; each gets ``order`` dimensions.
    neuron_type : nengo.neurons.NeuronType
        Neurons of the hidden population.
    hidden_to_memory, memory_to_memory, input_to_hidden, hidden_to_hidden : bool
        Which optional connections exist (see above).
    trainable_memory : bool
        Whether NengoDL trains the memory's ``A`` and ``B`` (in its
        discretized form) too.
    hidden_bias : bool
        Whether the hidden neurons have a trained bias (else zero).
    memory_bias : bool
        Whether the memory's input has a trained bias too (KerasLMU's
        ``use_bias``): ``u = e_x x + e_h h + e_m m + b_u``, from a constant
        Node (starts at zero).
    trainable_theta : bool
        Whether NengoDL learns ``theta`` (an ideal memory only; see above).
    method : {"zoh", "euler"}
        How the memory is discretized (see `nengo_lmu.discretize`).
    input_encoders : float or array_like or nengo.dists.Distribution
        Initial ``e_x`` (``memory_d x size_in``); default 1.
    memory_neurons : int or None
        None for the ideal memory; else neurons per memory dimension of a
        neural memory (see `.LegendreMemory`).
    memory_kwargs : dict
        Further arguments of the `.LegendreMemory` (``neuron_type``,
        ``synapse``, ...).
    dt : float
        Time step the cell's memory is made for, in seconds; any simulator
        builds it for its own step (see `nengo_lmu.builder`). The cell's own
        weights act per step whatever the step.
    label : str
        A name for the network.
    seed : int
        Seed for the network's random number generator.
    add_to_container : bool
        Whether to add the network to the current context.

    Attributes
    ----------
    input : nengo.Node
        The input ``x`` (``size_in`` dimensions).
    output : nengo.Node
        The hidden state ``h`` (``units`` dimensions).
    memory : LegendreMemory
        The memory; ``memory.output`` is ``m``.
    hidden : nengo.Ensemble
        The hidden population (``units`` neurons).
    cell_connections : dict
        The cell's own connections by role: ``"input_to_memory"``,
        ``"hidden_to_memory"``, ``"memory_to_memory"``, ``"input_to_hidden"``,
        ``"hidden_to_hidden"``, ``"memory_to_hidden"``, ``"hidden_to_output"``,
        ``"memory_bias"`` (only those that exist).

    Examples
    --------
    >>> import nengo
    >>> from nengo_lmu.networks import LMUCell
    >>> with nengo.Network(seed=0) as net:
    ...     cell = LMUCell(units=20, order=8, theta=0.064)
    >>> cell.output.size_out
    20
    """

    units = IntParam("units", low=1, readonly=True)
    order = IntParam("order", low=1, readonly=True)
    theta = NumberParam("theta", low=0, low_open=True, readonly=True)
    size_in = IntParam("size_in", low=1, readonly=True)
    memory_d = IntParam("memory_d", low=1, readonly=True)
    neuron_type = NeuronTypeParam("neuron_type", readonly=True)
    hidden_to_memory = BoolParam("hidden_to_memory", readonly=True)
    memory_to_memory = BoolParam("memory_to_memory", readonly=True)
    input_to_hidden = BoolParam("input_to_hidden", readonly=True)
    hidden_to_hidden = BoolParam("hidden_to_hidden", readonly=True)
    trainable_memory = BoolParam("trainable_memory", readonly=True)
    hidden_bias = BoolParam("hidden_bias", readonly=True)
    memory_bias = BoolParam("memory_bias", readonly=True)
    trainable_theta = BoolParam("trainable_theta", readonly=True)
    method = EnumParam("method", values=("zoh", "euler"), readonly=True)
    memory_neurons = IntParam("memory_neurons", low=1, optional=True, readonly=True)
    dt = NumberParam("dt", low=0, low_open=True, readonly=True)

    def __init__(
        self,
        units,
        order,
        theta,
        size_in=1,
        memory_d=1,
        neuron_type=nengo.RectifiedLinear(),
        hidden_to_memory=False,
        memory_to_memory=False,
        input_to_hidden=True,
        hidden_to_hidden=True,
        trainable_memory=False,
        hidden_bias=True,
        input_encoders=1.0,
        memory_neurons=None,
        memory_kwargs=None,
        dt=0.001,
        memory_bias=False,
        trainable_theta=False,
        method="zoh",
        label=None,
        seed=None,
        add_to_container=None,
    ):
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        for name, value in (
            ("units", units),
            ("order", order),
            ("size_in", size_in),
            ("memory_d", memory_d),
            ("memory_neurons", memory_neurons),
        ):
            reject_bool(name, value, obj=self)
        self.units = units
        self.order = order
        self.theta = theta
        self.size_in = size_in
        self.memory_d = memory_d
        self.neuron_type = neuron_type
        self.hidden_to_memory = hidden_to_memory
        self.memory_to_memory = memory_to_memory
        self.input_to_hidden = input_to_hidden
        self.hidden_to_hidden = hidden_to_hidden
        self.trainable_memory = trainable_memory
        self.hidden_bias = hidden_bias
        self.memory_neurons = memory_neurons
        self.dt = dt
        self.memory_bias = memory_bias
        self.trainable_theta = trainable_theta
        self.method = method
        if self.trainable_theta and self.memory_neurons is not None:
            raise ValidationError(
                "Only an ideal memory (memory_neurons=None) can learn theta: a neural "
                "memory's weights are solved for one theta",
                "trainable_theta",
                self,
            )
        if self.trainable_theta and self.trainable_memory:
            raise ValidationError(
                "Learn theta or the memory's A and B (trainable_memory), not both: "
                "theta sets A and B",
                "trainable_theta",
                self,
            )
        # the cell's own weights are per step; only its memory depends on dt
        self.record_discretized({}, dt)
        if isinstance(input_encoders, nengo.dists.Distribution):
            e_x = input_encoders
        else:
            e_x = np.asarray(input_encoders, dtype=float)
            if e_x.ndim == 0:
                e_x = np.full((memory_d, size_in), float(e_x))
            if e_x.shape != (memory_d, size_in):
                raise ValidationError(
                    f"Must be a scalar or of shape (memory_d, size_in) = "
                    f"{(memory_d, size_in)} (got {e_x.shape})",
                    "input_encoders",
                    self,
                )
        memory_kwargs = {} if memory_kwargs is None else dict(memory_kwargs)

        nengo_dl = _nengo_dl()
        glorot = _glorot()
        self.cell_connections = {}
        with self:
            if nengo_dl is not None:  # the trainable flags are local to this network
                nengo_dl.configure_settings(trainable=None)
            self.input = nengo.Node(size_in=size_in, label="x")
            self.output = nengo.Node(size_in=units, label="h")
            self.memory = LegendreMemory(
                order,
                theta,
                size_in=memory_d,
                n_neurons=memory_neurons,
                dt=dt,
                method=method,
                label="memory",
                **memory_kwargs,
            )
            # (nengo's Config does not reach Network subclasses: mark each object)
            if nengo_dl is not None:
                for obj in self.memory.all_ensembles + self.memory.all_connections:
                    self.config[obj].trainable = self.trainable_memory
            self.hidden = nengo.Ensemble(
                units,
                1,
                neuron_type=neuron_type,
                gain=nengo.dists.Choice([1.0]),
                bias=nengo.dists.Choice([0.0]),
                label="hidden",
            )
            if nengo_dl is not None:
                self.config[self.hidden].trainable = self.hidden_bias
            h = self.hidden.neurons
            m = self.memory.output
            u = self.memory.input
            conns = self.cell_connections
            conns["input_to_memory"] = nengo.Connection(
                self.input, u, transform=e_x, synapse=None
            )
            if hidden_to_memory:
                conns["hidden_to_memory"] = nengo.Connection(
                    h, u, transform=glorot, synapse=0
                )
            if memory_to_memory:
                conns["memory_to_memory"] = nengo.Connection(
                    m, u, transform=glorot, synapse=0
                )
            if input_to_hidden:
                conns["input_to_hidden"] = nengo.Connection(
                    self.input, h, transform=glorot, synapse=None
                )
            if hidden_to_hidden:
                conns["hidden_to_hidden"] = nengo.Connection(
                    h, h, transform=Orthogonal(), synapse=0
                )
            conns["memory_to_hidden"] = nengo.Connection(
                m, h, transform=glorot, synapse=None
            )
            conns["hidden_to_output"] = nengo.Connection(h, self.output, synapse=None)
            if memory_bias:
                one = nengo.Node(1.0, label="one")
                conns["memory_bias"] = nengo.Connection(
                    one, u, transform=np.zeros((memory_d, 1)), synapse=None
                )


@Builder.register(LMUCell)
def build_lmu_cell(model, cell, **kwargs):
    """Build an `.LMUCell` for the model's step; a learned theta sets its memory's weights."""
    built = build_discretized_network(model, cell, **kwargs)
    if cell.trainable_theta:
        add_discretize_theta(model, cell)
    return built
