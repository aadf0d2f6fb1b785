"""A memory window ``theta`` that NengoDL learns: the memory's ``Ad``, ``Bd`` as functions of it.

An ideal memory runs ``m[t] = Ad m[t-1] + Bd u[t]`` through two connections
whose transforms are ``Ad`` and ``Bd`` for one ``theta``. To learn ``theta``
(an `.LMUCell` with ``trainable_theta=True``), the build adds one operator,
`DiscretizeTheta`, that sets those connections' weights from a signal
holding ``log(theta)`` at every step: zero-order hold, ``[[Ad, Bd], [0, 1]] =
expm([[A, B], [0, 0]] dt / theta)`` (Van Loan), or Euler, ``Ad = I + A dt /
theta``, ``Bd = B dt / theta``, for the simulator's ``dt``. In NengoDL the
signal is a trained variable and the matrix exponential is TensorFlow's
(differentiable), so the gradient of the loss reaches ``theta`` through the
discretization, as in KerasLMU. Its logarithm is trained so that an
optimizer's step changes ``theta`` by a fraction of itself, whatever its scale.
Other simulators run the operator with numpy: the weights ``theta`` gives.
"""

import numpy as np
from nengo.builder import Operator, Signal

from nengo_lmu.backends import import_backend_module
from nengo_lmu.legendre import discretize, legendre_ab

#: the key of the log-theta signal in ``model.sig[cell]`` (NengoDL reads it back)
LOG_THETA = "log_theta"


class DiscretizeTheta(Operator):
    """Set a memory's ``Ad`` and ``Bd`` weights from ``log(theta)``.

    Parameters
    ----------
    log_theta : Signal
        ``(1,)``: the log of the window in seconds.
    weights_a, weights_b : list of Signal
        The weights of the memory's recurrent (``Ad``) and input (``Bd``)
        connections, one of each per memory dimension.
    order : int
    dt : float
    method : {"zoh", "euler"}
    """

    def __init__(self, log_theta, weights_a, weights_b, order, dt, method, tag=None):
        super().__init__(tag=tag)
        self.order, self.dt, self.method = order, dt, method
        self.n_a = len(weights_a)
        self.sets = list(weights_a) + list(weights_b)
        self.incs = []
        self.reads = [log_theta]
        self.updates = []

    @property
    def log_theta(self):
        return self.reads[0]

    @property
    def weights_a(self):
        return self.sets[: self.n_a]

    @property
    def weights_b(self):
        return self.sets[self.n_a:]

    def make_step(self, signals, dt, rng):
        log_theta = signals[self.log_theta]
        outs_a = [signals[sig] for sig in self.weights_a]
        outs_b = [signals[sig] for sig in self.weights_b]
        cache = {}

        def step_discretize_theta():
            theta = float(np.exp(log_theta[0]))
            if cache.get("theta") != theta:  # theta is fixed outside NengoDL
                cache["theta"] = theta
                cache["ab"] = discretize(*legendre_ab(self.order, theta), self.dt, self.method)
            Ad, Bd = cache["ab"]
            for out in outs_a:
                out[...] = Ad
            for out in outs_b:
                out[...] = Bd

        return step_discretize_theta


def add_discretize_theta(model, cell):
    """Add the operator that makes ``cell``'s memory follow a trained ``log(theta)``.

    Called by the cell's build, after its memory is built; the signal is
    ``model.sig[cell]["log_theta"]``, which NengoDL trains (it is marked
    trainable, not minibatched). The memory's connections keep their
    ``weights`` signals, which no operator reads any more: NengoDL's
    ``get_nengo_params`` gives their built values, not those of the learned
    theta (`nengo_lmu.training.get_params` leaves them out).
    """
    memory = cell.memory
    log_theta = Signal(np.array([np.log(cell.theta)]), name=f"{cell}.log_theta")
    # NengoDL makes a signal marked so before its build a trained variable
    log_theta.trainable = True
    log_theta.minibatched = False
    model.sig[cell][LOG_THETA] = log_theta
    weights = {"A": [], "B": []}
    replaced = {}
    for conn, role in memory._discretized_roles:  # pylint: disable=protected-access
        old = model.sig[conn]["weights"]
        # NengoDL refuses an operator that sets a connection's weights (its
        # parameters are variables, never set): the memory reads a signal
        # of its own, a state that is not minibatched
        new = Signal(old.initial_value, name=f"{old.name}.from_theta")
        new.trainable = None
        new.minibatched = False
        replaced[old] = new
        weights[role].append(new)
    for op in model.operators:
        for signals in (op.reads, op.sets, op.incs, op.updates):
            signals[:] = [replaced.get(sig, sig) for sig in signals]
    model.add_op(DiscretizeTheta(
        log_theta, weights["A"], weights["B"], memory.order, model.dt, memory.method,
        tag=f"{cell}.discretize_theta",
    ))
    register_nengo_dl_builder()


_REGISTERED = []


def register_nengo_dl_builder():
    """Register NengoDL's builder of `DiscretizeTheta` (once; NengoDL is imported by then)."""
    if _REGISTERED:
        return
    nengo_dl = import_backend_module("nengo_dl")
    tf = import_backend_module("tensorflow")

    @nengo_dl.builder.Builder.register(DiscretizeTheta)
    class DiscretizeThetaBuilder(nengo_dl.builder.OpBuilder):
        """`DiscretizeTheta` in TensorFlow: ``Ad``, ``Bd`` differentiable in ``log(theta)``."""

        def build_pre(self, signals, config):
            super().build_pre(signals, config)
            op = self.ops[0]
            self.op = op
            self.log_theta = signals.combine([op.log_theta])
            self.outs_a = [signals.combine([sig]) for sig in op.weights_a]
            self.outs_b = [signals.combine([sig]) for sig in op.weights_b]

        def build_step(self, signals):
            op = self.op
            log_theta = tf.reshape(signals.gather(self.log_theta), ())
            Ad, Bd = discretize_tf(log_theta, op.order, op.dt, op.method)
            for outs, value in ((self.outs_a, Ad), (self.outs_b, Bd)):
                value = tf.cast(value, signals.dtype)
                for out in outs:
                    signals.scatter(out, tf.reshape(value, out.full_shape), mode="update")

        @staticmethod
        def mergeable(x, y):
            return False

    _REGISTERED.append(DiscretizeThetaBuilder)


def discretize_tf(log_theta, order, dt, method):
    """``(Ad, Bd)`` as TensorFlow float64 tensors, differentiable in ``log_theta`` (a scalar).

    Zero-order hold by Van Loan's exponential, ``[[Ad, Bd], [0, 1]] =
    expm([[A, B], [0, 0]] dt / theta)`` (one exponential, no inverse of
    ``A``), or Euler, ``Ad = I + A dt / theta``, ``Bd = B dt / theta``.
    """
    tf = import_backend_module("tensorflow")
    A, B = legendre_ab(order, 1.0)
    scale = tf.exp(-tf.cast(log_theta, tf.float64))
    if method == "zoh":
        block = np.zeros((order + 1, order + 1))
        block[:order, :order], block[:order, order:] = A * dt, B * dt
        full = tf.linalg.expm(tf.constant(block) * scale)
        return full[:order, :order], full[:order, order:]
    return (tf.eye(order, dtype=tf.float64) + tf.constant(A * dt) * scale,
            tf.constant(B * dt) * scale)


def kernel_tf(Ad, Bd, n_steps):
    """``(n_steps, order)`` tensor: row ``k`` is ``Ad^k Bd`` (`nengo_lmu.impulse_response`).

    Differentiable in ``Ad`` and ``Bd``: rows are doubled by products with
    ``Ad`` squared again and again, ``log2(n_steps)`` matrix products rather
    than ``n_steps`` sequential ones.
    """
    tf = import_backend_module("tensorflow")
    rows, power = tf.transpose(Bd), Ad  # rows k < n hold (Ad^k Bd)^T; power = Ad^n
    n = 1
    while n < n_steps:
        rows = tf.concat([rows, tf.matmul(rows, power, transpose_b=True)], axis=0)
        power = tf.matmul(power, power)
        n *= 2
    return rows[:n_steps]


def learned_theta(sim, cell):
    """The window ``theta`` (seconds) that NengoDL simulator ``sim`` has for ``cell`` now."""
    log_theta = sim.data.get_params((cell, LOG_THETA))[0]
    return float(np.exp(np.ravel(log_theta)[0]))


def theta_from_params(params, default):
    """The learned ``theta`` stored in model params (`nengo_lmu.training.get_params`), else ``default``."""
    return float(params["theta"]) if params is not None and "theta" in params else default

