"""NIR to nengo: `import_nir` and `read_nir_file`.

The inverse of `nengo_lmu.convert.nir.to_nir`'s mapping (described in
`nengo_lmu.convert.nir`), for any graph of the nodes nengo can run.
"""

import os
import pathlib

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.convert.nir.conventions import exact_tau, nir_package
from nengo_lmu.convert.nir.neurons import NIRIF
from nengo_lmu.params import DT, check_param


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
    nir = nir_package()
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
    nir = nir_package()
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
