"""Read a whole window of the past out of a Legendre memory.

A `LegendreMemory` of order d holds the last theta seconds of its input as d
coefficients of shifted Legendre polynomials. This example feeds white noise
into a memory inside an ordinary Nengo model, and at the end of the run
reconstructs the entire window ``u(t - r * theta)``, r in [0, 1], from the
memory's state alone, for several orders.

Run ``python examples/legendre_window.py --help`` for the options; it prints
``name=value`` metrics and saves ``legendre_window.png``.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

import nengo_lmu  # noqa: E402
from nengo_lmu.metrics import nrmse  # noqa: E402
from nengo_lmu.networks import LegendreMemory  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default=None, help="nengo or dl (default: nengo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="legendre_window.png")
    parser.add_argument("--fast", action="store_true", help="a short run, for tests")
    args = parser.parse_args(argv)

    theta, freq, dt = 1.0, 3.0, 0.001
    duration = 1.5 if args.fast else 4.0
    orders = [4, 8, 16]

    with nengo.Network(seed=args.seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(duration, high=freq, rms=0.3))
        p_stim = nengo.Probe(stim)
        p_states = []
        for order in orders:
            memory = LegendreMemory(order, theta, dt=dt, label=f"order {order}")
            nengo.Connection(stim, memory.input, synapse=None)
            p_states.append(nengo.Probe(memory.output))

    with nengo_lmu.Simulator(model, backend=args.backend, dt=dt) as sim:
        sim.run(duration)

    # the true window at the end of the run: r = 0 is now, r = 1 is theta ago
    n_window = int(round(theta / dt))
    r = np.arange(n_window) / n_window
    past = sim.data[p_stim][::-1, 0][:n_window]

    fig, (ax_basis, ax_window) = plt.subplots(2, 1, figsize=(8, 7))
    basis = nengo_lmu.legendre_readout(orders[-1], r)
    ax_basis.plot(r, basis[:, :6])
    ax_basis.set_title("Shifted Legendre polynomials P_i(2r - 1), i < 6")
    ax_basis.set_xlabel("r (fraction of the window)")
    ax_window.plot(r * theta, past, "k", lw=3, alpha=0.3, label="true input")
    for order, probe in zip(orders, p_states):
        window = nengo_lmu.legendre_readout(order, r) @ sim.data[probe][-1]
        error = nrmse(window, past)
        print(f"window_nrmse_order_{order}={error:.4f}")
        ax_window.plot(r * theta, window, label=f"order {order} (NRMSE {error:.3f})")
    ax_window.set_xlabel("seconds ago")
    ax_window.set_ylabel("u")
    ax_window.set_title(f"The last {theta:g} s, read from the memory at t = {duration:g} s")
    ax_window.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(args.plot)
    print(f"plot={args.plot}")


if __name__ == "__main__":
    main()
