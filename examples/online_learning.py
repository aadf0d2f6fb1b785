"""Learn readouts of a Legendre memory online, with PES, on spiking neurons.

Three demos, each learning for the first 80% of the run and scored over the
last 20% with learning switched off:

- ``delay``: learn the input delayed by 0.5 s from an order-8 memory of 1 s
  (white noise, 2 Hz, RMS 0.3; 1000 neurons). Next to it: the NRMSE of the
  memory's fixed linear Legendre readout.
- ``product``: learn ``u(t) * u(t - 0.5)``, a nonlinear function of the
  window, from the same memory. Next to it: the NRMSE of the best fixed
  (least-squares) decoder of the same neurons, and of the product of the
  memory's two Legendre readouts.
- ``mackey-glass``: predict the Mackey-Glass series 15 samples ahead. Next
  to it: persistence (predicting no change).

The core of each is a few lines::

    memory = LegendreMemory(8, 1.0)                      # ideal memory of 1 s
    nengo.Connection(stim, memory.input, synapse=None)
    readout = LearnedReadout(memory, n_neurons=1000)      # PES, from zero
    readout.learn_from(target_node)                      # error = output - target
    ...
    sim.run(80.0)
    readout.learning = False                             # freeze the weights
    sim.run(20.0)

and, for a nonlinear target, a population that can represent it: here
``LearnedReadout(memory, population="window", delays=[0, 0.5], ...)``, an
ensemble of the two window samples from which PES learns the product.

Run ``python examples/online_learning.py --help`` for the options; it prints
``name=value`` metrics (prefixed by the demo's name) and saves one plot per
demo (``--plot`` gets the demo's name inserted before its extension).
"""

import argparse
import pathlib

import nengo

from nengo_lmu.demos import (
    run_delay_learning_demo,
    run_mackey_glass_demo,
    run_product_learning_demo,
)

DEMOS = {
    "delay": run_delay_learning_demo,
    "product": run_product_learning_demo,
    "mackey-glass": run_mackey_glass_demo,
}
# --fast: long enough that every demo has something to score (Mackey-Glass
# skips one window of 1 s after learning stops)
FAST_DURATION = {"delay": 5.0, "product": 5.0, "mackey-glass": 10.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--demo", default="all", choices=[*DEMOS, "all"], help="which demo (default: all)"
    )
    parser.add_argument("--backend", default=None, help="nengo, dl or loihi-sim (default: nengo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="online_learning.png")
    parser.add_argument("--fast", action="store_true", help="short runs, for tests")
    args = parser.parse_args(argv)
    nengo.rc.set("decoder_cache", "enabled", "False")

    names = list(DEMOS) if args.demo == "all" else [args.demo]
    plot = pathlib.Path(args.plot)
    for name in names:
        path = plot if len(names) == 1 else plot.with_name(f"{plot.stem}-{name}{plot.suffix}")
        options = dict(seed=args.seed, backend=args.backend, plot=str(path))
        if args.fast:
            options["duration"] = FAST_DURATION[name]
        metrics = DEMOS[name](**options)
        for key, value in metrics.items():
            text = f"{value:.6g}" if isinstance(value, float) else str(value)
            print(f"{name.replace('-', '_')}_{key}={text}")
        print(f"{name.replace('-', '_')}_plot={path}")


if __name__ == "__main__":
    main()
