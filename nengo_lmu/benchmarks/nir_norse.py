"""Run an exported NIR graph in Norse: the consumer side of ``nengo-lmu bench nir``.

Runs in the optional consumer environment of ``make nir-check`` (torch,
nir, nirtorch, Norse; no nengo, no TensorFlow), as a script::

    python nir_norse.py GRAPH.nir INPUT.npy OUTPUT.npy

``INPUT.npy`` holds the graph's one input, one row per step; the graph's
one output, one row per step, is written to ``OUTPUT.npy``. The graph is
loaded with ``nirtorch.nir_to_torch`` and Norse's node mapper (not
``norse.from_nir``, whose older executor gets loops of more than two nodes
wrong), at the ``dt`` in the graph's metadata.

One workaround, of a Norse 1.1.0 bug: its ``CubaLIF`` filters the input
current with a leaky integrator that leaks towards the neuron's
``v_leak``, where NIR's synapse (``tau_syn dI/dt = -I + w_in S``) leaks
towards 0; a population with a bias (``v_leak``) would get it twice. The
synapse's ``v_leak`` is set to 0 after mapping.
"""

import functools
import sys

import nir
import nirtorch
import numpy as np
import torch
from norse.torch.functional.leaky_integrator_box import LIBoxParameters
from norse.torch.utils import import_nir as norse_import


def norse_module(node, dt):
    """Norse's mapping of ``node``, with its CubaLIF synapse leaking to 0."""
    module = norse_import._import_norse_module(node, dt=dt)  # pylint: disable=protected-access
    if isinstance(node, nir.CubaLIF):
        p = module.synapse.p
        module.synapse.p = LIBoxParameters(
            tau_mem_inv=p.tau_mem_inv, v_leak=torch.zeros_like(p.v_leak)
        )
    return module


def run(graph_path, inputs):
    graph = nir.read(graph_path)
    dt = float(graph.metadata.get("dt", 0.001))
    mapper = functools.partial(norse_module, dt=dt)
    node_map = {kind: mapper for kind in (nir.Linear, nir.Affine, nir.LIF, nir.CubaLIF)}
    module = nirtorch.nir_to_torch(graph, node_map)
    state = None
    outputs = []
    with torch.no_grad():
        for row in inputs:
            x = torch.as_tensor(np.atleast_1d(row), dtype=torch.float32)[None, :]
            *parts, state = module(x, state=state) if state is not None else module(x)
            # nirtorch returns each edge into the Output node apart: NIR sums them
            outputs.append(sum(part[0] for part in parts).numpy().copy())
    return np.asarray(outputs)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python nir_norse.py GRAPH.nir INPUT.npy OUTPUT.npy")
    graph_path, input_path, output_path = argv
    outputs = run(graph_path, np.load(input_path))
    np.save(output_path, outputs)


if __name__ == "__main__":
    main(sys.argv[1:])
