"""The online-learning demos' networks, as nengo-gui shows them.

Each is the network that ``nengo-lmu demo NAME`` runs (built by the demo's own
function, with the demo's defaults), with what watching it needs: an input
that never ends (the demo's white noise, repeated), a target computed from the
input the memory actually receives (so that a slider can override the input),
a switch that turns learning on and off, and one node that carries the target
and the learned output side by side for a single plot.
"""

import inspect

import nengo
import numpy as np

from nengo_lmu.demos.learn_delay import delay_learning_network, run_delay_learning_demo
from nengo_lmu.demos.learn_product import (
    DEFAULT_LEARNING_RATES,
    product_learning_network,
    run_product_learning_demo,
)
from nengo_lmu.demos.mackey_glass import (
    mackey_glass_network,
    run_mackey_glass_demo,
    series_steps,
)
from nengo_lmu.demos.online import white_noise_input


def demo_defaults(run):
    """A demo function's default arguments, by name: the GUI runs the demo as the command does."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(run).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


class DelayLine:
    """A signal's recent past: ``write(t, x)`` every step, ``read(t, lag)`` gives it ``lag`` steps late.

    Zero before anything that old was written. Time going back (nengo-gui's
    reset starts a new simulator at 0 with the same Nodes) forgets the past.
    """

    def __init__(self, max_lag, dt):
        self.dt = dt
        # a slot more than the longest lag (and one for lag 0), so that a read
        # never sees a slot rewritten in its own step, whichever Node runs first
        self.buffer = np.zeros(int(max_lag) + 2)
        self.last = -1

    def _step(self, t):
        return int(round(t / self.dt))

    def write(self, t, x):
        step = self._step(t)
        if step <= self.last:
            self.buffer[:] = 0.0
        self.last = step
        self.buffer[step % len(self.buffer)] = x[0]

    def read(self, t, lag):
        step = self._step(t) - lag
        if step < 1 or step > self.last:
            return 0.0
        return self.buffer[step % len(self.buffer)]

    def record(self, model, node):
        """Write ``node``'s output (one dimension) into this line on every step of ``model``.

        The Node that writes is ``model.delay_line``.
        """
        with model:
            model.delay_line = nengo.Node(self.write, size_in=1, size_out=0, label="delay line")
            nengo.Connection(node, model.delay_line, synapse=None)


def add_learning_switch(model, readout):
    """``model.learning_switch``: a Node whose value (a slider in nengo-gui) turns learning on (1) or off (0).

    ``model.set_learning`` sets ``readout.learning`` from it on every step.
    """

    def set_learning(t, on):
        readout.learning = bool(on[0] > 0.5)

    with model:
        model.learning_switch = nengo.Node([1.0 if readout.learning else 0.0], label="learning")
        # size_out given, so that nengo does not call it (and switch learning off) to find it
        model.set_learning = nengo.Node(
            set_learning, size_in=1, size_out=0, label="sets readout.learning"
        )
        nengo.Connection(model.learning_switch, model.set_learning, synapse=None)


def add_comparison(model, readout, targets, labels, synapse=None):
    """``model.comparison``: the ``targets`` and the learned output in one Node, for one plot.

    Each target goes through ``synapse`` and the learned connections'
    synapse, as the output does (as in `.filtered_like_output`), so that the
    plot compares like with like.
    """
    target_synapse = readout.synapse if synapse is None else synapse.combine(readout.synapse)
    with model:
        model.comparison = nengo.Node(size_in=len(targets) + 1, label=" / ".join(labels))
        for i, target in enumerate(targets):
            nengo.Connection(target, model.comparison[i], synapse=target_synapse)
        nengo.Connection(readout.output, model.comparison[-1], synapse=None)


def learn_delay_model(seed=0):
    """The learn-delay demo's network: white noise into a memory, PES learning a 0.5 s delay.

    Returns the network of `.delay_learning_network` with ``learning_switch``
    and ``comparison`` (target, learned output) added.
    """
    d = demo_defaults(run_delay_learning_demo)
    dt = d["dt"]
    _, u, _, _ = white_noise_input(d["duration"], d["freq"], d["rms"], d["test_fraction"], dt,
                                   seed)
    lag = round(d["delay"] / dt)
    line = DelayLine(lag, dt)
    model = delay_learning_network(
        nengo.processes.PresentInput(u, presentation_time=dt),
        lambda t: line.read(t, lag),
        d["order"], d["theta"], d["n_neurons"], d["learning_rate"], dt, seed,
    )
    line.record(model, model.stim)
    add_learning_switch(model, model.readout)
    add_comparison(model, model.readout, [model.target],
                   [f"target u(t - {d['delay']:g})", "learned output"])
    return model


def learn_product_model(seed=0):
    """The learn-product demo's network: PES learning ``u(t) u(t - 0.5)`` from the memory.

    Its default population (``"window"``) on the nengo backend. The target is
    computed from the input one step late (the Node that records the input
    may run after the one that reads it), which a 1 ms step cannot show.
    """
    d = demo_defaults(run_product_learning_demo)
    dt = d["dt"]
    process, u, _, _ = white_noise_input(d["duration"], d["freq"], d["rms"],
                                         d["test_fraction"], dt, seed)
    lag = round(d["delay"] / dt)
    line = DelayLine(lag + 1, dt)
    readout_options = dict(
        n_neurons=d["n_neurons"],
        learning_rate=DEFAULT_LEARNING_RATES[d["population"]],
        population=d["population"],
        delays=[0.0, d["delay"]],
        input_synapse=d["input_synapse"],
    )
    model = product_learning_network(
        nengo.processes.PresentInput(u, presentation_time=dt),
        lambda t: line.read(t, 1) * line.read(t, lag + 1),
        process, d["order"], d["theta"], dt, seed, d["input_synapse"], readout_options,
    )
    line.record(model, model.stim)
    add_learning_switch(model, model.readout)
    add_comparison(model, model.readout, [model.target],
                   [f"target u(t) u(t - {d['delay']:g})", "learned output"],
                   synapse=d["input_synapse"])
    return model


def mackey_glass_model(seed=0):
    """The Mackey-Glass demo's network: learning online to predict the series 15 samples ahead.

    While learning, the memory sees the series late and the readout learns
    the present; with learning off it sees the present and predicts. The
    series repeats after the demo's duration. ``comparison`` holds the
    series now, the series ``ahead`` samples on and the learned output.
    """
    d = demo_defaults(run_mackey_glass_demo)
    dt = d["dt"]
    per_sample = round(d["sample_time"] / dt)
    u = series_steps(round(d["duration"] / d["sample_time"]), per_sample)
    shift = d["ahead"] * per_sample

    def sample(t, lag=0):
        return u[(int(round(t / dt)) - 1 - lag) % len(u)]

    model = mackey_glass_network(
        sample, shift, d["order"], d["window"] * d["sample_time"], d["n_neurons"],
        d["learning_rate"], dt, seed,
    )
    with model:
        model.future = nengo.Node(lambda t: sample(t, -shift), label="series ahead")
    add_learning_switch(model, model.readout)
    add_comparison(model, model.readout, [model.now, model.future],
                   ["series now", f"series {d['ahead']} samples on", "learned output"])
    return model
