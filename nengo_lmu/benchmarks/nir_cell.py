"""``nengo-lmu bench nir --network deployed-cell``: a deployed psdigits cell in Norse.

The psdigits `.LMUCell` (the recipe of `nengo_lmu.training.recipes`, trained
for ``--epochs`` or loaded from ``--model``) is deployed for spikes by
`nengo_lmu.training.deployment.deploy` (each element held 10 steps, the
hidden layer ``SpikingRectifiedLinear`` at up to 200 Hz, the ideal memory
on the host, a lowpass readout), exported with `nengo_lmu.convert.nir.save_nir`
(the memory as NIR's ``I``, the hidden layer as ``IF``, the readout as
``LI``) and run on the same test sequences, each from the initial state:

- on nengo with nengo's neurons (`nengo_lmu.convert.nir.import_nir`, which gives the
  deployed network's output exactly);
- on nengo with NIR's ``IF`` (``import_nir(..., nengo_neurons=False)``,
  `.NIRIF`: reset to 0, the current not rectified), what a consumer runs;
- on nengo with ``IF`` whose current is rectified (``NIRIF(rectify=True)``:
  not NIR's, but what the rectification alone is worth);
- in Norse (`nengo_lmu.benchmarks.nir_norse`, the consumer environment).

A sequence's class is the readout's largest value at its last step. Norse's
``LI`` includes the step's own spikes, where nengo's ``Lowpass`` includes
them one step later: Norse's readout one step before the last is nengo's
at the last, and is the one compared.
"""

import nengo
import numpy as np

from nengo_lmu.benchmarks.nir_consumer import graph_path, run_consumer
from nengo_lmu.convert.nir import NIRIF, import_nir, save_nir
from nengo_lmu.simulator import Simulator
from nengo_lmu.training.deployment import deploy
from nengo_lmu.training.fit import train_classifier
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.training.sequences import accuracy
from nengo_lmu.training.spec import build_model, hold_elements, load_model
from nengo_lmu.utils.commands import print_metrics, quiet_stdout

STEPS_PER_ELEMENT, CALIBRATION = 10, 100


def deployed_model(args):
    """``(deployed spec, its built model, test sequences, test labels)``."""
    data = load_dataset("psdigits")
    (x_train, _), (x_test, y_test) = data
    if args.model is not None:
        spec, params = load_model(args.model)
    else:
        recipe = dict(RECIPES["psdigits"], epochs=args.epochs)
        with quiet_stdout():
            result = train_classifier(data, seed=args.seed, progress_bar=False, **recipe)
        spec, params = result["spec"], result["params"]
    # elements held, read at the last step: a readout window holds the memory
    # with a host Node, which NIR cannot hold
    dspec, dparams = deploy(spec, params, x_train[:CALIBRATION],
                            steps_per_element=STEPS_PER_ELEMENT, readout_steps=0)
    n = min(args.sequences, len(x_test))
    return dspec, build_model(dspec, dparams), x_test[:n], y_test[:n]


def run_on_nengo(graph, held, dt, nengo_neurons, backend, neuron_type=None):
    """The readout at the last step of each sequence, each run from the initial state.

    ``neuron_type``: replaces the imported populations' (None: keep them).
    """
    current = {"sequence": held[0]}

    def play(t):
        return current["sequence"][min(int(round(t / dt)) - 1, held.shape[1] - 1)]

    with nengo.Network() as model:
        net = import_nir(graph, nengo_neurons=nengo_neurons)
        for ens in net.populations.values() if neuron_type is not None else ():
            ens.neuron_type = neuron_type
        (inp,), (out,) = net.inputs.values(), net.outputs.values()
        nengo.Connection(nengo.Node(play), inp, synapse=None)
        probe = nengo.Probe(out, synapse=None)
    logits = []
    with quiet_stdout(), Simulator(model, backend=backend, dt=dt, progress_bar=False) as sim:
        for sequence in held:
            sim.reset()
            current["sequence"] = sequence
            sim.run_steps(held.shape[1])
            logits.append(sim.data[probe][-1])
    return np.asarray(logits)


def run_cell_bench(args):
    """Print the deployed cell's accuracy on nengo (two neuron types) and in Norse."""
    dspec, model, x_test, y_test = deployed_model(args)
    dt = dspec["dt"]
    path = graph_path(args)
    graph = save_nir(path, model.net, dt=dt, inputs=[model.input], outputs=[model.output])
    held = hold_elements(np.asarray(x_test, dtype=float), STEPS_PER_ELEMENT)
    nengo_logits = run_on_nengo(graph, held, dt, True, args.backend)
    nir_if_logits = run_on_nengo(graph, held, dt, False, args.backend)
    rectified_logits = run_on_nengo(graph, held, dt, False, args.backend,
                                    neuron_type=NIRIF(dt=dt, rectify=True))
    norse_logits = run_consumer(args.consumer_python, path, held)[:, -2]
    metrics = {
        "sequences": len(x_test),
        "steps_per_element": STEPS_PER_ELEMENT,
        "rate_scale": dspec["deployment"]["rate_scale"],
        "nengo_accuracy": accuracy(nengo_logits, y_test),
        "nengo_nir_if_accuracy": accuracy(nir_if_logits, y_test),
        "nengo_rectified_if_accuracy": accuracy(rectified_logits, y_test),
        "norse_accuracy": accuracy(norse_logits, y_test),
        "norse_agreement_with_nengo_nir_if": float(np.mean(
            np.argmax(norse_logits, axis=-1) == np.argmax(nir_if_logits, axis=-1)
        )),
        "nir_file": str(path),
    }
    print_metrics(metrics)
    return metrics
