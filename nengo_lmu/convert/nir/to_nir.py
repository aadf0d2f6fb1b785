"""nengo to NIR: `export_nir`, `save_nir` and `frozen_weights`.

The mapping, and what NIR cannot hold, are described in `nengo_lmu.convert.nir`.
"""

import warnings

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.convert.nir.conventions import euler_tau, nir_package
from nengo_lmu.convert.nir.neurons import NIRLIF
from nengo_lmu.params import DT, check_param
from nengo_lmu.utils.files import atomic_write, check_output_path

#: stored in every exported graph's metadata
WEIGHT_CONVENTION = (
    "a spike is 1 for one step (S in tau_syn dI/dt = -I + w_in S); r = 1; "
    "weights from spikes are nengo's times 1/dt"
)
RESET = "to v_reset (0), no refractory period, no voltage floor"


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
    nir = nir_package()
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
    nir = nir_package()
    with atomic_write(path, mode="w+b", name="path") as file:  # h5py reads as it writes
        nir.write(file, graph)
    return graph
