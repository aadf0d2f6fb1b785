"""Run an exported NIR graph in Norse: the consumer side of ``nengo-lmu bench nir``.

Runs in the optional consumer environment of ``make nir-check`` (torch,
nir, nirtorch, Norse; no nengo, no TensorFlow), as a script::

    python nir_norse.py GRAPH.nir INPUT.npy OUTPUT.npy

``INPUT.npy`` holds the graph's one input, one row per step (or a batch of
sequences, ``(sequences, steps, size)``, each run from the initial state);
the graph's one output, alike, is written to ``OUTPUT.npy``. The graph is
loaded with ``nirtorch.nir_to_torch`` and Norse's node mapper (not
``norse.from_nir``, whose older executor gets loops of more than two nodes
wrong), at the ``dt`` in the graph's metadata.

One workaround, of a Norse 1.1.0 bug: its ``CubaLIF`` filters the input
current with a leaky integrator that leaks towards the neuron's
``v_leak``, where NIR's synapse (``tau_syn dI/dt = -I + w_in S``) leaks
towards 0; a population with a bias (``v_leak``) would get it twice. The
synapse's ``v_leak`` is set to 0 after mapping.

Norse 1.1.0's mapper reads neither NIR's integrator ``I`` nor its leaky
integrator ``LI``, and its ``IF`` (``IAFCell``) adds its input to ``v`` as
it is, ignoring ``dt`` and ``r``, where NIR's ``dv/dt = r I`` steps by
``dt r I``. Mapped here: ``I`` as forward Euler (`Integrator`), ``LI`` as
Norse's own leaky integrator (``LIBoxCell``, the synapse of its
``CubaLIF``), and ``IF`` as Norse's ``IAFCell`` fed ``dt r I``.
"""

import functools
import sys

import nir
import nirtorch
import numpy as np
import torch
from norse.torch.functional.leaky_integrator_box import LIBoxParameters
from norse.torch.module.leaky_integrator_box import LIBoxCell
from norse.torch.utils import import_nir as norse_import


class Integrator(torch.nn.Module):
    """NIR's ``I`` (``dv/dt = r I``), one forward-Euler step per call."""

    def __init__(self, r, dt):
        super().__init__()
        self.r, self.dt = torch.as_tensor(r, dtype=torch.float32), dt

    def forward(self, x, state=None):
        v = self.dt * self.r * x if state is None else state + self.dt * self.r * x
        return v, v


class Scaled(torch.nn.Module):
    """``module`` fed its input times ``scale``."""

    def __init__(self, scale, module):
        super().__init__()
        self.scale, self.module = torch.as_tensor(scale, dtype=torch.float32), module

    def forward(self, x, state=None):
        return self.module(self.scale * x, state)


def norse_module(node, dt):
    """Norse's mapping of ``node``, with the workarounds above."""
    if isinstance(node, nir.I):
        return Integrator(node.r, dt)
    if isinstance(node, nir.LI):
        cell = LIBoxCell(LIBoxParameters(tau_mem_inv=1 / torch.as_tensor(node.tau).float(),
                                         v_leak=torch.as_tensor(node.v_leak).float()), dt=dt)
        return Scaled(node.r, cell)
    module = norse_import._import_norse_module(node, dt=dt)  # pylint: disable=protected-access
    if isinstance(node, nir.IF):
        return Scaled(dt * node.r, module)
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
    kinds = (nir.Linear, nir.Affine, nir.LIF, nir.CubaLIF, nir.IF, nir.I, nir.LI)
    module = nirtorch.nir_to_torch(graph, {kind: mapper for kind in kinds})
    batch = np.asarray(inputs, dtype=np.float32)
    single = batch.ndim < 3
    if single:  # one sequence of (steps,) or (steps, size)
        batch = batch.reshape(1, len(batch), -1)
    state = None
    outputs = []
    with torch.no_grad():
        for step in range(batch.shape[1]):
            x = torch.as_tensor(batch[:, step])
            *parts, state = module(x, state=state) if state is not None else module(x)
            # nirtorch returns each edge into the Output node apart: NIR sums them
            outputs.append(sum(parts).numpy().copy())
    outputs = np.stack(outputs, axis=1)
    return outputs[0] if single else outputs


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python nir_norse.py GRAPH.nir INPUT.npy OUTPUT.npy")
    graph_path, input_path, output_path = argv
    outputs = run(graph_path, np.load(input_path))
    np.save(output_path, outputs)


if __name__ == "__main__":
    main(sys.argv[1:])
