"""Reading a deployed classifier over a window during which its memory is held.

A classifier's output is a function of its final memory state (and last
element) only. With rate neurons the hidden layer gives it in one step; with
spiking neurons one step holds at most one spike per neuron, so the output
at any one step is a poor estimate of it. A deployed classifier therefore
ends each sequence with a **readout window**: for ``readout_steps`` steps
the last element stays on the input and the memory is held at its final
state (a host Node cancels the memory's update,
``m[t] = Ad m[t-1] + Bd u[t]``, by adding ``(I - Ad) m[t-1] - Bd u[t]``), so
that the hidden neurons see the trained model's final inputs throughout;
the output is the readout averaged over the window (the host counts the
hidden neurons' spikes). The memory is an ideal one, computed on the host,
so holding it needs no change on the chip.

`add_hold_node` adds the Node to a plain Nengo model (``nengo``,
``loihi-sim``, ``loihi``, one sequence after another); `add_hold_tensor_node`
adds the same operation as a NengoDL ``TensorNode`` (NengoDL calls a Python
Node once per minibatch row, which would cost minutes per batch).
"""

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import import_backend_module
from nengo_lmu.legendre import matrices_impulse_response
from nengo_lmu.params import IntParam
from nengo_lmu.training.spec import recurrent_option

READOUT_STEPS = IntParam("readout_steps", low=0)
SETTLE_STEPS = IntParam("settle_steps", low=0)


def readout_steps(spec):
    """Steps of a deployed classifier's readout window (0: read at the last step)."""
    return int(spec.get("readout_steps", 0))


def settle_steps(spec):
    """Steps the memory is held before a deployed classifier's readout window opens.

    They let an on-chip input filter reach the held state (see
    `nengo_lmu.training.deployment.deploy`'s ``input_tau``); 0 for a spec
    deployed without one.
    """
    return int(spec.get("settle_steps", 0))


def transform_matrix(conn):
    """A connection's transform as an array (a ``Dense`` transform's ``init``, or the array)."""
    transform = conn.transform
    return np.asarray(getattr(transform, "init", transform), dtype=float)


def memory_matrices(memory):
    """``(Ad, Bd)`` of an ideal `.LegendreMemory` as built: ``m[t] = Ad m[t-1] + Bd u[t]``.

    Read from the memory's connections (block-diagonal over its input
    dimensions), so that they are the matrices the network runs, however it
    was discretized or rebuilt.
    """
    if memory.n_neurons is not None:
        raise ValidationError("Only an ideal memory (n_neurons=None) can be held or reset",
                              "memory")
    size = memory.size_out
    Ad = np.zeros((size, size))
    Bd = np.zeros((size, memory.size_in))
    for conn in memory.all_connections:
        matrix = transform_matrix(conn)
        rows = conn.post.slice if hasattr(conn.post, "slice") else slice(None)
        if conn.pre is conn.post:
            Ad[rows, rows] = matrix
        else:
            cols = conn.pre.slice if hasattr(conn.pre, "slice") else slice(None)
            Bd[rows, cols] = matrix.reshape(Bd[rows, cols].shape)
    return Ad, Bd


def final_states(memory, u):
    """The ideal ``memory``'s state after the input sequences ``u`` (n, steps, size_in).

    The same zero-order-hold recursion as the memory's own Nodes, from a zero
    state, ``m[T] = sum_k Ad^k Bd u[T - k]``, in one product with the
    memory's impulse response (its matrices as built, `memory_matrices`).
    """
    response = matrices_impulse_response(*memory_matrices(memory), u.shape[1])
    return np.einsum("ntj,tij->ni", np.asarray(u, dtype=float)[:, ::-1], response)


def hold_update(Ad, Bd):
    """The matrices ``(I - Ad, -Bd)`` that, applied to ``(m[t-1], u[t])``, hold the memory."""
    return np.eye(len(Ad)) - Ad, -Bd


def _connect(memory, node):
    """Feed ``node`` with ``(m[t-1], u[t])`` and add its output to the memory state."""
    size = memory.size_out
    nengo.Connection(memory.output, node[:size], synapse=0)  # m[t - 1]
    nengo.Connection(memory.input, node[size:], synapse=None)  # u[t]
    nengo.Connection(node, memory.output, synapse=None)


def add_hold_node(memory, hold, reset=(), jump=None, label="hold memory"):
    """Add a Node that holds the memory at the steps in ``hold`` and clears it at ``reset``.

    ``hold`` and ``reset`` are sets of step indices (0 for the first step);
    at a reset step the Node cancels ``Ad m[t-1]`` (the memory restarts from
    its input), at a held step the whole update. ``jump`` maps steps to
    states: at such a step the memory is set to the state (the whole update
    cancelled, the state added). Call inside the network.
    """
    jump = {} if jump is None else jump
    Ad, Bd = memory_matrices(memory)
    keep, drive = hold_update(Ad, Bd)
    size = memory.size_out
    dt = memory.dt

    def update(t, x):
        step = int(round(t / dt)) - 1  # t = (step + 1) dt
        m, u = x[:size], x[size:]
        if step in jump:
            return jump[step] - Ad @ m - Bd @ u
        if step in reset:
            return -Ad @ m
        if step in hold:
            return keep @ m + drive @ u
        return np.zeros(size)

    node = nengo.Node(update, size_in=size + memory.size_in, size_out=size, label=label)
    _connect(memory, node)
    return node


def add_hold_tensor_node(memory, first_step, label="hold memory"):
    """Add a NengoDL ``TensorNode`` that holds the memory from step ``first_step`` on.

    The same update as `add_hold_node`, on a whole minibatch at once (every
    row's sequence has the same length, so one step index serves all).
    Call inside the network; NengoDL only.
    """
    nengo_dl = import_backend_module("nengo_dl")
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    keep, drive = hold_update(*memory_matrices(memory))
    size = memory.size_out
    keep_t = tf.constant(keep.T, dtype=tf.float32)
    drive_t = tf.constant(drive.T, dtype=tf.float32)
    # t = (step + 1) dt: hold once t passes the middle of the step before first_step
    threshold = (first_step + 0.5) * memory.dt

    def update(t, x):
        on = tf.cast(t > threshold, x.dtype)
        return on * (tf.matmul(x[:, :size], keep_t) + tf.matmul(x[:, size:], drive_t))

    node = nengo_dl.TensorNode(update, shape_in=(size + memory.size_in,),
                               shape_out=(size,), pass_time=True, label=label)
    _connect(memory, node)
    return node


def windowable(spec):
    """Whether ``spec``'s trained model can be read over a window.

    A feedforward classifier trained without a readout lowpass: its output
    is a function of the final memory state and the last element alone.
    """
    return (spec["task"] == "classify" and recurrent_option(spec) is None
            and spec.get("readout_synapse") is None)


def check_windowed(spec, steps):
    """Raise a ``ValidationError`` if ``spec``'s model cannot be read over a window of ``steps``.

    See `windowable`.
    """
    if steps == 0:
        return
    if spec["task"] != "classify":
        raise ValidationError(
            "A readout window reads a classifier's final state; a regressor is read at "
            "every element (use readout_steps=0)", "readout_steps")
    name = recurrent_option(spec)
    if name is not None:
        raise ValidationError(
            f"Holding the memory for a readout window needs a feedforward cell; this "
            f"one has {name}=True (train with {name}=False, or use readout_steps=0)",
            "readout_steps")
    if spec.get("readout_synapse") is not None:
        # the window reads the hidden state of the final memory alone; a model
        # trained through a lowpass reads an average over its last elements
        raise ValidationError(
            f"A readout window reads the output of the final state alone; this model "
            f"was trained to read its last elements through a "
            f"{spec['readout_synapse']:g} s lowpass, which the window does not reproduce "
            f"(train with readout_synapse=None, or use readout_steps=0)", "readout_steps")
