"""``nengo-lmu bench spiking-memory``: the neural memory's tables and plots."""

import pathlib

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks import memories as mb
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import (
    add_common, choice_list, format_table, positive_float, positive_int, quiet_stdout,
)
from nengo_lmu.utils.files import save_figure
from nengo_lmu.utils.progress import tqdm

ORDER, THETA = 6, 1.0
HAND_BUILT_STATE, HAND_BUILT_DELAY = 0.075, 0.10  # published re-measurement


def comparison_variants(n_per_dim):
    """The recipe and each alternative of ours, at equal neuron counts."""
    ours = lambda **kw: mb.memory_variant(ORDER, THETA, n_per_dim, **kw)  # noqa: E731
    return {
        "hand-built recipe": mb.hand_built_variant(ORDER, THETA, n_per_dim),
        "ours, defaults": ours(),
        "ours, input_process given": ours(input_process=True),
        "normalization='scale'": ours(normalization="scale"),
        "normalization='whiten'": ours(normalization="whiten"),
        "normalization='none'": ours(normalization="none"),
        "layout='single'": ours(layout="single"),
        "mapping='continuous'": ours(mapping="continuous"),
        "nengo's default decoders (reg=0.1)": ours(solver=nengo.solvers.LstsqL2(reg=0.1)),
    }


def run_comparison(args, progress):
    n_per_dim = 100
    runs = []
    for seed in progress(range(args.seed, args.seed + args.seeds), "comparison seeds"):
        runs.append(
            mb.compare_memories(
                comparison_variants(n_per_dim), duration=args.duration, seed=seed,
                backend=args.backend,
            )
        )
    rows = []
    for name in comparison_variants(n_per_dim):
        state = [r[name]["state_nrmse"] for r in runs]
        delay = [r[name]["delay_nrmse"] for r in runs]
        rows.append([name, f"{np.mean(state):.4f} ± {np.std(state):.4f}",
                     f"{np.mean(delay):.4f} ± {np.std(delay):.4f}"])
    print(
        f"\nSpiking memory, order {ORDER}, theta {THETA:g} s, {n_per_dim * ORDER} neurons, "
        f"1 Hz white input (rms 0.3), {args.duration:g} s, {args.seeds} seeds "
        f"(mean ± std), backend {args.backend}; published re-measurement of the "
        f"recipe: state {HAND_BUILT_STATE}, delay {HAND_BUILT_DELAY}"
    )
    print(format_table(["memory", "state NRMSE", "delay-theta NRMSE"], rows))
    return runs


def run_scaling(args, progress, plot_dir):
    totals = [300, 600, 1200, 2400, 4800, 6000]
    types = {
        "LIF": nengo.LIF(),
        "Poisson LIF": nengo.PoissonSpiking(nengo.LIFRate()),
        "SpikingRectifiedLinear": nengo.SpikingRectifiedLinear(),
    }
    errors = {name: [] for name in types}
    for total in progress(totals, "error vs neurons"):
        variants = {
            name: mb.memory_variant(ORDER, THETA, total // ORDER, neuron_type=neuron_type)
            for name, neuron_type in types.items()
        }
        result = mb.compare_memories(variants, duration=args.duration, seed=args.seed,
                                     backend=args.backend)
        for name in types:
            errors[name].append(result[name]["state_nrmse"])
    slopes = {name: mb.fit_loglog_slope(totals, errors[name]) for name in types}
    rows = [[m] + [f"{errors[name][i]:.4f}" for name in types] for i, m in enumerate(totals)]
    rows.append(["log-log slope"] + [f"{slopes[name]:.3f}" for name in types])
    print(f"\nState NRMSE vs total neurons m (order {ORDER}, {args.duration:g} s); "
          f"O(1/sqrt(m)) is a slope of -0.5")
    print(format_table(["neurons"] + list(types), rows))

    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name in types:
        ax.loglog(totals, errors[name], "o-", label=f"{name} (slope {slopes[name]:.2f})")
    ref = errors["LIF"][0] * np.sqrt(totals[0] / np.asarray(totals))
    ax.loglog(totals, ref, "k--", lw=1, label="1/sqrt(m)")
    ax.set_xlabel("neurons m")
    ax.set_ylabel("state NRMSE")
    ax.set_title(f"Spiking Legendre memory, order {ORDER}")
    ax.legend()
    fig.tight_layout()
    path = plot_dir / "spiking_memory_error_vs_neurons.png"
    save_figure(fig, path)
    print(f"plot={path}")
    return errors, slopes


def run_long(args, progress, plot_dir):
    order, duration, n_per_dim = 32, args.long_duration, 100
    process = nengo.processes.WhiteSignal(duration, high=1.0, rms=0.3, y0=0, seed=args.seed)
    with nengo.Network(seed=args.seed) as model:
        stim = nengo.Node(process)
        memory = LegendreMemory(order, THETA, n_neurons=n_per_dim)
        ideal = LegendreMemory(order, THETA)
        for m in (memory, ideal):
            nengo.Connection(stim, m.input, synapse=None)
        p_mem = nengo.Probe(memory.output, synapse=0.1, sample_every=0.01)
        p_ideal = nengo.Probe(ideal.output, synapse=0.1, sample_every=0.01)
    # the backends draw progress bars on stdout, which carries the tables
    with quiet_stdout():
        with Simulator(model, backend=args.backend, progress_bar=True) as sim:
            sim.run(duration)
    decoded, exact = sim.data[p_mem], sim.data[p_ideal]
    window = int(20 / 0.01)
    first = mb.nrmse(decoded[100:window], exact[100:window])
    last = mb.nrmse(decoded[-window:], exact[-window:])
    peak_ratio = np.max(np.abs(decoded)) / np.max(np.abs(exact))
    print(f"\nLong run: order {order}, {n_per_dim * order} neurons, {duration:g} s")
    print(format_table(
        ["state NRMSE, 1-20 s", "state NRMSE, last 20 s", "peak |decoded| / peak |ideal|"],
        [[f"{first:.4f}", f"{last:.4f}", f"{peak_ratio:.3f}"]],
    ))
    return first, last, peak_ratio


def run_cost(args, progress):
    totals = [1200, 2400, 4800, 9600, 19200]
    ours, recipe = [], []

    def stimulated(build):
        def make():
            with nengo.Network(seed=args.seed) as model:
                stim = nengo.Node(nengo.processes.WhiteSignal(100, high=1, rms=0.3))
                inp, _ = build()
                nengo.Connection(stim, inp, synapse=None)
            return model
        return make

    for total in progress(totals, "cost"):
        n = total // ORDER

        def build_ours(n=n):
            memory = LegendreMemory(ORDER, THETA, n_neurons=n)
            return memory.input, memory.output

        def build_recipe(n=n):
            return mb.build_hand_built_memory(ORDER, THETA, n)

        ours_time, recipe_time = mb.time_simulations(
            [stimulated(build_ours), stimulated(build_recipe)],
            chunk=args.cost_duration, repeats=args.cost_repeats, backend=args.backend,
        )
        ours.append(ours_time)
        recipe.append(recipe_time)
    slope = mb.fit_loglog_slope(totals, ours)
    rows = [[m, f"{o:.3f}", f"{r:.3f}", f"{o / r:.3f}", f"{args.cost_duration / o:.2f}"]
            for m, o, r in zip(totals, ours, recipe)]
    print(f"\nCost: wall seconds to simulate {args.cost_duration:g} s (median of "
          f"{args.cost_repeats} alternating runs), "
          f"order {ORDER}, backend {args.backend}")
    print(format_table(["neurons", "ours (s)", "recipe (s)", "ratio", "sim s / wall s"], rows))
    print(f"log-log slope of time vs neurons (ours): {slope:.3f}")
    return ours, recipe, slope


PARTS = {"comparison", "scaling", "long", "cost"}


def run(args):
    """Run the parts named in ``args.parts``; print tables; save plots."""

    progress = lambda items, desc: tqdm(list(items), desc=desc, leave=False)  # noqa: E731
    plot_dir = pathlib.Path(args.plot_dir)
    plot_dir.mkdir(parents=True, exist_ok=True)
    if "comparison" in args.parts:
        run_comparison(args, progress)
    if "scaling" in args.parts:
        run_scaling(args, progress, plot_dir)
    if "long" in args.parts:
        run_long(args, progress, plot_dir)
    if "cost" in args.parts:
        run_cost(args, progress)


def cmd_bench_spiking_memory(args):
    unknown = set(args.parts) - PARTS
    if unknown:
        raise ValidationError(
            f"Unknown parts {sorted(unknown)}; choose from {sorted(PARTS)}",
            "parts",
        )
    run(args)


def register(benches):
    """Add ``spiking-memory`` to the ``nengo-lmu bench`` subcommands."""
    spiking = benches.add_parser(
        "spiking-memory",
        help="the neural memory vs the hand-built recipe, error vs neurons, long runs, cost",
    )
    add_common(spiking)
    spiking.add_argument(
        "--parts",
        type=choice_list(sorted(PARTS), "parts"),
        default=sorted(PARTS),
        help="comma-separated: comparison,scaling,long,cost (default: all)",
    )
    spiking.add_argument("--duration", type=positive_float, default=50.0,
                         help="simulated seconds per accuracy run (default: 50)")
    spiking.add_argument("--seeds", type=positive_int, default=3,
                         help="seeds of the comparison (default: 3)")
    spiking.add_argument("--long-duration", type=positive_float, default=100.0,
                         help="simulated seconds of the long run (default: 100)")
    spiking.add_argument("--cost-duration", type=positive_float, default=1.0,
                         help="simulated seconds per timed run (default: 1)")
    spiking.add_argument("--cost-repeats", type=positive_int, default=21,
                         help="alternating timed runs per model (default: 21)")
    spiking.add_argument("--plot-dir", default="plots", help="where plots go (default: plots)")
    spiking.set_defaults(func=cmd_bench_spiking_memory)
