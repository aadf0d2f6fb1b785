"""Export nengo networks to NIR, the Neuromorphic Intermediate Representation, and back.

`NIR <https://neuroir.org>`_ (the ``nir`` package, an extra:
``pip install nengo-lmu[nir]``) is the format through which Loihi 2 (Lava),
SpiNNaker2, SynSense chips and simulators such as Norse exchange spiking
networks. `export_nir` turns a spiking network (for example a
`.LegendreMemory` with ``nengo.LIF(tau_ref=0, min_voltage=-np.inf)``
neurons, or a trained `.LMUCell` deployed for spikes by
`nengo_lmu.training.deployment.deploy`) into a ``nir.NIRGraph``;
`save_nir` writes it to a file; `import_nir` turns a graph of ``LIF``/
``CubaLIF``/``IF``/``I``/``LI``/``Linear``/``Affine``/``Input``/``Output``
nodes back into a ``nengo.Network``.

The mapping (nengo -> NIR), from the built model, so every number is the
one nengo simulates:

- Each ``Ensemble`` becomes one population: ``CubaLIF`` if its inputs pass
  through a ``Lowpass(tau)`` synapse (``tau_syn`` from ``tau``), ``LIF`` if
  they are unfiltered (``synapse=None``). ``v_threshold=1``, ``v_reset=0``,
  ``r=1``; the ensemble's bias current is ``v_leak``: nengo's
  ``tau_rc dv/dt = J - v`` with ``J = bias + input`` is NIR's
  ``tau_mem dv/dt = (v_leak - v) + r I``.
- An ``Ensemble`` of ``nengo.SpikingRectifiedLinear`` (a deployed cell's
  hidden layer) becomes NIR's integrate-and-fire ``IF`` (``r=1``,
  ``v_threshold=1``, ``v_reset=0``), its inputs unfiltered; ``IF`` has no
  leak to hold the bias, so the first of its input ``Linear`` nodes is an
  ``Affine`` whose ``bias`` is the ensemble's. What a consumer runs is not
  nengo's neuron: nengo rectifies the current (``v += max(J, 0) dt``),
  resets by subtraction (keeping the overshoot) and may spike more than once
  per step; NIR's ``IF`` integrates negative currents too (no floor),
  resets to ``v_reset`` and spikes at most once per step (`NIRIF` is that
  neuron in nengo). No NIR primitive holds nengo's; the population's
  metadata records it (``nengo_neuron_type``) for `import_nir`.
- A state Node (one that feeds itself through ``synapse=0``, with its other
  inputs unfiltered: the ideal `.LegendreMemory`'s ``output``, whose
  zero-order-hold step is ``m[t] = Ad m[t-1] + Bd u[t]``) becomes NIR's
  integrator ``I`` (``r = 1``) with a recurrent ``Linear`` of
  ``(Ad - 1) / dt`` and an input ``Linear`` of ``Bd / dt``: one Euler step of
  ``dv/dt = (Ad - 1) / dt v + Bd / dt u`` is nengo's step exactly, the loop
  reading the previous step as NIR's consumers run loops. A ``synapse=0``
  connection from an ``IF`` population to itself is such a loop too.
- An output read through a ``Lowpass(tau)`` (a deployed cell's readout)
  gets NIR's leaky integrator ``LI`` (``tau`` as below, ``r=1``,
  ``v_leak=0``) in front of it.
- Every path of connections between two populations (through passthrough
  Nodes, decoders, transforms, slices, encoders and gains) is composed
  into one ``Linear`` node of neuron-to-neuron weights
  ``gain * encoders @ transform @ decoders`` (summed over parallel paths).
- A passthrough Node that nothing in the network feeds is an ``Input``;
  one that feeds nothing is an ``Output``; others are composed away
  (``inputs=`` and ``outputs=`` choose them, for example a NengoDL-style
  model's input Node, whose output is a placeholder).
- Weight convention: a spike is the value 1 for one step (nengo's is
  ``1 / dt``), the input ``S`` of NIR's equations, with ``r = 1`` (as Norse
  reads it): every weight from a population is nengo's times ``1 / dt``;
  weights from an ``Input``, an ``I`` or an ``LI`` are nengo's (and into an
  ``I`` divided by ``dt``). (One Euler step of
  ``tau_syn dI/dt = -I + w S`` with the time constants below is then
  nengo's synapse step ``y = a y + (1 - a) u`` exactly.)
- Time constants (``time_constants="euler"``, the default): NIR's equations
  are continuous, but its consumers step them with forward Euler at their
  ``dt``, and nengo steps them exactly (zero-order hold). The exported
  ``tau_mem`` and ``tau_syn`` are ``dt / (1 - exp(-dt / tau))``, the time
  constants with which one Euler step equals nengo's exact step (20.5 ms
  for ``tau_rc=20 ms`` at 1 ms); ``time_constants="exact"`` exports nengo's
  own. Both ``dt`` and the convention are in the graph's ``metadata``
  (``dt``, ``time_constants``, ``spike_value``, ``weight_convention``,
  ``reset``), and `import_nir` reads them back.
- Nengo's initial voltages are kept in each population's ``metadata``
  (``nengo_initial_voltage``), so that `import_nir` restores them; NIR
  consumers start from their own (Norse: ``LIF`` at ``v_leak``, ``IF`` at
  ``v_reset``).
- Timing: nengo's ``Lowpass`` synapses delay their input by one step, NIR's
  consumers' synapses (``CubaLIF``, ``LI``) do not; in a loop both read the
  previous step, so they agree there, but a consumer runs a filtered path
  from an ``Input`` (or into an ``Output``) one step ahead of nengo.
  Unfiltered paths (a deployed cell's input, memory and hidden layer) are
  in step.

What NIR cannot hold, refused with a `~nengo.exceptions.ValidationError`
saying what to change:

- a refractory period (``tau_ref > 0``: build with ``tau_ref=0``) and a
  voltage floor (``min_voltage > -inf``: build with
  ``min_voltage=-np.inf``); NIR's neurons have neither;
- neuron types other than ``nengo.LIF`` and ``nengo.SpikingRectifiedLinear``
  (rate neurons do not spike), spikes of an amplitude other than 1, and a
  synapse into a ``SpikingRectifiedLinear`` population or a state Node
  other than their own ``synapse=0`` loop (``IF`` and ``I`` have no
  synaptic filter);
- synapses other than ``Lowpass`` (or none), two synapses in series on one
  path, different synapses into one population, and a ``synapse=0`` (a
  one-step delay) on a path into an ``Output``;
- learning rules whose weights are not given (`frozen_weights` reads the
  learned ones from a simulator; what only feeds a learning rule, such as
  a `.LearnedReadout`'s error and gate, is then left out), Nodes that
  compute a function, transforms other than dense ones, ensembles outside
  the exported network, and loops through Nodes only that are not a state
  Node's ``synapse=0`` loop.
"""

import os
import pathlib
import warnings

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.params import DT, NumberParam, check_param
from nengo_lmu.utils.files import atomic_write, check_output_path

#: stored in every exported graph's metadata
WEIGHT_CONVENTION = (
    "a spike is 1 for one step (S in tau_syn dI/dt = -I + w_in S); r = 1; "
    "weights from spikes are nengo's times 1/dt"
)
RESET = "to v_reset (0), no refractory period, no voltage floor"


class NIRLIF(nengo.LIF):
    """``nengo.LIF`` as NIR holds it, with decoders for the rates it really fires at.

    The neuron is ``nengo.LIF(tau_ref=0, min_voltage=-np.inf)``, stepped by
    nengo exactly as that one is (and exported as it): no refractory
    period, no voltage floor. What differs is its rate curve, which nengo
    uses to solve decoders. Without a refractory period, nengo's LIF (like
    every NIR consumer) resets to zero at the end of the step in which it
    crossed the threshold, so the time it overshot is lost and every
    interval between spikes is a whole number of steps:
    ``1 / (dt * (floor(period / dt) + 1))``, not ``LIFRate``'s
    ``1 / period``, about 5% lower at 100 Hz and 1 ms. Decoders solved for
    ``LIFRate``'s curve carry that gain error into a recurrent network:
    the order-6 memory's state NRMSE is 0.30 with ``nengo.LIF(tau_ref=0)``
    and 0.075 with this type (600 neurons, 20 s of 1 Hz white noise;
    ``nengo-lmu bench nir`` prints the latter).

    Parameters
    ----------
    tau_rc : float
        Membrane time constant, in seconds.
    dt : float
        The time step the network will run at, in seconds.
    initial_state : dict, optional
        As for ``nengo.LIF``.
    """

    dt = NumberParam("dt", low=0, low_open=True)

    def __init__(self, tau_rc=0.02, dt=0.001, initial_state=None):
        super().__init__(
            tau_rc=tau_rc, tau_ref=0, min_voltage=-np.inf, initial_state=initial_state
        )
        self.dt = dt

    def rates(self, x, gain, bias):
        """Firing rates for inputs ``x``: whole steps between spikes."""
        J = np.asarray(self.current(x, gain, bias), dtype=float)
        out = np.zeros_like(J)
        above = J > 1
        period = -self.tau_rc * np.log1p(-1.0 / J[above])
        out[above] = 1.0 / (self.dt * (np.floor(period / self.dt) + 1))
        return out


class NIRIF(nengo.neurons.NeuronType):
    """NIR's integrate-and-fire neuron ``IF``, stepped as NIR's consumers step it.

    Each step, ``v += J * dt`` (no rectification: a negative current lowers
    ``v``, without a floor); a neuron whose ``v`` exceeds 1 emits one spike
    (``1 / dt``, nengo's spike of value 1) and is reset to 0. This is what
    ``nengo.SpikingRectifiedLinear`` (exported as ``IF``) becomes in a NIR
    consumer: nengo's neuron rectifies its current, keeps the overshoot
    (reset by subtraction) and may spike more than once per step.
    `import_nir` builds ``IF`` populations with it when asked for NIR's
    equations (``nengo_neurons=False``). It runs on the ``nengo`` backend.

    Parameters
    ----------
    dt : float
        The time step the network will run at, in seconds (for `rates`).
    rectify : bool
        Add ``max(J, 0) * dt`` instead, as nengo's neuron does (not NIR's
        ``IF``: for measuring what the rectification alone is worth).
    initial_state : dict, optional
        Initial ``voltage`` (default 0).
    """

    state = {"voltage": nengo.dists.Choice([0.0])}
    spiking = True
    dt = NumberParam("dt", low=0, low_open=True)
    rectify = nengo.params.BoolParam("rectify")

    def __init__(self, dt=0.001, rectify=False, initial_state=None):
        super().__init__(initial_state=initial_state)
        self.dt = dt
        self.rectify = rectify

    def rates(self, x, gain, bias):
        """Firing rates for inputs ``x``: whole steps to pass the threshold."""
        J = np.asarray(self.current(x, gain, bias), dtype=float)
        out = np.zeros_like(J)
        above = J > 0
        out[above] = 1.0 / (self.dt * (np.floor(1.0 / (J[above] * self.dt)) + 1))
        return out

    def step(self, dt, J, output, voltage):
        """One forward-Euler step of ``dv/dt = J``, reset to 0 above 1."""
        voltage += (np.maximum(J, 0) if self.rectify else J) * dt
        spiked = voltage > 1
        output[...] = spiked / dt
        voltage[spiked] = 0.0


def _nir():
    try:
        import nir  # pylint: disable=import-outside-toplevel
    except ImportError as error:  # an optional extra
        raise ImportError(
            "NIR export needs the 'nir' package, which is not installed: "
            "pip install nengo-lmu[nir] (or 'make install' in a checkout)"
        ) from error
    return nir


def euler_tau(tau, dt):
    """The time constant whose forward-Euler step at ``dt`` is ``tau``'s exact step."""
    return dt / -np.expm1(-dt / np.asarray(tau, dtype=float))


def exact_tau(tau, dt):
    """The inverse of `euler_tau`: the exact time constant of an Euler one."""
    return -dt / np.log1p(-dt / np.asarray(tau, dtype=float))


# --- export -----------------------------------------------------------------


def _selection(size, index):
    """The matrix that picks ``index`` (a slice or indices) out of ``size`` values."""
    return np.eye(size)[index]


def _is_if(neuron_type):
    """Whether ``neuron_type`` is exported as NIR's integrate-and-fire ``IF``."""
    exact = nengo.SpikingRectifiedLinear  # a subclass may step otherwise
    return type(neuron_type) is exact  # pylint: disable=unidiomatic-typecheck


def _neuron_problem(neuron_type):
    if _is_if(neuron_type):
        if neuron_type.amplitude != 1:
            return f"NIR spikes have amplitude 1 (got amplitude={neuron_type.amplitude:g})"
        return None
    if type(neuron_type) not in (nengo.LIF, NIRLIF):
        return (
            f"NIR holds integrate-and-fire neurons (LIF, IF); {neuron_type} has no "
            f"NIR equivalent: use nengo.LIF(tau_ref=0, min_voltage=-np.inf) or "
            f"nengo.SpikingRectifiedLinear()"
        )
    if neuron_type.tau_ref > 0:
        return (
            f"NIR neurons have no refractory period (got tau_ref="
            f"{neuron_type.tau_ref:g}): build with nengo.LIF(tau_ref=0, ...)"
        )
    if neuron_type.min_voltage > -np.inf:
        return (
            f"NIR neurons have no voltage floor (got min_voltage="
            f"{neuron_type.min_voltage:g}): build with "
            f"nengo.LIF(min_voltage=-np.inf, ...)"
        )
    if neuron_type.amplitude != 1:
        return f"NIR spikes have amplitude 1 (got amplitude={neuron_type.amplitude:g})"
    return None


def _synapse_key(synapse, conn):
    if synapse is None:
        return None
    if type(synapse) is not nengo.Lowpass:  # pylint: disable=unidiomatic-typecheck
        raise ValidationError(
            f"NIR filters a population's input by one exponential synapse only "
            f"(got {synapse} on {conn}): use nengo.Lowpass(tau) or synapse=None",
            "synapse",
            conn,
        )
    return float(synapse.tau)


def _live_connections(network, frozen):
    """The connections that carry signals once learning is frozen, and their Nodes.

    With a learned connection's weights in ``frozen``, what only feeds its
    learning rule (the error, a gate Node computing a function) no longer
    matters: such connections and Nodes are left out. A Node outside
    ``network`` that feeds it (or that it feeds) is an input (an output).
    A Node that a learned connection feeds is kept.
    """
    connections = list(network.all_connections)
    # what a learned connection feeds is what was learned: kept, even where
    # it also feeds the error
    learned_posts = {c.post_obj for c in frozen}
    dead_nodes = set()
    while True:
        alive = [
            c for c in connections
            if not isinstance(c.post_obj, nengo.connection.LearningRule)
            and c.post_obj not in dead_nodes
        ]
        feeding = {id(c.pre_obj) for c in alive}
        newly_dead = {
            c.pre_obj for c in connections
            if isinstance(c.pre_obj, nengo.Node) and id(c.pre_obj) not in feeding
            and c.pre_obj not in dead_nodes and c.pre_obj not in learned_posts
        }
        if not newly_dead:
            break
        dead_nodes |= newly_dead
    inside = set(network.all_ensembles)
    nodes = [n for n in network.all_nodes if n not in dead_nodes]
    for conn in alive:
        for obj in (conn.pre_obj, conn.post_obj):
            if isinstance(obj, nengo.ensemble.Neurons):
                obj = obj.ensemble
            if isinstance(obj, nengo.Ensemble) and obj not in inside:
                raise ValidationError(
                    f"{conn} connects to {obj}, outside the exported network: export "
                    f"a network that holds both",
                    "network",
                    network,
                )
            if isinstance(obj, nengo.Node) and obj not in nodes:
                nodes.append(obj)
    for conn in alive:
        if conn.learning_rule_type is not None and conn not in frozen:
            raise ValidationError(
                f"{conn} still learns ({conn.learning_rule_type}); NIR holds fixed "
                f"weights: pass its learned weights (weights=frozen_weights(sim, "
                f"network)), or build it with learning_rule_type=None",
                "learning_rule_type",
                conn,
            )
    return alive, nodes


def _check_network(network, connections, nodes, inputs=()):
    for ens in network.all_ensembles:
        problem = _neuron_problem(ens.neuron_type)
        if problem is not None:
            raise ValidationError(f"{ens}: {problem}", "neuron_type", ens)
    for node in nodes:
        if node.output is not None and node not in inputs:
            raise ValidationError(
                f"{node} computes a Python function, which NIR cannot hold: export "
                f"the network without it and feed its signal to an input Node "
                f"(a Node with size_in and no output)",
                "output",
                node,
            )
    for conn in connections:
        if not isinstance(conn.transform, (nengo.transforms.Dense, nengo.transforms.NoTransform)):
            raise ValidationError(
                f"{conn}: only dense transforms can be exported (got {conn.transform})",
                "transform",
                conn,
            )
        if isinstance(conn.pre_obj, nengo.Node) and conn.function is not None:
            raise ValidationError(
                f"{conn} applies a function to a Node's output, which NIR cannot hold",
                "function",
                conn,
            )
        _synapse_key(conn.synapse, conn)


def frozen_weights(sim, network):
    """The current weights of every learned connection in ``network``, from ``sim``.

    For `export_nir`'s ``weights``: a `.LearnedReadout` (or any PES
    connection) exported with the weights it has learned so far. ``sim`` is
    a nengo simulator (``nengo_lmu.Simulator(..., backend="nengo")``) that
    has run the network.
    """
    weights = {}
    for conn in network.all_connections:
        if conn.learning_rule_type is not None:
            signal = sim.model.sig[conn]["weights"]
            weights[conn] = np.array(sim.signals[signal], dtype=float)
    return weights


def _port(obj):
    """``("ens", ensemble)`` for neurons, ``("node", node)`` for a Node."""
    if isinstance(obj, nengo.ensemble.Neurons):
        return ("ens", obj.ensemble)
    if isinstance(obj, nengo.Ensemble):
        return ("ens", obj)
    return ("node", obj)


def _connection_matrix(model, conn, frozen):
    """The built ``conn`` as a matrix from its pre's output to its post's input.

    Pre's output is its neurons' spikes (of an Ensemble or Neurons) or a
    Node's output; post's input is its neurons' input current or a Node's
    input, so the matrix folds in slices, decoders, transform, encoders and
    gains.
    """
    pre, post = conn.pre_obj, conn.post_obj
    signal = model.sig[conn]["weights"]  # None for an identity (NoTransform)
    if conn in frozen:
        weights = np.asarray(frozen[conn], dtype=float)
    else:
        weights = np.asarray(1.0 if signal is None else signal.initial_value, dtype=float)
    decoded = isinstance(pre, nengo.Ensemble)
    full_weights = decoded and isinstance(post, nengo.Ensemble) and conn.solver.weights
    if decoded:
        n_in = pre.n_neurons
        select_in = np.eye(n_in)  # decoders cover every neuron
    else:
        n_in = pre.size_out
        select_in = _selection(n_in, conn.pre_slice)
    if weights.ndim < 2:  # elementwise (a scalar or vector transform)
        weights = np.diag(np.broadcast_to(weights, select_in.shape[0]))
    matrix = weights @ select_in
    if full_weights:
        return matrix
    if isinstance(post, nengo.ensemble.Neurons):
        gain = model.params[post.ensemble].gain
        scatter = _selection(post.size_in, conn.post_slice).T
        return (scatter * gain[:, None]) @ matrix
    scatter = _selection(post.size_in, conn.post_slice).T
    if isinstance(post, nengo.Ensemble):
        return model.params[post].scaled_encoders @ scatter @ matrix
    return scatter @ matrix


class _Paths:
    """Connections composed through passthrough Nodes into source-to-target paths.

    Sources are populations, the inputs and the state Nodes (a Node that
    feeds itself through ``synapse=0``, as the ideal memory does); targets
    are populations, the state Nodes and the outputs.
    """

    def __init__(self, model, connections, nodes, frozen, inputs=None, outputs=None):
        self.incoming = {}
        self.states = []
        for conn in connections:
            tau = _synapse_key(conn.synapse, conn)
            edge = (_port(conn.pre_obj), _connection_matrix(model, conn, frozen), tau, conn)
            self.incoming.setdefault(_port(conn.post_obj), []).append(edge)
            if (isinstance(conn.pre_obj, nengo.Node) and conn.pre_obj is conn.post_obj
                    and tau == 0 and conn.pre_obj not in self.states):
                self.states.append(conn.pre_obj)
        fed = {port for edges in self.incoming.values() for port, *_ in edges}
        self.inputs = [n for n in nodes if ("node", n) not in self.incoming]
        self.outputs = [n for n in nodes if ("node", n) not in fed]
        for name, chosen in (("inputs", inputs), ("outputs", outputs)):
            for node in chosen or ():
                if node not in nodes:
                    raise ValidationError(
                        f"{node} is not a Node of the exported network", name
                    )
        if inputs is not None:
            # a chosen input (a NengoDL-style Node with a placeholder output) is
            # fed by the consumer, whatever else feeds it
            self.inputs = list(inputs)
        if outputs is not None:
            # a chosen output that also feeds the network is read where it is
            self.outputs = list(outputs)
        self.states = [n for n in self.states if n not in self.inputs + self.outputs]

    def is_source(self, port):
        return port[0] == "ens" or port[1] in self.inputs or port[1] in self.states

    def into(self, port, visiting=()):
        """``[(source port, matrix, synapse tau or None)]`` of every path into ``port``."""
        paths = []
        for pre, matrix, tau, conn in self.incoming.get(port, []):
            if self.is_source(pre):
                paths.append((pre, matrix, tau))
                continue
            if pre in visiting:
                raise ValidationError(
                    f"{conn} closes a loop through Nodes only; NIR (and this export) "
                    f"needs a population of neurons in every loop",
                    "post",
                    conn,
                )
            for source, inner, inner_tau in self.into(pre, visiting + (pre,)):
                if tau is not None and inner_tau is not None:
                    raise ValidationError(
                        f"{conn} adds a second synapse to a path that already has "
                        f"one; NIR filters each population's input once: set one "
                        f"of them to synapse=None",
                        "synapse",
                        conn,
                    )
                paths.append((source, matrix @ inner, inner_tau if tau is None else tau))
        return paths


def _merge(paths, target):
    """Sum the paths per source; the one synapse of all of them."""
    taus = {tau for _, _, tau in paths}
    if len(taus) > 1:
        raise ValidationError(
            f"{target} receives input through different synapses "
            f"({', '.join(str(t) for t in sorted(taus, key=str))}); NIR gives each "
            f"population one synaptic filter: give all its inputs the same synapse",
            "synapse",
            target,
        )
    merged = {}
    for source, matrix, _ in paths:
        key = (source[0], id(source[1]))
        if key in merged:
            merged[key] = (source, merged[key][1] + matrix)
        else:
            merged[key] = (source, matrix)
    return list(merged.values()), (taus.pop() if taus else None)


def _spike_scale(source, dt):
    """What nengo's matrix from ``source`` is multiplied by: 1 / dt from spikes."""
    return 1 / dt if source[0] == "ens" else 1.0


class _GraphNodes:
    """The graph's nodes and edges as they are made, and the ``Linear`` links between them."""

    def __init__(self, nir, names, dt):
        self.nir, self.names, self.dt = nir, names, dt
        self.nodes, self.edges = {}, []

    def name(self, obj):
        return self.names[id(obj)]

    def link(self, source, target, weight, bias=None):
        """A ``Linear`` (an ``Affine`` with ``bias``) from ``source`` into ``target``."""
        name = f"{self.name(source[1])}->{target}"
        if bias is None:
            self.nodes[name] = self.nir.Linear(weight=weight)
        else:
            self.nodes[name] = self.nir.Affine(weight=weight, bias=bias)
        self.edges.extend([(self.name(source[1]), name), (name, target)])


def _split_recurrence(paths, port, target):
    """``(matrix of the synapse=0 paths from port to itself, the other paths)``.

    Those of NIR's populations that have no synaptic filter (``I``, ``IF``)
    take the rest of their inputs unfiltered (``synapse=None``); a path from
    the population to itself with ``synapse=0`` reads the previous step, as
    a loop in NIR does.
    """
    recurrent, others = None, []
    for source, matrix, tau in paths:
        if tau == 0 and source[1] is port[1]:
            recurrent = matrix if recurrent is None else recurrent + matrix
        elif tau is None:
            others.append((source, matrix, tau))
        else:
            raise ValidationError(
                f"{target} is exported as a NIR population without a synaptic "
                f"filter, so its inputs must be unfiltered (synapse=None), except a "
                f"synapse=0 connection from itself (got synapse {tau} from "
                f"{source[1]})",
                "synapse",
                target,
            )
    return recurrent, _merge(others, target)[0]


def _export_state(graph, node, paths):
    """A state Node (``m[t] = R m[t-1] + W u[t]``) as NIR's integrator ``I``.

    One Euler step of ``dv/dt = r (R - 1) / dt v + r W / dt u`` with ``r = 1``
    is ``v[t] = R v[t-1] + W u[t]`` exactly: the recurrent ``Linear`` reads
    the previous step, as nengo's ``synapse=0`` does.
    """
    name, dt, n = graph.name(node), graph.dt, node.size_out
    recurrent, sources = _split_recurrence(paths, ("node", node), node)
    graph.nodes[name] = graph.nir.I(r=np.ones(n))
    graph.link(("node", node), name, (recurrent - np.eye(n)) / dt)
    for source, matrix in sources:
        graph.link(source, name, matrix * _spike_scale(source, dt) / dt)


def _export_population(graph, model, ens, paths, convert):
    name, dt, n = graph.name(ens), graph.dt, ens.n_neurons
    ones = np.ones(n)
    bias = np.asarray(model.params[ens].bias, dtype=float) * ones
    metadata = {
        "nengo_initial_voltage": np.array(
            model.sig[ens.neurons]["voltage"].initial_value, dtype=float
        )
    }
    if _is_if(ens.neuron_type):
        # NIR's IF has no leak to hold the bias: the first input adds it
        recurrent, sources = _split_recurrence(paths, ("ens", ens), ens)
        if recurrent is not None:
            sources.append((("ens", ens), recurrent))
        if not sources:
            raise ValidationError(
                f"{ens} has no input: NIR's IF takes its bias from one", "network", ens
            )
        for i, (source, matrix) in enumerate(sources):
            graph.link(source, name, matrix * _spike_scale(source, dt),
                       bias=bias if i == 0 else None)
        metadata["nengo_neuron_type"] = "SpikingRectifiedLinear"
        warnings.warn(
            f"{ens}: nengo.SpikingRectifiedLinear is exported as NIR's IF, which does "
            "not rectify its input current and resets to 0: a consumer computes "
            "something else wherever the current goes negative (a deployed psdigits "
            "cell: 0.89 in nengo, 0.15 as IF; docs: NIR export). import_nir rebuilds "
            "nengo's neuron from the graph's metadata"
        )
        graph.nodes[name] = graph.nir.IF(
            r=ones, v_threshold=ones.copy(), v_reset=np.zeros(n), metadata=metadata
        )
        return
    sources, tau = _merge(paths, ens)
    for source, matrix in sources:
        graph.link(source, name, matrix * _spike_scale(source, dt))
    common = {"r": ones, "v_leak": bias, "v_threshold": ones.copy(), "v_reset": np.zeros(n)}
    tau_mem = convert(ens.neuron_type.tau_rc, dt) * ones
    if tau is None:
        graph.nodes[name] = graph.nir.LIF(tau=tau_mem, **common, metadata=metadata)
    else:
        tau_syn = (convert(tau, dt) if tau > 0 else dt) * ones
        graph.nodes[name] = graph.nir.CubaLIF(
            tau_syn=tau_syn, tau_mem=tau_mem, w_in=ones.copy(), **common, metadata=metadata,
        )


def _export_output(graph, node, paths, convert):
    """An output; one read through a ``Lowpass`` has NIR's leaky integrator ``LI`` before it."""
    name, dt, n = graph.name(node), graph.dt, node.size_in
    sources, tau = _merge(paths, node)
    if tau == 0:
        raise ValidationError(
            f"A path into the output {node} has synapse=0 (a one-step delay), which "
            f"NIR cannot hold: set synapse=None",
            "synapse",
            node,
        )
    target = name
    if tau is not None:
        target = f"{name}_lowpass"
        graph.nodes[target] = graph.nir.LI(
            tau=convert(tau, dt) * np.ones(n), r=np.ones(n), v_leak=np.zeros(n)
        )
        graph.edges.append((target, name))
    for source, matrix in sources:
        graph.link(source, target, matrix * _spike_scale(source, dt))


def _names(objects, prefix):
    names = {}
    for i, obj in enumerate(objects):
        label = "" if obj.label is None else "_" + "_".join(str(obj.label).split())
        names[id(obj)] = f"{prefix}{i}{label}"
    return names


def export_nir(
    network, dt=0.001, time_constants="euler", model=None, weights=None, inputs=None,
    outputs=None,
):
    """A ``nir.NIRGraph`` of a spiking nengo network (see the module's mapping).

    Parameters
    ----------
    network : nengo.Network
        The network to export, for example a spiking `.LegendreMemory` (with
        ``neuron_type=nengo.LIF(tau_ref=0, min_voltage=-np.inf)``), or a
        deployed cell's ``model.net`` (``model =
        nengo_lmu.training.build_model(*deploy(...))``, exported with
        ``inputs=[model.input], outputs=[model.output]``). Its
        passthrough Nodes that nothing inside feeds become the graph's
        inputs, those that feed nothing its outputs. It is built with
        nengo's builder (at ``dt``, with its seeds) to read the weights,
        unless ``model`` is given.
    dt : float
        The time step the weights are computed for, recorded in the graph.
    time_constants : {"euler", "exact"}
        ``"euler"``: time constants for which one forward-Euler step of ``dt``
        is nengo's exact step (what NIR consumers simulate); ``"exact"``:
        nengo's own.
    model : nengo.builder.Model or None
        The built model of a network that contains ``network`` (a
        simulator's ``sim.model``), to export the parameters that simulator
        runs: ``network`` built alone gets other seeds (and so other
        neurons) than inside a larger network, unless it has a seed of its
        own. ``dt`` is then the model's.
    weights : dict or None
        Connection -> the weights to export instead of its built ones, in
        the shape nengo builds them (``sim.model.sig[conn]["weights"]``).
        A learned connection must be given here (`frozen_weights` reads
        them from a simulator): its learning rule, and what only feeds
        it, are then left out.
    inputs : list of nengo.Node or None
        The Nodes to export as the graph's inputs; default: every Node that
        nothing feeds. A chosen input may have an output (the placeholder
        of a NengoDL-style model's input Node, such as
        ``nengo_lmu.training.build_model(...).input``): the consumer's input
        replaces it.
    outputs : list of nengo.Node or None
        The Nodes to export as the graph's outputs; default: every Node
        that feeds nothing (an unused ``EnsembleArray.output`` too).

    Returns
    -------
    nir.NIRGraph
    """
    nir = _nir()
    if not isinstance(network, nengo.Network):
        raise ValidationError(f"Must be a nengo.Network (got {network!r})", "network")
    dt = check_param(DT, dt)
    if time_constants not in ("euler", "exact"):
        raise ValidationError(
            f"Must be 'euler' or 'exact' (got {time_constants!r})", "time_constants"
        )
    frozen = {} if weights is None else dict(weights)
    connections, nodes = _live_connections(network, frozen)
    _check_network(network, connections, nodes, inputs or ())
    if not network.all_ensembles:
        raise ValidationError(f"{network} has no neurons to export", "network", network)
    if model is None:
        model = nengo.builder.Model(dt=dt)
        try:
            model.build(network)
        except nengo.exceptions.BuildError as error:
            raise ValidationError(
                f"{network} cannot be built alone ({error}); pass the built model of "
                f"the network that holds it: model=sim.model",
                "model",
            ) from error
    elif network not in model.params and network.all_ensembles[0] not in model.params:
        raise ValidationError(f"{network} is not part of the built model", "model")
    else:
        dt = model.dt
    paths = _Paths(model, connections, nodes, frozen, inputs, outputs)
    convert = euler_tau if time_constants == "euler" else (lambda tau, dt: np.asarray(tau))

    names = _names(network.all_ensembles, "ens")
    names.update(_names(paths.inputs, "input"))
    names.update(_names(paths.states, "state"))
    names.update(_names(paths.outputs, "output"))
    graph = _GraphNodes(nir, names, dt)
    for node in paths.inputs:
        graph.nodes[names[id(node)]] = nir.Input(np.array([node.size_out]))
    for node in paths.outputs:
        graph.nodes[names[id(node)]] = nir.Output(np.array([node.size_in]))
    for node in paths.states:
        _export_state(graph, node, paths.into(("node", node)))
    for ens in network.all_ensembles:
        _export_population(graph, model, ens, paths.into(("ens", ens)), convert)
    for node in paths.outputs:
        _export_output(graph, node, paths.into(("node", node)), convert)

    metadata = {
        "source": "nengo-lmu",
        "dt": float(dt),
        "time_constants": time_constants,
        "spike_value": 1.0,
        "weight_convention": WEIGHT_CONVENTION,
        "reset": RESET,
    }
    nodes, edges = graph.nodes, graph.edges
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def save_nir(path, network, **kwargs):
    """Export ``network`` and write the graph to ``path`` atomically.

    ``kwargs`` are `export_nir`'s. Returns the ``nir.NIRGraph`` written. A
    ``path`` that is a folder raises a `ValidationError` on ``path``, before
    the export.
    """
    check_output_path(path, "path")
    graph = export_nir(network, **kwargs)
    nir = _nir()
    with atomic_write(path, mode="w+b", name="path") as file:  # h5py reads as it writes
        nir.write(file, graph)
    return graph


# --- import -----------------------------------------------------------------


def _metadata_value(metadata, key, default):
    value = metadata.get(key, default)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    return value


def _one_value(values, name, what):
    values = np.unique(values)
    if values.size > 1:
        raise ValidationError(
            f"Node {name!r}: nengo gives a population one {what}; split it into "
            f"populations with one {what} each",
            "graph",
        )
    return float(values[0])


def _recurrent_links(graph, nir):
    """The edges into a ``Linear``/``Affine`` that only leads back to the edge's source.

    Only for sources without a synapse (``I``, ``IF``, ``LIF``): their loop
    reads the previous step, in NIR's consumers and, with ``synapse=0``, in
    nengo (a ``CubaLIF``'s synapse delays its loop already).
    """
    targets = {}
    for pre, post in graph.edges:
        targets.setdefault(pre, set()).add(post)
    return {
        (pre, post)
        for pre, post in graph.edges
        if isinstance(graph.nodes[pre], (nir.I, nir.IF, nir.LIF))
        and isinstance(graph.nodes[post], (nir.Linear, nir.Affine))
        and targets.get(post) == {pre}
    }


def read_nir_file(path, name="graph"):
    """The ``nir.NIRGraph`` in the file ``path``, or a `ValidationError` on ``name``.

    A file that is missing, a folder, unreadable, not HDF5, or HDF5 but not a
    NIR graph is refused with its name and what was expected (``nir.read``
    would fail in h5py's own words, naming neither).
    """
    nir = _nir()
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(
            f"Must be a nir.NIRGraph or a NIR file's path (got {type(path).__name__})", name
        )
    path = pathlib.Path(path)

    def fail(what):
        return ValidationError(
            f"{path}: {what}; expected a NIR graph (an HDF5 file written by nir.write "
            "or save_nir)", name,
        )

    if not path.exists():
        raise fail("no such file")
    if path.is_dir():
        raise fail("is a directory")
    if not os.access(path, os.R_OK):
        raise fail("cannot be read (permission denied)")
    import h5py  # pylint: disable=import-outside-toplevel  # nir's own dependency

    if not h5py.is_hdf5(path):
        raise fail("is not an HDF5 file")
    try:
        return nir.read(path)
    except (OSError, KeyError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise fail(f"is HDF5 but not a NIR graph ({type(error).__name__}: {error})") from None


def import_nir(graph, dt=None, label=None, seed=None, nengo_neurons=True):
    """A ``nengo.Network`` that simulates a NIR graph (or a ``.nir`` file).

    The graph may hold ``Input``, ``Output``, ``Linear``, ``Affine``, ``LIF``,
    ``CubaLIF``, ``IF``, ``I`` and ``LI`` nodes, with loops. Populations
    become nengo ensembles (unit gain, the bias
    ``(v_leak - v_reset) / (v_threshold - v_reset)``): ``LIF`` and
    ``CubaLIF`` as ``LIF(tau_ref=0, min_voltage=-np.inf)`` (a ``CubaLIF``'s
    synapse a ``Lowpass``), ``IF`` as `NIRIF` (NIR's reset to ``v_reset``) or
    as the ``SpikingRectifiedLinear`` it was exported from (see
    ``nengo_neurons``). ``I`` and ``LI`` become Nodes: an integrator stepped
    by forward Euler (a loop ``I -> Linear -> I`` reads the previous step,
    as in NIR's consumers), and a ``Lowpass`` into a Node. This is the
    inverse of `export_nir`'s mapping, reading ``dt`` and the time-constant
    convention from the graph's metadata (a graph without them is read as
    forward Euler at ``dt``, what NIR's consumers simulate).

    Parameters
    ----------
    graph : nir.NIRGraph or str or pathlib.Path
        The graph, or a file written by ``nir.write`` / `save_nir`.
    dt : float or None
        The time step the graph's weights are for; None reads it from the
        graph's metadata (else 0.001). The network must run at this step.
    label, seed : optional
        Of the returned network.
    nengo_neurons : bool
        Build an ``IF`` population that `export_nir` made from nengo's
        ``SpikingRectifiedLinear`` (its metadata says so) as that type again,
        which gives nengo's output exactly; False builds every ``IF`` with
        NIR's equations (`NIRIF`), what a NIR consumer runs.

    Returns
    -------
    nengo.Network
        With attributes ``inputs`` and ``outputs`` (dicts of NIR node name to
        nengo Node), ``populations`` (NIR node name to nengo Ensemble) and
        ``states`` (the ``I`` and ``LI`` nodes' names to nengo Nodes).
    """
    nir = _nir()
    if not isinstance(graph, nir.NIRGraph):
        graph = read_nir_file(graph)
    metadata = graph.metadata or {}
    if dt is None:
        dt = float(_metadata_value(metadata, "dt", 0.001))
    dt = check_param(DT, dt)
    convention = _metadata_value(metadata, "time_constants", "euler")
    to_nengo = exact_tau if convention == "euler" else (lambda tau, dt: np.asarray(tau))
    recurrent = _recurrent_links(graph, nir)

    net = nengo.Network(label=label, seed=seed)
    net.inputs, net.outputs, net.populations, net.states = {}, {}, {}, {}
    ins, outs, scale_in, synapses = {}, {}, {}, {}
    with net:
        for name, node in graph.nodes.items():
            if isinstance(node, nir.Input):
                size = int(np.prod(node.input_type["input"]))
                ins[name] = outs[name] = net.inputs[name] = nengo.Node(size_in=size, label=name)
            elif isinstance(node, nir.Output):
                size = int(np.prod(node.output_type["output"]))
                ins[name] = net.outputs[name] = nengo.Node(size_in=size, label=name)
            elif isinstance(node, (nir.Linear, nir.Affine)):
                weight = np.asarray(node.weight, dtype=float)
                if weight.ndim != 2:
                    raise ValidationError(
                        f"Node {name!r}: only 2-D weights can be imported", "graph"
                    )
                ins[name] = nengo.Node(size_in=weight.shape[1], label=f"{name} input")
                outs[name] = nengo.Node(size_in=weight.shape[0], label=name)
                nengo.Connection(ins[name], outs[name], transform=weight, synapse=None)
                if isinstance(node, nir.Affine):
                    bias = nengo.Node(np.asarray(node.bias, dtype=float), label=f"{name} bias")
                    nengo.Connection(bias, outs[name], synapse=None)
            elif isinstance(node, (nir.LIF, nir.CubaLIF, nir.IF)):
                ens, scale, synapse = _import_population(
                    name, node, nir, dt, to_nengo, nengo_neurons
                )
                net.populations[name] = ens
                ins[name] = outs[name] = ens.neurons
                scale_in[name], synapses[name] = scale, synapse
            elif isinstance(node, nir.I):
                # v[t] = v[t-1] + dt r I[t]: the inputs scaled by dt r, a one-step loop
                r = np.asarray(node.r, dtype=float)
                ins[name] = outs[name] = net.states[name] = nengo.Node(
                    size_in=r.size, label=name
                )
                nengo.Connection(ins[name], ins[name], synapse=0)
                scale_in[name], synapses[name] = r * dt, None
            elif isinstance(node, nir.LI):
                # tau dv/dt = v_leak - v + r I: (v_leak + r I) through a Lowpass
                tau = _one_value(to_nengo(np.asarray(node.tau, dtype=float), dt), name, "tau")
                r = np.asarray(node.r, dtype=float)
                ins[name] = outs[name] = net.states[name] = nengo.Node(
                    size_in=r.size, label=name
                )
                scale_in[name], synapses[name] = r, nengo.Lowpass(tau)
                leak = np.asarray(node.v_leak, dtype=float) * np.ones(r.size)
                if np.any(leak != 0):
                    leak_node = nengo.Node(leak, label=f"{name} v_leak")
                    nengo.Connection(leak_node, ins[name], synapse=synapses[name])
            else:
                raise ValidationError(
                    f"Node {name!r} is a {type(node).__name__}, which import_nir "
                    f"does not read (it reads Input, Output, Linear, Affine, LIF, "
                    f"CubaLIF, IF, I, LI)",
                    "graph",
                )
        for pre, post in graph.edges:
            spikes = pre in net.populations
            transform = dt if spikes else 1.0
            if post in scale_in:
                transform = np.diag(scale_in[post] * transform)
            # the loop of an integrator reads the previous step
            synapse = 0 if (pre, post) in recurrent else synapses.get(post)
            nengo.Connection(outs[pre], ins[post], transform=transform, synapse=synapse)
    return net


def _import_population(name, node, nir, dt, to_nengo, nengo_neurons):
    """A NIR population as ``(ensemble, input scale, synapse)``."""
    v_reset = np.asarray(node.v_reset, dtype=float)
    span = np.asarray(node.v_threshold, dtype=float) - v_reset
    n = span.size
    voltage = node.metadata.get("nengo_initial_voltage", np.zeros(n))
    initial_state = {"voltage": np.asarray(voltage, dtype=float)}
    scale, synapse = np.asarray(node.r, dtype=float) / span, None
    if isinstance(node, nir.IF):
        bias = np.zeros(n)
        nengo_type = _metadata_value(node.metadata, "nengo_neuron_type", None)
        if nengo_neurons and nengo_type == "SpikingRectifiedLinear":
            neuron_type = nengo.SpikingRectifiedLinear(initial_state=initial_state)
        else:  # NIR's: from v_reset, as Norse starts
            neuron_type = NIRIF(dt=dt)
    else:
        cuba = isinstance(node, nir.CubaLIF)
        tau_mem = np.asarray(node.tau_mem if cuba else node.tau, dtype=float)
        bias = (np.asarray(node.v_leak, dtype=float) - v_reset) / span
        neuron_type = nengo.LIF(
            tau_rc=_one_value(to_nengo(tau_mem, dt), name, "tau_rc"), tau_ref=0,
            min_voltage=-np.inf, initial_state=initial_state,
        )
        if cuba:
            tau_syn = to_nengo(np.asarray(node.tau_syn, dtype=float), dt)
            synapse = nengo.Lowpass(_one_value(tau_syn, name, "synapse tau"))
            scale = scale * node.w_in
    ens = nengo.Ensemble(
        n, 1, gain=np.ones(n), bias=bias, neuron_type=neuron_type, label=name
    )
    return ens, scale, synapse
