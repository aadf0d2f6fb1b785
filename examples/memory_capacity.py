"""How much an ideal Legendre memory remembers: the LMU paper's capacity task.

An order-100 memory holds a window of ``T`` steps of white noise band-limited to
10 Hz (the paper's recipe, see `nengo_lmu.benchmarks.capacity`); it is read out exactly at
delays of 0, T/4, T/2, 3T/4 and T steps, and the mean squared error at each delay
is compared with the paper's figure (the error at delay T).

Run ``python examples/memory_capacity.py --help`` for the options; it prints
``name=value`` metrics and saves ``memory_capacity.png``.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nengo_lmu.benchmarks.capacity import run_capacity  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default=None, help="nengo or dl (default: nengo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="memory_capacity.png")
    parser.add_argument("--fast", action="store_true", help="a short run, for tests")
    args = parser.parse_args(argv)

    windows = (100, 1000) if args.fast else (100, 1000, 10000)
    n_sequences = 1 if args.fast else 4

    plt.figure(figsize=(7, 4))
    for T in windows:
        result = run_capacity(T, n_sequences=n_sequences, seed=args.seed, backend=args.backend)
        fraction = result["delays"] / T
        line, = plt.semilogy(fraction, result["mse"], "o-", label=f"T = {T} steps")
        plt.semilogy([1], [result["published_mse"]], "x", ms=12, mew=2, color=line.get_color())
        print(f"mse_window_{T}={result['mse'][-1]:.3g}")
        print(f"published_mse_window_{T}={result['published_mse']:.3g}")
    plt.xlabel("delay (fraction of the window T)")
    plt.ylabel("mean squared error")
    plt.title("Ideal memory, order 100: error per delay (x: the paper's figure at T)")
    plt.legend()
    plt.tight_layout()
    plt.savefig(args.plot)
    print(f"plot={args.plot}")


if __name__ == "__main__":
    main()
