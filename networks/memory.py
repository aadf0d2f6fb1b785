"""The Legendre memory as a Nengo network."""

import contextlib

import nengo
import numpy as np
from nengo.base import ProcessParam
from nengo.config import Config
from nengo.params import Default
from nengo.exceptions import ValidationError
from nengo.neurons import NeuronTypeParam
from nengo.params import BoolParam, EnumParam
from nengo.solvers import SolverParam
from nengo.synapses import SynapseParam

from nengo_lmu.legendre import discretize, legendre_ab, legendre_readout
from nengo_lmu.loihi.memory import (  # Mirrored: importable from here, as before
    LOIHI_MAX_RATES,
    Mirrored,  # noqa: F401
    build_loihi_memory,
    check_loihi_memory,
)

DEFAULT_NEURON_TYPE = nengo.SpikingRectifiedLinear()
from nengo_lmu.params import IntParam, NumberParam, check_in_interval, reject_bool
from nengo_lmu.principle3 import continuous_principle3, discrete_principle3
from nengo_lmu.builder import DiscretizedNetwork
from nengo_lmu.state_statistics import (
    bandlimited_state_covariance,
    bandlimited_state_std,
    state_covariance_from_process,
    whitening_transform,
)


def _base_neuron_type(neuron_type):
    """The rate model under a spiking wrapper (``RegularSpiking(X)`` -> ``X``)."""
    return getattr(neuron_type, "base_type", neuron_type)


def default_tuning(neuron_type):
    """Default intercepts and decoder solver of a state ensemble, by neuron type.

    - Rectified-linear neurons (rate or spiking) are linear above threshold:
      with intercepts just below the radius (``Uniform(-1.2, -1.0)``) they
      never leave that regime, so the decoders need almost no regularization
      (``reg=0.03``).
    - Stochastic spiking (``PoissonSpiking``, ``StochasticSpiking``) is
      dominated by spike noise, which regularization must suppress:
      nengo-style intercepts ``Uniform(-1, 0.5)`` and ``reg=0.3``.
    - Other deterministic neurons (LIF, ...) are most linear well above
      threshold: ``Uniform(-1.5, 0)`` and ``reg=0.03``.

    The choices come from the benchmark ``nengo-lmu bench spiking-memory``.
    """
    if isinstance(neuron_type, (nengo.PoissonSpiking, nengo.StochasticSpiking)):
        return nengo.dists.Uniform(-1.0, 0.5), nengo.solvers.LstsqL2(reg=0.3)
    if isinstance(_base_neuron_type(neuron_type), nengo.RectifiedLinear):
        return nengo.dists.Uniform(-1.2, -1.0), nengo.solvers.LstsqL2(reg=0.03)
    return nengo.dists.Uniform(-1.5, 0.0), nengo.solvers.LstsqL2(reg=0.03)


# measured lead of the decoded output of spiking nengo.LIF() (tau_rc 20 ms,
# tau_ref 2 ms) over its rate model, with default_tuning's LIF tuning: 2.0-2.2
# ms at 0.1-5 Hz, in open loop and inside a running memory
LIF_DEFAULT_LEAD = 0.0022


def default_lead(neuron_type, tuned_by_user):
    """How far (seconds) a population's decoded output leads its rate model.

    A spiking LIF neuron's spike is timed by its input over the integrating
    part of each interval, weighted towards the most recent input by the
    leak, while its rate model spreads the interval's rate evenly; decoded
    together, the spikes run ahead of the rate prediction. In a recurrent
    memory that systematic lead, which more neurons do not average away,
    turns into wrong dynamics. It depends on the rates, intercepts and time
    constants, so it is known (measured) only for plain ``nengo.LIF()`` with
    the default tuning; everything else gets 0 (rate neurons, regular or
    Poisson spiking wrappers and spiking rectified-linear neurons have no
    measurable lead).
    """
    if (
        type(neuron_type) is nengo.LIF  # pylint: disable=unidiomatic-typecheck
        and neuron_type.tau_rc == 0.02
        and neuron_type.tau_ref == 0.002
        and not tuned_by_user
    ):
        return LIF_DEFAULT_LEAD
    return 0.0


def enclosing_ensemble_config():
    """The ``nengo.Ensemble`` parameters set by the configs of the enclosing networks.

    As nengo's own networks do, a network made inside ``with net:`` takes what
    the user did not pass from ``net.config[nengo.Ensemble]`` (the innermost
    network that sets a parameter wins).

    Returns
    -------
    dict
        Parameter name -> value, for each parameter some enclosing config sets.
    """
    configured = {}
    for config in Config.context:  # outermost first: inner ones overwrite
        if nengo.Ensemble not in config.params:
            continue
        params = config[nengo.Ensemble]
        for name in params.default_params:
            if name in params:
                configured[name] = getattr(params, name)
    return configured


class LegendreMemory(DiscretizedNetwork):
    """A memory of the last ``theta`` seconds of its input, in Legendre form.

    Each input dimension gets a state ``m`` of ``order`` dimensions that obeys
    ``theta * dm/dt = A m + B u`` (see `nengo_lmu.legendre_ab`); the input
    ``r * theta`` seconds ago is ``legendre_readout(order, r) @ m``.

    With ``n_neurons=None`` the memory is ideal: a Node whose recurrent
    connection applies the exact zero-order-hold discretization
    (`nengo_lmu.discretize`), so that ``m[t] = Ad m[t - 1] + Bd u[t]`` with no
    neurons and no approximation beyond the Legendre basis itself. NengoDL
    can differentiate through it.

    With ``n_neurons=N`` the state is represented by ``N`` neurons per state
    dimension (``N * order * size_in`` in all), one ensemble per dimension,
    connected recurrently through ``synapse`` by principle 3
    (`nengo_lmu.discrete_principle3`), so that their decoded state follows
    the same ODE. Three choices make it accurate per neuron:

    - **Normalization.** The state's dimensions have very different ranges
      for the same input, so the ensembles represent the state whitened:
      rotated onto its principal axes and divided by ``n_std`` standard
      deviations of each, so that every ensemble uses its whole range. The spread is computed exactly for
      ``input_process`` (simulated, or from its spectrum for a
      ``WhiteSignal``); without one, it is the largest spread that any
      band-limited white input of RMS ``input_rms`` can cause.
    - **Linear tuning.** For a linear system, neurons that never leave their
      linear regime decode the state without distortion, leaving only spike
      noise. The default intercepts (``Uniform(-1.2, -1.0)``) keep
      rectified-linear neurons there over the whole radius, and the
      evaluation points follow the state's (Gaussian) distribution.
    - **Little regularization.** L2 regularization shrinks the decoded value;
      inside a recurrent loop that shrinkage compounds into wrong dynamics
      (nengo's default ``reg=0.1`` costs half again in error here), so the
      decoders of deterministic neurons use ``LstsqL2(reg=0.03)``.

    Other neuron types get the tuning that suits them (see `.default_tuning`).

    Spiking LIF neurons' decoded output leads their rate model by about 2 ms;
    principle 3 is corrected for that lead (``lead``, see `.default_lead`),
    which lowers the LIF memory's error by up to six times.

    The neural state lags the ideal one by one time step (the synapse's).
    Its decoded output is unfiltered, like that of `nengo.networks.EnsembleArray`:
    filter it downstream (for example with ``synapse``) before reading it.

    Parameters
    ----------
    order : int
        Number of Legendre dimensions per input dimension. The memory
        represents frequencies up to roughly ``order / (2 * theta)`` Hz.
    theta : float
        Length of the window in seconds.
    size_in : int
        Number of input dimensions; each gets a memory of its own.
    n_neurons : int or None
        Neurons per state dimension, or None for the ideal memory.
    neuron_type : nengo.neurons.NeuronType
        Neuron model of a neural memory (any nengo type: spiking, rate,
        ``PoissonSpiking(LIFRate())``, ``RegularSpiking(...)``, ...). Default:
        the enclosing networks' ``config[nengo.Ensemble].neuron_type`` if one
        sets it, else ``nengo.SpikingRectifiedLinear()`` (linear above
        threshold, the most accurate per neuron for a linear system, and a
        neuron the Loihi chip has).
    synapse : float or nengo.Lowpass
        Synapse of a neural memory's recurrent and input connections; only
        ``Lowpass`` (the synapse every backend runs) can be mapped.
    mapping : {"discrete", "continuous"}
        Form of principle 3. ``"discrete"`` (default) is exact at the
        simulator's ``dt``; ``"continuous"`` (``A' = tau A + I``) is the classic
        form, with an error of order ``dt / tau`` in the dynamics.
    normalization : {"whiten", "scale", "none"}
        How the state is mapped onto the ensembles: ``"whiten"`` (default)
        rotates and scales it so that the represented dimensions are
        uncorrelated with equal spread, which makes the errors of the
        ensembles spread evenly over every readout of the window; ``"scale"``
        divides each dimension by its spread; ``"none"`` represents the raw
        state (radius 1), as hand-built memories do.
    input_process : nengo.Process or None
        The kind of input the memory will see, used to compute the state's
        spread. Without it, ``input_rms`` is used.
    input_rms : float
        Without ``input_process``, the RMS of the input the memory is sized
        for (the default 0.3 keeps a Gaussian input within [-1, 1]).
    n_std : float
        How many standard deviations of its dimension each ensemble's radius
        covers.
    solver : nengo.solvers.Solver or None
        Solver of the decoders of the state; None picks one by neuron type
        (see `.default_tuning`).
    lead : float or None
        Seconds by which the neurons' decoded output leads their rate model;
        principle 3 compensates it. None (default) uses `.default_lead`:
        2.2 ms for ``nengo.LIF()`` with the default tuning, else 0. Pass a
        measured value for LIF neurons tuned otherwise.
    layout : {"array", "single"}
        ``"array"`` (default): one ensemble per state dimension;
        ``"single"``: one ensemble of ``n_neurons * order`` neurons per memory
        representing all its dimensions (less accurate for a linear system,
        see the benchmark).
    loihi : bool
        Build the neural memory so that it runs on Loihi (``"loihi-sim"`` or
        ``"loihi"``); it runs unchanged on the other backends too. The plain
        build cannot: nengo-loihi replaces the ensemble array's passthrough
        Nodes by one connection per pair of ensembles, each through decode
        neurons of its own, and the weak ones cannot be discretized ("Could
        not find appropriate weight exponent"). The Loihi-ready build has,
        per memory, an input ensemble (``input_ensembles``; a connection
        from a Node would be filtered on the host and again on the chip) and
        one state ensemble of ``n_neurons * order`` neurons, each tuned to
        one state dimension (an ensemble array in one object), connected by
        neuron-to-neuron weights (``weights=True`` solvers): one synapse for
        the whole recurrence, as nengo-loihi 1.1 gives each synapse into a
        block its own weight exponent, clipped at -6, which scales up
        synapses much weaker than the block's strongest. Neurons come in
        mirrored pairs (`.Mirrored`), so that rounding the weights cannot
        turn the pairs' common activity into an offset; the default maximum
        rates are ``Uniform(40, 60)``, as on the chip a rate can only be
        ``1 / (k dt)``, a coarse scale at 100 Hz (see ``nengo-lmu bench
        loihi-mapping``). Requires what the chip requires: a neuron type it
        has (`nengo_lmu.loihi.CHIP_NEURON_TYPES`), ``dt=0.001``, intercepts
        below nengo-loihi's limit (0.95), rates up to 500 Hz; and an even
        ``n_neurons``. Ignored for an ideal memory, which has no neurons.
        A plain neural memory gets this form anyway when nengo-loihi builds it
        (with a warning; see `nengo_lmu.loihi.build`): ``loihi=True`` gives it
        on every backend.
    dt : float
        Time step the network's objects are made for, in seconds. Any
        simulator (nengo's, NengoDL's, nengo-loihi's, `nengo_lmu.Simulator`)
        builds it for its own step instead (see `nengo_lmu.builder`), without
        changing these objects; a step-dependent transform changed since it was
        made (trained, edited) is refused at another step.
    method : {"zoh", "euler"}
        Discretization method (see `nengo_lmu.discretize`).
    label : str
        A name for the network.
    seed : int
        Seed for the network's random number generator.
    add_to_container : bool
        Whether to add the network to the current context.
    **ens_kwargs
        Passed to each state ensemble of a neural memory, overriding the
        defaults above (``max_rates=Uniform(100, 120)``, ``intercepts`` by
        neuron type, ``eval_points=Gaussian(0, 1 / n_std)``).

    Notes
    -----
    As nengo's own networks do, what is not passed follows the enclosing
    networks' ``config[nengo.Ensemble]`` (``neuron_type``, ``max_rates``,
    ``intercepts``, ``gain``, ``noise``, ...; the innermost network that sets a
    parameter wins), and explicit arguments win over the config. Where
    neither sets them, the memory chooses its tuning itself, because a
    recurrent linear system needs it: ``max_rates=Uniform(100, 120)``
    (``Uniform(40, 60)`` in the Loihi-ready form), intercepts and decoder
    solver by neuron type (`.default_tuning`: neurons kept in their linear
    regime, little regularization), evaluation points from the state's
    distribution, and the LIF lead correction (`.default_lead`, only for
    untuned ``nengo.LIF()``). A config's value is taken as given: its tuning
    is not corrected.

    Attributes
    ----------
    input : nengo.Node
        The signal to remember (``size_in`` dimensions).
    output : nengo.Node
        The memory state (``order * size_in`` dimensions); dimensions
        ``k * order`` to ``(k + 1) * order`` hold the memory of input ``k``.
    A, B : ndarray
        The continuous system (``1 / theta`` folded in).
    Ad, Bd : ndarray
        The discrete system that the network runs.
    state_transform : ndarray or None
        For a neural memory, ``S`` such that ``m = S z`` for the represented
        (normalized) state ``z``, per input dimension.
    applied_lead : float
        The lead (seconds) principle 3 was corrected for (0 if none).
    state_ensembles : list of nengo.Ensemble
        The neurons of a neural memory (empty for an ideal one).
    input_ensembles : list of nengo.Ensemble
        Of a Loihi-ready memory (``loihi=True``): the ensembles through which
        each input dimension enters the chip (else empty).

    Examples
    --------
    Delay a white noise signal by 0.2 seconds:

    >>> import nengo
    >>> from nengo_lmu.networks import LegendreMemory
    >>> with nengo.Network(seed=0) as model:
    ...     stim = nengo.Node(nengo.processes.WhiteSignal(2.0, high=2))
    ...     memory = LegendreMemory(order=6, theta=0.5)
    ...     conn = nengo.Connection(stim, memory.input, synapse=None)
    ...     delayed = memory.add_delays([0.2])
    ...     probe = nengo.Probe(delayed)
    >>> memory.output.size_out
    6
    """

    #: how `nengo_lmu.loihi.checks` recognises a memory, and its subclasses,
    #: without importing the networks (which import it)
    is_legendre_memory = True

    order = IntParam("order", low=1, readonly=True)
    theta = NumberParam("theta", low=0, low_open=True, readonly=True)
    size_in = IntParam("size_in", low=1, readonly=True)
    dt = NumberParam("dt", low=0, low_open=True, readonly=True)
    method = EnumParam("method", values=("zoh", "euler"), readonly=True)
    n_neurons = IntParam("n_neurons", low=1, optional=True, readonly=True)
    neuron_type = NeuronTypeParam("neuron_type", readonly=True)
    synapse = SynapseParam("synapse", readonly=True)
    mapping = EnumParam("mapping", values=("discrete", "continuous"), readonly=True)
    normalization = EnumParam(
        "normalization", values=("scale", "whiten", "none"), readonly=True
    )
    input_process = ProcessParam("input_process", optional=True, readonly=True)
    input_rms = NumberParam("input_rms", low=0, low_open=True, readonly=True)
    n_std = NumberParam("n_std", low=0, low_open=True, readonly=True)
    solver = SolverParam("solver", optional=True, readonly=True)
    layout = EnumParam("layout", values=("array", "single"), readonly=True)
    lead = NumberParam("lead", optional=True, readonly=True)
    loihi = BoolParam("loihi", readonly=True)

    def __init__(
        self,
        order,
        theta,
        size_in=1,
        n_neurons=None,
        neuron_type=Default,
        synapse=0.1,
        mapping="discrete",
        normalization="whiten",
        input_process=None,
        input_rms=0.3,
        n_std=3.0,
        solver=None,
        layout="array",
        lead=None,
        loihi=False,
        dt=0.001,
        method="zoh",
        label=None,
        seed=None,
        add_to_container=None,
        **ens_kwargs,
    ):
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        for name, value in (("order", order), ("size_in", size_in), ("n_neurons", n_neurons)):
            reject_bool(name, value, obj=self)
        self.order = order
        self.theta = theta
        self.size_in = size_in
        self.n_neurons = n_neurons
        # what the user did not pass follows the enclosing networks' config;
        # kept explicit, so that a build (outside those networks) sees it too
        configured = enclosing_ensemble_config()
        configured_type = configured.pop("neuron_type", DEFAULT_NEURON_TYPE)
        self.neuron_type = configured_type if neuron_type is Default else neuron_type
        ens_kwargs = {**configured, **ens_kwargs}
        try:
            self.synapse = synapse
        except ValidationError as error:
            raise ValidationError(f"Invalid synapse: {error}", "synapse", self) from error
        if not type(self.synapse) is nengo.Lowpass:  # pylint: disable=unidiomatic-typecheck
            raise ValidationError(
                f"Principle 3 maps the memory onto a Lowpass synapse only "
                f"(got {self.synapse}); use a number or nengo.Lowpass(tau)",
                "synapse",
                self,
            )
        self.mapping = mapping
        self.normalization = normalization
        self.input_process = input_process
        self.input_rms = input_rms
        self.n_std = n_std
        self.solver = solver
        self.layout = layout
        self.lead = lead
        self.loihi = loihi
        self.dt = dt
        self.method = method
        if self.loihi and self.n_neurons is not None:
            check_loihi_memory(self, ens_kwargs, self.dt)
        self._ens_kwargs = ens_kwargs

        self.A, self.B = legendre_ab(self.order, self.theta)
        self.Ad, self.Bd = discretize(self.A, self.B, self.dt, method=self.method)
        self.state_transform = None
        self.state_ensembles = []
        self.input_ensembles = []
        self.applied_lead = 0.0
        self._state_covariance = None
        if self.n_neurons is not None:
            self.state_transform = self._normalizing_transform()

        with self:
            self.input = nengo.Node(size_in=self.size_in, label="input")
            self.output = nengo.Node(size_in=self.order * self.size_in, label="state")
            self._build_core(self.dt, self.loihi)

    def _build_core(self, dt, loihi):
        """Make the memory's dynamics for step ``dt`` (inside ``with self:``).

        Records the objects made (`loihi_form` swaps them) and the
        step-dependent connections (`discretized_transforms`).
        """
        before = {cls: set(objs) for cls, objs in self.objects.items()}
        if self.n_neurons is None:
            roles = self._build_ideal(dt)
        else:
            roles = self._build_neural(dt, loihi)
        self._core_objects = {
            cls: [obj for obj in objs if obj not in before.get(cls, ())]
            for cls, objs in self.objects.items()
        }
        self._discretized_roles = roles
        self.record_discretized(self._role_transforms(roles, dt, loihi), dt)
        self._core_loihi = loihi

    def _role_transforms(self, roles, dt, loihi):
        if self.n_neurons is None:
            matrices = dict(zip(("A", "B"), discretize(self.A, self.B, dt, method=self.method)))
        else:
            A, B, _ = self._mapped_system(dt, self._neural_kwargs(loihi)[1])
            matrices = {"A": A, "B": B}
        return {conn: matrices[role] for conn, role in roles}

    def discretized_transforms(self, dt):
        """The transforms of the memory's step-dependent connections at step ``dt``.

        ``Ad`` and ``Bd`` of an ideal memory; principle 3's recurrent and
        input transforms of a neural one (with ``mapping="discrete"``; the
        continuous mapping does not depend on the step).
        """
        return self._role_transforms(self._discretized_roles, dt, self._core_loihi)

    def loihi_form_problem(self, dt=0.001):
        """Why this memory cannot take its Loihi-ready form (``loihi=True``) at ``dt``, or None."""
        if self.n_neurons is None:
            return "an ideal memory (n_neurons=None) has no neurons to put on the chip"
        try:
            check_loihi_memory(self, self._ens_kwargs, dt)
        except ValidationError as error:
            return str(error)
        return None

    @contextlib.contextmanager
    def loihi_form(self, dt=0.001):
        """Context in which the memory has its Loihi-ready form (as ``loihi=True`` builds it).

        nengo-loihi's build uses it (`nengo_lmu.loihi.build`); on exit the
        memory gets its own objects and attributes back.

        Raises
        ------
        nengo.exceptions.ValidationError
            If it cannot (`loihi_form_problem`).
        """
        problem = self.loihi_form_problem(dt)
        if problem is not None:
            raise ValidationError(problem, attr="loihi", obj=self)
        saved_objects = {cls: list(objs) for cls, objs in self.objects.items()}
        saved = {
            name: getattr(self, name)
            for name in ("state_ensembles", "input_ensembles", "applied_lead", "_core_objects",
                         "_discretized_roles", "_discretized", "_core_dt", "_core_loihi")
        }
        try:
            for cls, objs in self._core_objects.items():
                core = set(objs)
                self.objects[cls][:] = [obj for obj in self.objects[cls] if obj not in core]
            self.state_ensembles, self.input_ensembles = [], []
            with self:
                self._build_core(dt, loihi=True)
            yield
        finally:
            for cls, objs in saved_objects.items():
                self.objects[cls][:] = objs
            for name, value in saved.items():
                setattr(self, name, value)

    def _memory_slices(self):
        """The slice of the state belonging to each input dimension."""
        return [slice(k * self.order, (k + 1) * self.order) for k in range(self.size_in)]

    def _build_ideal(self, dt):
        Ad, Bd = discretize(self.A, self.B, dt, method=self.method)
        roles = []
        # one pair of connections per input dimension: the memories are
        # independent, and block-diagonal weights would cost size_in**2
        for k, part in enumerate(self._memory_slices()):
            state = self.output[part]
            conn = nengo.Connection(self.input[k], state, transform=Bd, synapse=None)
            roles.append((conn, "B"))
            # synapse=0 delays by one step: this reads m[t - 1]
            conn = nengo.Connection(state, state, transform=Ad, synapse=0)
            roles.append((conn, "A"))
        return roles

    def state_covariance(self):
        """Expected covariance of one memory's state (``order x order``).

        Computed once (the memory's parameters are read-only): for a general
        ``input_process`` it takes a simulation.

        From ``input_process`` if given (exactly for a ``WhiteSignal``, by
        simulation otherwise). Without one, the standard deviations are the
        worst case over band-limited white inputs of RMS ``input_rms`` (see
        `nengo_lmu.state_statistics`), and the correlations those of white input over
        the memory's band.
        """
        if self._state_covariance is None:
            self._state_covariance = self._compute_state_covariance()
            self._state_covariance.setflags(write=False)  # shared by every caller
        return self._state_covariance

    def full_state_covariance(self):
        """Expected covariance of the whole state (``size_out x size_out``).

        The memories of the input dimensions are independent: block diagonal.
        """
        return np.kron(np.eye(self.size_in), self.state_covariance())

    def _compute_state_covariance(self):
        process = self.input_process
        if isinstance(process, nengo.processes.WhiteSignal):
            return bandlimited_state_covariance(self.A, self.B, process.rms, process.high)
        if process is not None:
            duration = max(200 * self.theta, 20.0)
            return state_covariance_from_process(
                self.Ad, self.Bd, process, self.dt, duration
            )
        # beyond ~order/theta Hz the memory's response has fallen off
        f_max = 2 * self.order / self.theta
        std = bandlimited_state_std(self.A, self.B, self.input_rms, f_max, worst_case=True)
        band = bandlimited_state_covariance(self.A, self.B, 1.0, f_max)
        band_std = np.sqrt(np.diag(band))
        return band / np.outer(band_std, band_std) * np.outer(std, std)

    def _normalizing_transform(self):
        """``S`` such that the state ``m = S z`` and ``z`` fits within radius 1."""
        if self.normalization == "none":
            return np.eye(self.order)
        covariance = self.state_covariance()
        if self.normalization == "scale":
            return np.diag(self.n_std * np.sqrt(np.diag(covariance)))
        return whitening_transform(covariance, self.n_std)

    def _neural_kwargs(self, loihi):
        """The state ensembles' keyword arguments, and the lead to correct for."""
        ens_kwargs = dict(self._ens_kwargs)
        if loihi:
            # Loihi's spike periods are whole steps, so a neuron's rate takes
            # the values 1/(k dt) only: 8-10% apart at 100-120 Hz, 2-2.5% at
            # 40-60 Hz, where the memory's state error on the emulator comes
            # within 2x of nengo's on the same network (see loihi_bench)
            ens_kwargs.setdefault("max_rates", LOIHI_MAX_RATES)
        lead = self.lead
        if lead is None:
            tuned = {"max_rates", "intercepts", "gain", "bias"} & set(ens_kwargs)
            lead = default_lead(self.neuron_type, tuned_by_user=bool(tuned))
        intercepts, _ = default_tuning(self.neuron_type)
        ens_kwargs.setdefault("max_rates", nengo.dists.Uniform(100, 120))
        ens_kwargs.setdefault("intercepts", intercepts)
        return ens_kwargs, lead

    def _mapped_system(self, dt, lead):
        """Principle 3's recurrent and input transforms (represented coordinates) at ``dt``."""
        S = self.state_transform
        S_inv = np.linalg.inv(S)
        # the continuous system in the represented coordinates
        A_z, B_z = S_inv @ self.A @ S, S_inv @ self.B
        if self.mapping == "discrete":
            Ad, Bd = discretize(self.A, self.B, dt, method=self.method)
            A, B = discrete_principle3(S_inv @ Ad @ S, S_inv @ Bd, self.synapse.tau, dt)
        else:
            A, B = continuous_principle3(A_z, B_z, self.synapse.tau)
        if lead != 0:
            # the output is x + lead * dx/dt: fold that into the mapping
            A = A @ np.linalg.inv(np.eye(self.order) + lead * A_z)
            B = B - lead * A @ B_z
        return A, B, lead

    def _build_neural(self, dt, loihi):
        S = self.state_transform
        ens_kwargs, lead = self._neural_kwargs(loihi)
        A, B, self.applied_lead = self._mapped_system(dt, lead)
        _, solver = default_tuning(self.neuron_type)
        # the decoders of the state are those of every connection made here
        self.config[nengo.Connection].solver = solver if self.solver is None else self.solver

        if loihi:
            return build_loihi_memory(self, A, B, S, ens_kwargs)
        roles = []
        for k, part in enumerate(self._memory_slices()):
            if self.layout == "array":
                ens_kwargs.setdefault("eval_points", nengo.dists.Gaussian(0, 1 / self.n_std))
                array = nengo.networks.EnsembleArray(
                    self.n_neurons,
                    self.order,
                    neuron_type=self.neuron_type,
                    label=f"state ensembles {k}",
                    **ens_kwargs,
                )
                self.state_ensembles.extend(array.ensembles)
                ens_in, ens_out = array.input, array.output
            else:
                # radius sqrt(order): z's norm is about sqrt(order) / n_std
                radius = np.sqrt(self.order)
                ens_kwargs.setdefault(
                    "eval_points", nengo.dists.Gaussian(0, 1 / (self.n_std * radius))
                )
                ensemble = nengo.Ensemble(
                    self.n_neurons * self.order,
                    self.order,
                    radius=radius,
                    neuron_type=self.neuron_type,
                    label=f"state ensemble {k}",
                    **ens_kwargs,
                )
                self.state_ensembles.append(ensemble)
                ens_in = ens_out = ensemble
            conn = nengo.Connection(self.input[k], ens_in, transform=B, synapse=self.synapse)
            roles.append((conn, "B"))
            conn = nengo.Connection(ens_out, ens_in, transform=A, synapse=self.synapse)
            roles.append((conn, "A"))
            nengo.Connection(ens_out, self.output[part], transform=S, synapse=None)
        return roles

    @property
    def size_out(self):
        """Dimensionality of the memory state (``order * size_in``)."""
        return self.order * self.size_in

    def readout_transform(self, delays):
        """The transform from the state to the input ``delays`` seconds ago.

        Parameters
        ----------
        delays : float or array_like
            Delays in seconds, each in ``[0, theta]``.

        Returns
        -------
        transform : (len(delays) * size_in, order * size_in) ndarray
            Row ``k * len(delays) + j`` reads input dimension ``k`` delayed by
            ``delays[j]``.
        """
        delays = check_in_interval("delays", delays, 0.0, self.theta, obj=self)
        if delays.size == 0:
            raise ValidationError("Must give at least one delay", attr="delays", obj=self)
        readout = legendre_readout(self.order, np.atleast_1d(delays) / self.theta)
        return np.kron(np.eye(self.size_in), readout)

    def add_delays(self, delays, label="delays"):
        """Add a Node that outputs the input delayed by each of ``delays``.

        Parameters
        ----------
        delays : float or array_like
            Delays in seconds, each in ``[0, theta]``.
        label : str
            Label of the new Node.

        Returns
        -------
        nengo.Node
            ``len(delays) * size_in`` dimensions, ordered as in
            `.readout_transform`.
        """
        transform = self.readout_transform(delays)
        with self:
            node = nengo.Node(size_in=transform.shape[0], label=label)
            nengo.Connection(self.output, node, transform=transform, synapse=None)
        return node

    def window(self, state, r):
        """The input at relative delays ``r`` read from a memory ``state``.

        Parameters
        ----------
        state : (order * size_in,) array_like
            A memory state, as output by ``self.output``.
        r : float or (n,) array_like
            Relative delays in ``[0, 1]`` (0 is now, 1 is ``theta`` ago).

        Returns
        -------
        (n,) or (n, size_in) ndarray
            ``u(t - r * theta)``; one column per input dimension if
            ``size_in > 1``.
        """
        readout = legendre_readout(self.order, np.atleast_1d(r))
        window = readout @ np.reshape(state, (self.size_in, self.order)).T
        return window[:, 0] if self.size_in == 1 else window

    def add_output(self, function, r=None, n_neurons=None, synapse=0.01, label="window output"):
        """Add a Node that outputs ``function`` of the window of past input.

        Like nengolib's ``RollingWindow.add_output``: ``function`` receives
        the window ``u(t - r * theta)`` at the relative delays ``r`` (see
        `.window`) and returns the output. Linear functions are cheaper and
        exact as `.add_delays`.

        On a neural memory, the function is decoded from a readout ensemble
        of ``n_neurons`` neurons (default 100 per represented dimension), fed
        through ``synapse``. It represents the window samples themselves when
        there are fewer of them than state dimensions (a product of two
        delays needs a 2-D ensemble, not an ``order``-D one), else the state;
        either whitened by its expected covariance. On an ideal memory, a Node
        computes the function exactly.

        Parameters
        ----------
        function : callable
            ``function(window) -> array_like`` (a scalar for a 1-D output).
        r : (n,) array_like, optional
            Relative delays of the window's samples; default 100 points
            evenly spread over ``[0, 1]``.
        n_neurons : int, optional
            Neurons of the readout ensemble (neural memories only).
        synapse : float or nengo.synapses.Synapse
            Filter of the state fed to the readout ensemble (neural only).
        label : str
            Label of the new Node.

        Returns
        -------
        nengo.Node
            The function's output (unfiltered on a neural memory).
        """
        r = check_in_interval(
            "r", np.linspace(0, 1, 100) if r is None else r, 0.0, 1.0, obj=self
        )
        if not callable(function):
            raise ValidationError(f"Must be callable (got {function!r})", "function", self)

        def window_function(state):
            return np.atleast_1d(function(self.window(state, r)))

        try:
            size_out = window_function(np.zeros(self.size_out)).size
        except Exception as error:  # the user's function; say whose fault it is
            raise ValidationError(
                f"Calling the function on a window of zeros failed: {error!r}",
                "function",
                self,
            ) from error

        with self:
            node = nengo.Node(size_in=size_out, label=label)
            if self.n_neurons is None:
                compute = nengo.Node(
                    lambda t, state: window_function(state),
                    size_in=self.size_out,
                    size_out=size_out,
                    label=f"{label} function",
                )
                nengo.Connection(self.output, compute, synapse=None)
                nengo.Connection(compute, node, synapse=None)
                return node

            # represent y with m -> y = W^-1 G m, where G m is the window or
            # the state, whichever is smaller, and W whitens it
            window_map = np.kron(np.eye(self.size_in), legendre_readout(self.order, r))
            represent_window = window_map.shape[0] < window_map.shape[1]
            G = window_map if represent_window else np.eye(self.size_out)
            covariance = G @ self.full_state_covariance() @ G.T
            W = whitening_transform(covariance, self.n_std)
            # y -> the memory state that gives the same window
            if represent_window:
                to_state = np.linalg.pinv(window_map) @ W
            else:
                to_state = W

            dims = G.shape[0]
            radius = 1.25 * np.sqrt(dims) / self.n_std  # the typical norm, and some
            readout = nengo.Ensemble(
                n_neurons if n_neurons is not None else 100 * dims,
                dims,
                radius=radius,
                neuron_type=self.neuron_type,
                max_rates=nengo.dists.Uniform(100, 120),
                eval_points=nengo.dists.Gaussian(0, 1 / (self.n_std * radius)),
                label=f"{label} ensemble",
            )
            nengo.Connection(
                self.output, readout, transform=np.linalg.solve(W, G), synapse=synapse
            )
            nengo.Connection(
                readout,
                node,
                function=lambda y: window_function(to_state @ y),
                synapse=None,
            )
        return node
