"""Export nengo networks to NIR, the Neuromorphic Intermediate Representation, and back.

`NIR <https://neuroir.org>`_ (the ``nir`` package, an extra:
``pip install nengo-lmu[nir]``) is the format through which Loihi 2 (Lava),
SpiNNaker2, SynSense chips and simulators such as Norse exchange spiking
networks. `export_nir` turns a spiking network (for example a
`.LegendreMemory` with ``nengo.LIF(tau_ref=0, min_voltage=-np.inf)``
neurons) into a ``nir.NIRGraph``; `save_nir` writes it to a file;
`import_nir` turns a graph of ``LIF``/``CubaLIF``/``Linear``/``Affine``/
``Input``/``Output`` nodes back into a ``nengo.Network``.

The mapping (nengo -> NIR), from the built model, so every number is the
one nengo simulates:

- Each ``Ensemble`` becomes one population: ``CubaLIF`` if its inputs pass
  through a ``Lowpass(tau)`` synapse (``tau_syn`` from ``tau``), ``LIF`` if
  they are unfiltered (``synapse=None``). ``v_threshold=1``, ``v_reset=0``,
  ``r=1``; the ensemble's bias current is ``v_leak``: nengo's
  ``tau_rc dv/dt = J - v`` with ``J = bias + input`` is NIR's
  ``tau_mem dv/dt = (v_leak - v) + r I``.
- Every path of connections between two populations (through passthrough
  Nodes, decoders, transforms, slices, encoders and gains) is composed
  into one ``Linear`` node of neuron-to-neuron weights
  ``gain * encoders @ transform @ decoders`` (summed over parallel paths).
- A passthrough Node that nothing in the network feeds is an ``Input``;
  one that feeds nothing is an ``Output``; others are composed away.
- Weight convention: a spike is the value 1 for one step (nengo's is
  ``1 / dt``), the input ``S`` of NIR's equations, with ``r = 1`` (as Norse
  reads it): every weight from a population is nengo's times ``1 / dt``;
  weights from an ``Input`` are nengo's. (One Euler step of
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
  consumers start from their own.

What NIR cannot hold, refused with a `~nengo.exceptions.ValidationError`
saying what to change:

- a refractory period (``tau_ref > 0``: build with ``tau_ref=0``) and a
  voltage floor (``min_voltage > -inf``: build with
  ``min_voltage=-np.inf``); NIR's neurons have neither;
- neuron types other than ``nengo.LIF``: ``SpikingRectifiedLinear`` resets by
  subtraction, NIR's ``IF`` to ``v_reset`` (the two differ in every spike's
  timing), and rate neurons do not spike;
- synapses other than ``Lowpass`` (or none), two synapses in series on one
  path, different synapses into one population, and a synapse on a path
  into an ``Output`` (filter the output in the consumer);
- learning rules whose weights are not given (`frozen_weights` reads the
  learned ones from a simulator; what only feeds a learning rule, such as
  a `.LearnedReadout`'s error and gate, is then left out), Nodes that
  compute a function, transforms other than dense ones, ensembles outside
  the exported network, and loops through Nodes only.
"""

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.params import DT, NumberParam, check_param
from nengo_lmu.utils.files import atomic_write

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


def _nir():
    try:
        import nir  # pylint: disable=import-outside-toplevel
    except ImportError as error:  # an optional extra
        raise ImportError(
            "NIR export needs the 'nir' package: pip install nengo-lmu[nir]"
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


def _neuron_problem(neuron_type):
    if type(neuron_type) not in (nengo.LIF, NIRLIF):
        return (
            f"NIR holds leaky integrate-and-fire neurons that reset to zero; "
            f"{neuron_type} has no NIR equivalent (SpikingRectifiedLinear resets "
            f"by subtraction, NIR's IF to v_reset): use "
            f"nengo.LIF(tau_ref=0, min_voltage=-np.inf)"
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


def _check_network(network, connections, nodes):
    for ens in network.all_ensembles:
        problem = _neuron_problem(ens.neuron_type)
        if problem is not None:
            raise ValidationError(f"{ens}: {problem}", "neuron_type", ens)
    for node in nodes:
        if node.output is not None:
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
    """Connections composed through passthrough Nodes into source-to-target paths."""

    def __init__(self, model, connections, nodes, frozen, outputs=None):
        self.incoming = {}
        for conn in connections:
            edge = (
                _port(conn.pre_obj),
                _connection_matrix(model, conn, frozen),
                _synapse_key(conn.synapse, conn),
                conn,
            )
            self.incoming.setdefault(_port(conn.post_obj), []).append(edge)
        fed = {port for edges in self.incoming.values() for port, *_ in edges}
        self.inputs = [n for n in nodes if ("node", n) not in self.incoming]
        self.outputs = [n for n in nodes if ("node", n) not in fed]
        if outputs is not None:
            for node in outputs:
                if node not in nodes:
                    raise ValidationError(
                        f"{node} is not a Node of the exported network", "outputs"
                    )
            # a chosen output that also feeds the network is read where it is
            self.outputs = list(outputs)

    def is_source(self, port):
        return port[0] == "ens" or port[1] in self.inputs

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


def _names(objects, prefix):
    names = {}
    for i, obj in enumerate(objects):
        label = "" if obj.label is None else "_" + "_".join(str(obj.label).split())
        names[id(obj)] = f"{prefix}{i}{label}"
    return names


def export_nir(
    network, dt=0.001, time_constants="euler", model=None, weights=None, outputs=None
):
    """A ``nir.NIRGraph`` of a spiking nengo network (see the module's mapping).

    Parameters
    ----------
    network : nengo.Network
        The network to export, for example a spiking `.LegendreMemory` (with
        ``neuron_type=nengo.LIF(tau_ref=0, min_voltage=-np.inf)``). Its
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
    _check_network(network, connections, nodes)
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
    paths = _Paths(model, connections, nodes, frozen, outputs)
    convert = euler_tau if time_constants == "euler" else (lambda tau, dt: np.asarray(tau))

    names = _names(network.all_ensembles, "ens")
    names.update(_names(paths.inputs, "input"))
    names.update(_names(paths.outputs, "output"))
    nodes, edges = {}, []
    for node in paths.inputs:
        nodes[names[id(node)]] = nir.Input(np.array([node.size_out]))
    for node in paths.outputs:
        nodes[names[id(node)]] = nir.Output(np.array([node.size_in]))

    def link(source, target, weight):
        name = f"{names[id(source[1])]}->{target}"
        nodes[name] = nir.Linear(weight=weight)
        edges.extend([(names[id(source[1])], name), (name, target)])

    for ens in network.all_ensembles:
        name = names[id(ens)]
        n = ens.n_neurons
        sources, tau = _merge(paths.into(("ens", ens)), ens)
        for source, matrix in sources:
            link(source, name, matrix * (1 / dt if source[0] == "ens" else 1.0))
        ones = np.ones(n)
        common = {
            "r": ones,
            "v_leak": np.asarray(model.params[ens].bias, dtype=float),
            "v_threshold": ones.copy(),
            "v_reset": np.zeros(n),
        }
        tau_mem = convert(ens.neuron_type.tau_rc, dt) * ones
        metadata = {
            "nengo_initial_voltage": np.array(
                model.sig[ens.neurons]["voltage"].initial_value, dtype=float
            )
        }
        if tau is None:
            nodes[name] = nir.LIF(tau=tau_mem, **common, metadata=metadata)
        else:
            tau_syn = (convert(tau, dt) if tau > 0 else dt) * ones
            nodes[name] = nir.CubaLIF(
                tau_syn=tau_syn, tau_mem=tau_mem, w_in=ones.copy(), **common,
                metadata=metadata,
            )
    for node in paths.outputs:
        sources, tau = _merge(paths.into(("node", node)), node)
        if tau is not None:
            raise ValidationError(
                f"A path into the output {node} has a synapse; NIR outputs are "
                f"unfiltered: set synapse=None and filter in the consumer",
                "synapse",
                node,
            )
        for source, matrix in sources:
            link(source, names[id(node)], matrix * (1 / dt if source[0] == "ens" else 1.0))

    metadata = {
        "source": "nengo-lmu",
        "dt": float(dt),
        "time_constants": time_constants,
        "spike_value": 1.0,
        "weight_convention": WEIGHT_CONVENTION,
        "reset": RESET,
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def save_nir(path, network, **kwargs):
    """Export ``network`` and write the graph to ``path`` atomically.

    ``kwargs`` are `export_nir`'s. Returns the ``nir.NIRGraph`` written.
    """
    graph = export_nir(network, **kwargs)
    nir = _nir()
    with atomic_write(path, mode="w+b") as file:  # h5py reads as it writes
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


def import_nir(graph, dt=None, label=None, seed=None):
    """A ``nengo.Network`` that simulates a NIR graph (or a ``.nir`` file).

    The graph may hold ``Input``, ``Output``, ``Linear``, ``Affine``, ``LIF``
    and ``CubaLIF`` nodes, with loops. Populations become nengo
    ``LIF(tau_ref=0, min_voltage=-np.inf)`` ensembles (unit gain, the bias
    ``(v_leak - v_reset) / (v_threshold - v_reset)``), ``CubaLIF`` synapses
    ``Lowpass`` synapses, the inverse of `export_nir`'s mapping, reading
    ``dt`` and the time-constant convention from the graph's metadata (a
    graph without them is read as forward Euler at ``dt``, what NIR's
    consumers simulate).

    Parameters
    ----------
    graph : nir.NIRGraph or str or pathlib.Path
        The graph, or a file written by ``nir.write`` / `save_nir`.
    dt : float or None
        The time step the graph's weights are for; None reads it from the
        graph's metadata (else 0.001). The network must run at this step.
    label, seed : optional
        Of the returned network.

    Returns
    -------
    nengo.Network
        With attributes ``inputs`` and ``outputs`` (dicts of NIR node name to
        nengo Node) and ``populations`` (NIR node name to nengo Ensemble).
    """
    nir = _nir()
    if not isinstance(graph, nir.NIRGraph):
        graph = nir.read(graph)
    metadata = graph.metadata or {}
    if dt is None:
        dt = float(_metadata_value(metadata, "dt", 0.001))
    dt = check_param(DT, dt)
    convention = _metadata_value(metadata, "time_constants", "euler")
    to_nengo = exact_tau if convention == "euler" else (lambda tau, dt: np.asarray(tau))

    net = nengo.Network(label=label, seed=seed)
    net.inputs, net.outputs, net.populations = {}, {}, {}
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
            elif isinstance(node, (nir.LIF, nir.CubaLIF)):
                cuba = isinstance(node, nir.CubaLIF)
                tau_mem = np.asarray(node.tau_mem if cuba else node.tau, dtype=float)
                span = np.asarray(node.v_threshold, dtype=float) - node.v_reset
                bias = (np.asarray(node.v_leak, dtype=float) - node.v_reset) / span
                n = bias.size
                tau_rc = np.unique(to_nengo(tau_mem, dt))
                if tau_rc.size > 1:
                    raise ValidationError(
                        f"Node {name!r}: nengo gives a population one tau_rc; "
                        f"split it into populations with one tau_mem each",
                        "graph",
                    )
                voltage = node.metadata.get("nengo_initial_voltage", np.zeros(n))
                ens = nengo.Ensemble(
                    n, 1, gain=np.ones(n), bias=bias, label=name,
                    neuron_type=nengo.LIF(
                        tau_rc=float(tau_rc[0]), tau_ref=0, min_voltage=-np.inf,
                        initial_state={"voltage": np.asarray(voltage, dtype=float)},
                    ),
                )
                net.populations[name] = ens
                ins[name] = outs[name] = ens.neurons
                scale = np.asarray(node.r, dtype=float) / span
                synapses[name] = None
                if cuba:
                    tau_syn = np.unique(to_nengo(np.asarray(node.tau_syn, dtype=float), dt))
                    if tau_syn.size > 1:
                        raise ValidationError(
                            f"Node {name!r}: nengo filters a population's input by "
                            f"one synapse; split it by tau_syn",
                            "graph",
                        )
                    synapses[name] = nengo.Lowpass(float(tau_syn[0]))
                    scale = scale * node.w_in
                scale_in[name] = scale
            else:
                raise ValidationError(
                    f"Node {name!r} is a {type(node).__name__}, which import_nir "
                    f"does not read (it reads Input, Output, Linear, Affine, LIF, "
                    f"CubaLIF)",
                    "graph",
                )
        for pre, post in graph.edges:
            spikes = pre in net.populations
            transform = dt if spikes else 1.0
            if post in scale_in:
                transform = np.diag(scale_in[post] * transform)
            nengo.Connection(
                outs[pre], ins[post], transform=transform, synapse=synapses.get(post)
            )
    return net
