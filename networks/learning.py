"""Online learning of a readout of a Legendre memory, with PES."""

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.neurons import NeuronTypeParam
from nengo.params import BoolParam, IntParam, NumberParam
from nengo.synapses import SynapseParam

from nengo_lmu.scaling import whitening_transform
from nengo_lmu.validation import reject_bool

from .memory import LegendreMemory


class LearnedReadout(nengo.Network):
    """A readout of a `.LegendreMemory` that PES learns while the model runs.

    The memory's state, whitened by its expected covariance, drives an
    ensemble array of ``n_neurons`` neurons (one 1-D ensemble per state
    dimension); the connections from those ensembles to ``output`` start at
    zero and learn with ``nengo.PES`` from the error fed into ``error``.
    Learning stops while ``learning`` is False, so that what was learned can
    be tested on new input.

    Why this representation: PES is a least-mean-squares rule, which learns
    fast and settles cleanly when the presynaptic activities are
    well-conditioned. Whitening gives every state direction the same spread;
    1-D ensembles whose intercepts sit near zero make each pair of opposite
    neurons carry the state linearly in its difference and evenly in its sum,
    with activities of comparable size. Neurons that are always active (or
    a high-dimensional ensemble representing the whole state) instead put
    most of the activity into a common mode that limits the usable learning
    rate, and learning a 0.5 s delay takes several times longer.

    Parameters
    ----------
    memory : LegendreMemory
        The memory to read from (ideal or neural).
    size_out : int
        Dimensionality of the learned output.
    n_neurons : int
        Neurons in the learning population, spread evenly over the state's
        dimensions.
    learning_rate : float
        PES learning rate. The default (1e-3) learns a delay from an order-8
        memory within about a minute; larger rates learn faster but leave
        more noise in the learned weights (see the online-learning demo).
    neuron_type : nengo.neurons.NeuronType
        Neuron model of the learning population.
    input_synapse : float or nengo.synapses.Synapse or None
        Filter of the memory's state into the learning population; None
        (default) for an ideal memory, ``Lowpass(0.01)`` for a neural one.
    pre_synapse : float or nengo.Lowpass
        PES's filter of the presynaptic activities.
    synapse : float or nengo.synapses.Synapse
        Synapse of the learned connections (it filters the output).
    learning : bool
        Whether learning is on at the start.
    label, seed, add_to_container
        As for any `nengo.Network`.
    **ens_kwargs
        Passed to the learning ensembles, overriding the defaults
        (``max_rates=Uniform(100, 120)``, ``intercepts=Uniform(-0.1, 0.1)``).

    Attributes
    ----------
    error : nengo.Node
        Input: the error to minimize, ``output - target`` (see `.learn_from`).
    output : nengo.Node
        The learned readout.
    learning_ensembles : list of nengo.Ensemble
        The learning population.
    learned_connections : list of nengo.Connection
        The learned connections, one per ensemble.
    """

    size_out = IntParam("size_out", low=1, readonly=True)
    n_neurons = IntParam("n_neurons", low=1, readonly=True)
    learning_rate = NumberParam("learning_rate", low=0, readonly=True)
    neuron_type = NeuronTypeParam("neuron_type", readonly=True)
    input_synapse = SynapseParam("input_synapse", optional=True, readonly=True)
    pre_synapse = SynapseParam("pre_synapse", readonly=True)
    synapse = SynapseParam("synapse", optional=True, readonly=True)
    learning = BoolParam("learning", readonly=False)

    def __init__(
        self,
        memory,
        size_out=1,
        n_neurons=1000,
        learning_rate=1e-3,
        neuron_type=nengo.SpikingRectifiedLinear(),
        input_synapse="default",
        pre_synapse=0.005,
        synapse=0.01,
        learning=True,
        label=None,
        seed=None,
        add_to_container=None,
        **ens_kwargs,
    ):
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        if not isinstance(memory, LegendreMemory):
            raise ValidationError(
                f"Must be a LegendreMemory (got {type(memory).__name__})", "memory", self
            )
        for name, value in (("size_out", size_out), ("n_neurons", n_neurons)):
            reject_bool(name, value, obj=self)
        self.memory = memory
        self.size_out = size_out
        self.n_neurons = n_neurons
        self.learning_rate = learning_rate
        self.neuron_type = neuron_type
        if isinstance(input_synapse, str) and input_synapse == "default":
            input_synapse = None if memory.n_neurons is None else nengo.Lowpass(0.01)
        self.input_synapse = input_synapse
        self.pre_synapse = pre_synapse
        self.synapse = synapse
        self.learning = learning

        dims = memory.size_out
        if self.n_neurons < dims:
            raise ValidationError(
                f"Needs at least one neuron per state dimension ({dims})", "n_neurons", self
            )
        whitening = self._whitening_transform()
        ens_kwargs.setdefault("max_rates", nengo.dists.Uniform(100, 120))
        ens_kwargs.setdefault("intercepts", nengo.dists.Uniform(-0.1, 0.1))
        ens_kwargs.setdefault("eval_points", nengo.dists.Gaussian(0, 1 / memory.n_std))

        with self:
            self.error = nengo.Node(size_in=self.size_out, label="error")
            self.output = nengo.Node(size_in=self.size_out, label="output")
            # the gate reads self.learning on every step, so it can be
            # switched between runs of a simulator
            gate = nengo.Node(
                lambda t, error: error if self.learning else np.zeros_like(error),
                size_in=self.size_out,
                label="learning gate",
            )
            nengo.Connection(self.error, gate, synapse=None)
            array = nengo.networks.EnsembleArray(
                self.n_neurons // dims,
                dims,
                neuron_type=self.neuron_type,
                label="learning population",
                **ens_kwargs,
            )
            self.learning_ensembles = list(array.ensembles)
            nengo.Connection(
                memory.output, array.input, transform=whitening, synapse=self.input_synapse
            )
            self.learned_connections = []
            for ensemble in self.learning_ensembles:
                connection = nengo.Connection(
                    ensemble,
                    self.output,
                    function=lambda x: np.zeros(self.size_out),
                    learning_rule_type=nengo.PES(
                        self.learning_rate, pre_synapse=self.pre_synapse
                    ),
                    synapse=self.synapse,
                )
                nengo.Connection(gate, connection.learning_rule, synapse=None)
                self.learned_connections.append(connection)

    def _whitening_transform(self):
        """Map the memory's state onto coordinates of spread ``1 / n_std`` each."""
        memory = self.memory
        return np.linalg.inv(whitening_transform(memory.full_state_covariance(), memory.n_std))

    def learn_from(self, target, synapse=None):
        """Connect ``target`` so that the readout learns to output it.

        Feeds ``output - target`` into `.error`. The target is filtered by
        ``synapse`` plus this readout's own ``synapse``, so that it is
        compared with the output as the output is: filtered alike.

        Parameters
        ----------
        target : nengo.Node or nengo.Ensemble or nengo.base.ObjView
            Object whose output (``size_out`` dimensions) is the target.
        synapse : float or nengo.synapses.Synapse or None
            Extra filter of the target.
        """
        size = getattr(target, "size_out", None)
        if size != self.size_out:
            raise ValidationError(
                f"Must have {self.size_out} dimensions to match size_out "
                f"(got {size})",
                "target",
                self,
            )
        with self:
            nengo.Connection(self.output, self.error, synapse=None)
            filtered = nengo.Node(size_in=self.size_out, label="filtered target")
            nengo.Connection(target, filtered, synapse=synapse)
            nengo.Connection(filtered, self.error, transform=-1, synapse=self.synapse)
