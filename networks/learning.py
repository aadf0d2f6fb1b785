"""Online learning of a readout of a Legendre memory, with PES."""

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.neurons import NeuronTypeParam
from nengo.params import BoolParam, EnumParam
from nengo.synapses import SynapseParam

from nengo_lmu.params import (
    IntParam, NumberParam, check_in_interval, check_param, reject_bool,
)
from nengo_lmu.state_statistics import whitening_transform

from .memory import LegendreMemory


def least_squares_window_readout(memory, delays, n_freqs=2000, seed=0):
    """The linear readout of the window that is best for the memory's input process.

    Returns ``W`` (``len(delays) * size_in`` by ``order * size_in``) that
    minimizes the expected squared error of ``W @ m(t)`` as an estimate of the
    input at each of ``delays`` seconds ago, for input drawn from
    ``memory.input_process`` (the Wiener solution ``W = C Sigma^-1``, with
    ``Sigma`` the state's covariance and ``C`` its covariance with the
    delayed input). For a `nengo.processes.WhiteSignal` both are computed
    from its flat spectrum; for another process, by simulating it (100
    windows, at least 20 s). For a band-limited input this readout is far more
    accurate than the Legendre one (`.LegendreMemory.readout_transform`),
    which is exact only in the limit of high order: for 2 Hz white noise in an
    order-8 memory of 1 s, its NRMSE at delay 0 is 0.005 rather than 0.13.

    Parameters
    ----------
    memory : LegendreMemory
        A memory with an ``input_process``.
    delays : array_like
        Delays in seconds, each in ``[0, theta]``.
    n_freqs : int
        Frequencies at which a ``WhiteSignal``'s spectrum is integrated.
    seed : int
        Seed of the simulated process (for processes other than ``WhiteSignal``).
    """
    process = memory.input_process
    if process is None:
        raise ValidationError(
            "The least-squares readout needs to know the input: give the "
            "memory an input_process",
            "input_process",
            memory,
        )
    delays = np.atleast_1d(check_in_interval("delays", delays, 0.0, memory.theta, obj=memory))
    if isinstance(process, nengo.processes.WhiteSignal):
        freqs = np.linspace(0, process.high, n_freqs + 1)[1:]
        # H(2 pi j f) = (2 pi j f I - A)^-1 B, all frequencies in one solve
        systems = 2j * np.pi * freqs[:, None, None] * np.eye(memory.order) - memory.A
        rhs = np.broadcast_to(memory.B[:, 0], (n_freqs, memory.order))[..., None]
        H = np.linalg.solve(systems, rhs)[..., 0]  # (freqs, order)
        # as in `nengo_lmu.state_statistics.bandlimited_state_covariance`
        sigma = process.rms**2 * np.real(H.T @ H.conj()) / n_freqs
        # E[m(t) u(t - d)] = rms^2 * mean over f of Re(H(f) exp(2 pi j f d))
        phases = np.exp(2j * np.pi * np.outer(delays, freqs))  # (delays, freqs)
        cross = process.rms**2 * np.real(phases @ H) / n_freqs  # (delays, order)
    else:
        dt = memory.dt
        n_steps = int(round(max(100 * memory.theta, 20.0) / dt))
        u = process.run_steps(n_steps, d=1, dt=dt, rng=np.random.RandomState(seed))[:, 0]
        states = np.empty((n_steps, memory.order))
        state = np.zeros(memory.order)
        for t in range(n_steps):
            state = memory.Ad @ state + memory.Bd[:, 0] * u[t]
            states[t] = state
        start = int(round(memory.theta / dt))
        steps = np.arange(start, n_steps)
        sigma = states[steps].T @ states[steps] / len(steps)
        lags = np.round(delays / dt).astype(int)
        cross = np.array([u[steps - lag] @ states[steps] / len(steps) for lag in lags])
    readout = np.linalg.solve(sigma, cross.T).T  # sigma is symmetric
    return np.kron(np.eye(memory.size_in), readout)


_WINDOW_READOUT = EnumParam("window_readout", values=("legendre", "least-squares"))


class PairEncoders(nengo.dists.Distribution):
    """Unit encoders that each lie in the plane of two coordinate axes.

    The planes of every pair of dimensions ``(i, j)``, ``i <= j`` (``i == j``
    is the axis itself), take turns; within its plane an encoder points in a
    uniformly random direction. A neuron tuned so responds to ``x_i`` and
    ``x_j`` only, and its rectified response carries their products, so that
    a population of them can decode any quadratic function of ``x`` (such
    as a product of two readouts of a memory's window), which a population
    of 1-D ensembles cannot, and which random encoders in many dimensions
    need far more neurons for.
    """

    def sample(self, n, d=None, rng=np.random):
        """Sample ``n`` encoders of ``d`` dimensions (see `nengo.dists.Distribution`)."""
        if d is None:
            raise ValidationError("PairEncoders needs the dimensionality", "d", self)
        planes = [(i, j) for i in range(d) for j in range(i, d)]
        order = rng.permutation(len(planes))
        angles = rng.uniform(0, 2 * np.pi, size=n)
        encoders = np.zeros((n, d))
        for k in range(n):
            i, j = planes[order[k % len(planes)]]
            if i == j:
                encoders[k, i] = 1.0 if np.cos(angles[k]) >= 0 else -1.0
            else:
                encoders[k, i], encoders[k, j] = np.cos(angles[k]), np.sin(angles[k])
        return encoders


class LearnedReadout(nengo.Network):
    """A readout of a `.LegendreMemory` that PES learns while the model runs.

    The memory's state drives a population of ``n_neurons`` neurons; the
    connections from it to ``output`` start at zero and learn with
    ``nengo.PES`` from the error fed into ``error``. Learning stops while
    ``learning`` is False, so that what was learned can be tested on new
    input. What the population represents (``population``) decides what can
    be learned:

    - ``"array"`` (default): the state, whitened by its expected covariance,
      in an ensemble array (one 1-D ensemble per state dimension). Best for
      linear functions of the window (delays, filters, predictions);
      products of different state dimensions are out of its reach.
    - ``"window"``: the window samples at ``delays``, read out of the state by
      a fixed linear readout (``window_readout``), in one ensemble. PES learns
      only the nonlinear function of those samples (a product of two, say).
      With ``window_readout="least-squares"`` (the default when the memory
      has an ``input_process``) the samples are read by the readout that is
      best for that input (`.least_squares_window_readout`), which is far
      more accurate than the Legendre readout at low order.
    - ``"pairs"``: the whitened state in one ensemble whose encoders each lie
      in the plane of two state dimensions (`.PairEncoders`), so that any
      quadratic function of the state is within reach; it needs many more
      neurons and learns more slowly than ``"window"`` (see the
      learn-product demo).

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
        Neurons in the learning population (for ``"array"``, spread evenly
        over the state's dimensions).
    learning_rate : float
        PES learning rate. PES changes the decoders by ``learning_rate / n``
        times the error times the activities, so the rate to pick grows with
        how small the target (and so the error) is, and shrinks with how
        active the population is. The default (1e-3) learns a delay (target
        RMS 0.3) from an order-8 memory within about a minute. Larger rates
        learn faster but leave more noise in the weights when learning stops:
        the test error is then worse than the error while learning (see the
        measurements in `nengo_lmu.demos.learn_product`). To pick one, run the task
        with rates a factor 3 apart and score each over a period with
        learning off, as the demos do. On nengo-dl, the rate of nengo
        carries over. On nengo-loihi (``"loihi-sim"``, ``"loihi"``) the
        learned weights are 8-bit integers, updated with stochastic
        rounding, whose step is set by the simulator model's
        ``pes_wgt_exp``: at nengo-loihi 1.1's default (4) a step is about
        1.1e-5 of a decoder (dt = 1 ms), and it halves with each step down
        of ``pes_wgt_exp``. Pick the rate on nengo first, look at the largest
        decoder it learns there (probe the learned connection's
        ``"weights"``), and lower ``pes_wgt_exp`` until that decoder spans
        some 50-100 steps (of at most 127; the product demo's largest spans
        97 at ``pes_wgt_exp=0``): with only a few steps, learning
        on the chip is mostly rounding noise and does not converge
        (`nengo_lmu.loihi.loihi_learning_options` makes the
        simulator options). Give it ``error_step`` too (below).
    population : {"array", "window", "pairs"}
        What the learning population represents (see above).
    delays : array_like or None
        With ``population="window"`` (only), the delays in seconds (each in
        ``[0, theta]``) of the window samples to represent.
    window_readout : {"legendre", "least-squares"} or None
        With ``population="window"``: how the window samples are read out of
        the state; None picks ``"least-squares"`` if the memory has an
        ``input_process``, else ``"legendre"``.
    neuron_type : nengo.neurons.NeuronType
        Neuron model of the learning population.
    input_synapse : float or nengo.synapses.Synapse or None
        Filter of the memory's state into the learning population; None
        (default) for an ideal memory, ``Lowpass(0.01)`` for a neural one.
    pre_synapse : float or nengo.Lowpass
        PES's filter of the presynaptic activities.
    synapse : float or nengo.synapses.Synapse
        Synapse of the learned connections (it filters the output).
    weight_splits : int
        Number of parallel learned connections from each learning ensemble
        to ``output``, each learning at ``learning_rate / weight_splits``.
        On nengo and nengo-dl the sum learns as one connection would (the
        same updates, split evenly). On nengo-loihi it gives the learned
        readout more resolution: each connection's 8-bit weights round
        stochastically on their own, so the rounding noise in their sum has
        ``1 / weight_splits`` of the variance. Lower ``pes_wgt_exp`` by
        ``log2(weight_splits)`` with it, so that each connection's weights
        span as many steps as one connection's would. It costs
        ``weight_splits`` times the learned synapses on the chip.
    error_step : float or None
        If given, the error that reaches PES is rounded to the nearest
        multiple of this. On nengo-loihi, pass
        `nengo_lmu.loihi.loihi_pes_error_step` for the simulator's
        ``pes_error_scale``: nengo-loihi 1.1 multiplies each presynaptic
        trace by the integer error and divides the product by 4 rounding
        down, which drifts the two rectified halves of the learned output
        together to below zero, so that the learned readout gets a dead zone
        around zero that learning cannot remove; errors that are multiples
        of 4 integer steps divide exactly.
    learning : bool
        Whether learning is on at the start; set the attribute to switch it
        between runs of a simulator.
    label, seed, add_to_container
        As for any `nengo.Network`.
    **ens_kwargs
        Passed to the learning ensembles, overriding the defaults
        (``max_rates=Uniform(100, 120)``; for ``"array"``,
        ``intercepts=Uniform(-0.1, 0.1)``; for ``"pairs"``,
        ``encoders=PairEncoders()``, ``intercepts=Uniform(-0.3, 0.3)``;
        for ``"window"``, nengo's defaults).

    Attributes
    ----------
    error : nengo.Node
        Input: the error to minimize, ``output - target`` (see `.learn_from`).
    output : nengo.Node
        The learned readout.
    learning_rate_scale : float
        Multiplies ``learning_rate`` (it scales the error that reaches PES);
        1 at the start. Lowering it between runs toward the end of learning
        (annealing) leaves less of the last seconds' noise in the weights
        that learning leaves behind.
    learning_ensembles : list of nengo.Ensemble
        The learning population.
    learned_connections : list of nengo.Connection
        The learned connections: one per ensemble, then (``weight_splits``
        > 1) the other splits of each ensemble's in turn.
    """

    size_out = IntParam("size_out", low=1, readonly=True)
    n_neurons = IntParam("n_neurons", low=1, readonly=True)
    learning_rate = NumberParam("learning_rate", low=0, readonly=True)
    population = EnumParam("population", values=("array", "pairs", "window"), readonly=True)
    neuron_type = NeuronTypeParam("neuron_type", readonly=True)
    input_synapse = SynapseParam("input_synapse", optional=True, readonly=True)
    pre_synapse = SynapseParam("pre_synapse", readonly=True)
    synapse = SynapseParam("synapse", optional=True, readonly=True)
    weight_splits = IntParam("weight_splits", low=1, readonly=True)
    error_step = NumberParam("error_step", low=0, low_open=True, optional=True, readonly=True)
    learning = BoolParam("learning", readonly=False)
    learning_rate_scale = NumberParam("learning_rate_scale", low=0, readonly=False)

    def __init__(
        self,
        memory,
        size_out=1,
        n_neurons=1000,
        learning_rate=1e-3,
        population="array",
        delays=None,
        window_readout=None,
        neuron_type=nengo.SpikingRectifiedLinear(),
        input_synapse="default",
        pre_synapse=0.005,
        synapse=0.01,
        weight_splits=1,
        error_step=None,
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
        for name, value in (
            ("size_out", size_out),
            ("n_neurons", n_neurons),
            ("weight_splits", weight_splits),
            ("error_step", error_step),
        ):
            reject_bool(name, value, obj=self)
        self.memory = memory
        self.size_out = size_out
        self.n_neurons = n_neurons
        self.learning_rate = learning_rate
        self.population = population
        self.neuron_type = neuron_type
        if isinstance(input_synapse, str) and input_synapse == "default":
            input_synapse = None if memory.n_neurons is None else nengo.Lowpass(0.01)
        self.input_synapse = input_synapse
        self.pre_synapse = pre_synapse
        self.synapse = synapse
        self.weight_splits = weight_splits
        self.error_step = error_step
        self.learning = learning
        self.learning_rate_scale = 1.0
        self.delays = self._check_delays(delays)
        if self.population == "window" and window_readout is None:
            window_readout = "legendre" if memory.input_process is None else "least-squares"
        if window_readout is not None:
            window_readout = check_param(_WINDOW_READOUT, window_readout, obj=self)
        self._window_readout = window_readout
        # what the population represents: transform @ memory state
        transform, self._window_scales = self._population_transform()
        self._transform = transform
        dims = transform.shape[0]
        if self.population == "array" and self.n_neurons < dims:
            raise ValidationError(
                f"Needs at least one neuron per state dimension ({dims})", "n_neurons", self
            )
        ens_kwargs.setdefault("max_rates", nengo.dists.Uniform(100, 120))
        if self.population == "array":
            ens_kwargs.setdefault("intercepts", nengo.dists.Uniform(-0.1, 0.1))
        elif self.population == "pairs":
            ens_kwargs.setdefault("encoders", PairEncoders())
            ens_kwargs.setdefault("intercepts", nengo.dists.Uniform(-0.3, 0.3))
        if self.population != "window":
            ens_kwargs.setdefault("eval_points", nengo.dists.Gaussian(0, 1 / memory.n_std))

        with self:
            self.error = nengo.Node(size_in=self.size_out, label="error")
            self.output = nengo.Node(size_in=self.size_out, label="output")
            # the gate reads self.learning (and the scale) on every step, so
            # they can be changed between runs of a simulator
            gate = nengo.Node(
                lambda t, error: self._gated_error(error),
                size_in=self.size_out,
                label="learning gate",
            )
            nengo.Connection(self.error, gate, synapse=None)
            if self.population == "array":
                array = nengo.networks.EnsembleArray(
                    self.n_neurons // dims,
                    dims,
                    neuron_type=self.neuron_type,
                    label="learning population",
                    **ens_kwargs,
                )
                self.learning_ensembles = list(array.ensembles)
                ens_input = array.input
            else:
                ensemble = nengo.Ensemble(
                    self.n_neurons,
                    dims,
                    neuron_type=self.neuron_type,
                    label="learning population",
                    **ens_kwargs,
                )
                self.learning_ensembles = [ensemble]
                ens_input = ensemble
            nengo.Connection(
                memory.output, ens_input, transform=transform, synapse=self.input_synapse
            )
            rate = self.learning_rate / self.weight_splits
            self.learned_connections = [
                self._learned_connection(ensemble, gate, rate)
                for ensemble in self.learning_ensembles
            ]
            if self.weight_splits > 1:
                # in a subnetwork: nengo draws the seeds of a network's
                # connections before its ensembles', so more connections here
                # would change the learning population's neurons
                with nengo.Network(label="weight splits"):
                    for ensemble in self.learning_ensembles:
                        self.learned_connections.extend(
                            self._learned_connection(ensemble, gate, rate)
                            for _ in range(self.weight_splits - 1)
                        )

    def _gated_error(self, error):
        """The error that reaches PES: scaled, rounded to ``error_step``, or zero."""
        if not self.learning:
            return np.zeros_like(error)
        error = self.learning_rate_scale * error
        if self.error_step is not None:
            error = self.error_step * np.round(error / self.error_step)
        return error

    def _learned_connection(self, ensemble, gate, learning_rate):
        """A connection from ``ensemble`` to ``output`` that starts at zero and learns."""
        connection = nengo.Connection(
            ensemble,
            self.output,
            function=lambda x: np.zeros(self.size_out),
            learning_rule_type=nengo.PES(learning_rate, pre_synapse=self.pre_synapse),
            synapse=self.synapse,
        )
        nengo.Connection(gate, connection.learning_rule, synapse=None)
        return connection

    @property
    def population_transform(self):
        """The matrix from the memory's state to what the population represents."""
        return self._transform.copy()

    @property
    def window_scales(self):
        """Multipliers from the population's values to the window samples.

        Each is its sample's spread times the memory's ``n_std``; None unless
        ``population="window"``.
        """
        return None if self._window_scales is None else self._window_scales.copy()

    @property
    def window_readout(self):
        """The readout of the window samples (``population="window"`` only, else None)."""
        return self._window_readout

    def _check_delays(self, delays):
        if self.population != "window":
            if delays is not None:
                raise ValidationError(
                    f"Only used with population='window' (population is "
                    f"{self.population!r})",
                    "delays",
                    self,
                )
            return None
        if delays is None:
            raise ValidationError(
                "population='window' needs the delays (seconds) of the window "
                "samples to represent",
                "delays",
                self,
            )
        delays = np.atleast_1d(
            check_in_interval("delays", delays, 0.0, self.memory.theta, obj=self)
        )
        if delays.ndim != 1 or delays.size == 0:
            raise ValidationError("Must be a non-empty list of delays", "delays", self)
        return delays

    def _population_transform(self):
        """The transform from the memory's state to what the population represents.

        Returns ``(transform, window_scales)``; ``window_scales`` is None
        unless ``population="window"``.
        """
        if self.population != "window":
            return self._whitening_transform(), None
        # the window samples, each scaled to a spread of 1 / n_std
        if self.window_readout == "least-squares":
            readout = least_squares_window_readout(self.memory, self.delays)
        else:
            readout = self.memory.readout_transform(self.delays)
        covariance = readout @ self.memory.full_state_covariance() @ readout.T
        std = np.sqrt(np.maximum(np.diag(covariance), 1e-12 * covariance.max()))
        scales = self.memory.n_std * std
        return np.diag(1 / scales) @ readout, scales

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
