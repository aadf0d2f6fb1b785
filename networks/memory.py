"""The Legendre memory as a Nengo network."""

import nengo
import numpy as np
from nengo.params import EnumParam, IntParam, NumberParam

from nengo_lmu.legendre import discretize, legendre_ab, legendre_readout
from nengo_lmu.validation import check_in_interval, reject_bool


class LegendreMemory(nengo.Network):
    """A memory of the last ``theta`` seconds of its input, in Legendre form.

    Each input dimension gets a state ``m`` of ``order`` dimensions that obeys
    ``theta * dm/dt = A m + B u`` (see `nengo_lmu.legendre_ab`); the input
    ``r * theta`` seconds ago is ``legendre_readout(order, r) @ m``.

    The memory is ideal: a Node whose recurrent connection applies the exact
    zero-order-hold discretization (`nengo_lmu.discretize`), so that
    ``m[t] = Ad m[t - 1] + Bd u[t]`` with no neurons and no approximation
    beyond the Legendre basis itself. It runs on every backend, and NengoDL
    can differentiate through it.

    Parameters
    ----------
    order : int
        Number of Legendre dimensions per input dimension. The memory
        represents frequencies up to roughly ``order / (2 * theta)`` Hz.
    theta : float
        Length of the window in seconds.
    size_in : int
        Number of input dimensions; each gets a memory of its own.
    dt : float
        Time step of the simulator that will run the network, in seconds. The
        discrete system is exact only at this step; `nengo_lmu.Simulator`
        refuses to run the network at any other.
    method : {"zoh", "euler"}
        Discretization method (see `nengo_lmu.discretize`).
    label : str
        A name for the network.
    seed : int
        Seed for the network's random number generator.
    add_to_container : bool
        Whether to add the network to the current context.

    Attributes
    ----------
    input : nengo.Node
        The signal to remember (``size_in`` dimensions).
    output : nengo.Node
        The memory state (``order * size_in`` dimensions); dimensions
        ``k * order`` to ``(k + 1) * order`` hold the memory of input ``k``.
    A, B : ndarray
        The continuous system (``1 / theta`` folded in).
    Ad, Bd : ndarray
        The discrete system that the network runs.

    Examples
    --------
    Delay a white noise signal by 0.2 seconds:

    >>> import nengo
    >>> from nengo_lmu.networks import LegendreMemory
    >>> with nengo.Network(seed=0) as model:
    ...     stim = nengo.Node(nengo.processes.WhiteSignal(2.0, high=2))
    ...     memory = LegendreMemory(order=6, theta=0.5)
    ...     nengo.Connection(stim, memory.input, synapse=None)
    ...     delayed = memory.add_delays([0.2])
    ...     probe = nengo.Probe(delayed)
    """

    order = IntParam("order", low=1, readonly=True)
    theta = NumberParam("theta", low=0, low_open=True, readonly=True)
    size_in = IntParam("size_in", low=1, readonly=True)
    dt = NumberParam("dt", low=0, low_open=True, readonly=True)
    method = EnumParam("method", values=("zoh", "euler"), readonly=True)

    def __init__(
        self,
        order,
        theta,
        size_in=1,
        dt=0.001,
        method="zoh",
        label=None,
        seed=None,
        add_to_container=None,
    ):
        super().__init__(label=label, seed=seed, add_to_container=add_to_container)
        reject_bool("order", order, obj=self)
        reject_bool("size_in", size_in, obj=self)
        self.order = order
        self.theta = theta
        self.size_in = size_in
        self.dt = dt
        self.method = method

        self.A, self.B = legendre_ab(self.order, self.theta)
        self.Ad, self.Bd = discretize(self.A, self.B, self.dt, method=self.method)

        with self:
            self.input = nengo.Node(size_in=self.size_in, label="input")
            self.output = nengo.Node(size_in=self.order * self.size_in, label="state")
            # one pair of connections per input dimension: the memories are
            # independent, and block-diagonal weights would cost size_in**2
            self.input_connections = []
            self.state_connections = []
            for k in range(self.size_in):
                state = self.output[k * self.order : (k + 1) * self.order]
                self.input_connections.append(
                    nengo.Connection(
                        self.input[k], state, transform=self.Bd, synapse=None
                    )
                )
                # synapse=0 delays by one step: this reads m[t - 1]
                self.state_connections.append(
                    nengo.Connection(state, state, transform=self.Ad, synapse=0)
                )

    @property
    def size_out(self):
        """Dimensionality of the memory state (``order * size_in``)."""
        return self.order * self.size_in

    def readout_transform(self, delays):
        """The transform from the state to the input ``delays`` seconds ago.

        Parameters
        ----------
        delays : float or array_like
            Delays in seconds, each in ``[0, theta]``.

        Returns
        -------
        transform : (len(delays) * size_in, order * size_in) ndarray
            Row ``k * len(delays) + j`` reads input dimension ``k`` delayed by
            ``delays[j]``.
        """
        delays = check_in_interval("delays", delays, 0.0, self.theta, obj=self)
        readout = legendre_readout(self.order, np.atleast_1d(delays) / self.theta)
        return np.kron(np.eye(self.size_in), readout)

    def add_delays(self, delays, label="delays"):
        """Add a Node that outputs the input delayed by each of ``delays``.

        Parameters
        ----------
        delays : float or array_like
            Delays in seconds, each in ``[0, theta]``.
        label : str
            Label of the new Node.

        Returns
        -------
        nengo.Node
            ``len(delays) * size_in`` dimensions, ordered as in
            `.readout_transform`.
        """
        transform = self.readout_transform(delays)
        with self:
            node = nengo.Node(size_in=transform.shape[0], label=label)
            nengo.Connection(self.output, node, transform=transform, synapse=None)
        return node
