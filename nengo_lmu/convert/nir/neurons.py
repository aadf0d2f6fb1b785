"""NIR's neurons as nengo neuron types: `NIRLIF` (exported) and `NIRIF` (imported)."""

import nengo
import numpy as np

from nengo_lmu.params import NumberParam


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


class NIRIF(nengo.neurons.NeuronType):
    """NIR's integrate-and-fire neuron ``IF``, stepped as NIR's consumers step it.

    Each step, ``v += J * dt`` (no rectification: a negative current lowers
    ``v``, without a floor); a neuron whose ``v`` exceeds 1 emits one spike
    (``1 / dt``, nengo's spike of value 1) and is reset to 0. This is what
    ``nengo.SpikingRectifiedLinear`` (exported as ``IF``) becomes in a NIR
    consumer: nengo's neuron rectifies its current, keeps the overshoot
    (reset by subtraction) and may spike more than once per step.
    `import_nir` builds ``IF`` populations with it when asked for NIR's
    equations (``nengo_neurons=False``). It runs on the ``nengo`` backend.

    Parameters
    ----------
    dt : float
        The time step the network will run at, in seconds (for `rates`).
    rectify : bool
        Add ``max(J, 0) * dt`` instead, as nengo's neuron does (not NIR's
        ``IF``: for measuring what the rectification alone is worth).
    initial_state : dict, optional
        Initial ``voltage`` (default 0).
    """

    state = {"voltage": nengo.dists.Choice([0.0])}
    spiking = True
    dt = NumberParam("dt", low=0, low_open=True)
    rectify = nengo.params.BoolParam("rectify")

    def __init__(self, dt=0.001, rectify=False, initial_state=None):
        super().__init__(initial_state=initial_state)
        self.dt = dt
        self.rectify = rectify

    def rates(self, x, gain, bias):
        """Firing rates for inputs ``x``: whole steps to pass the threshold."""
        J = np.asarray(self.current(x, gain, bias), dtype=float)
        out = np.zeros_like(J)
        above = J > 0
        out[above] = 1.0 / (self.dt * (np.floor(1.0 / (J[above] * self.dt)) + 1))
        return out

    def step(self, dt, J, output, voltage):
        """One forward-Euler step of ``dv/dt = J``, reset to 0 above 1."""
        voltage += (np.maximum(J, 0) if self.rectify else J) * dt
        spiked = voltage > 1
        output[...] = spiked / dt
        voltage[spiked] = 0.0
