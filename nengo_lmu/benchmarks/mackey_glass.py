"""``nengo-lmu bench mackey-glass``: the LMU paper's Mackey-Glass prediction, trained.

The task of the LMU paper (Voelker, Kajic & Eliasmith 2019, its Mackey-Glass
table): 128 series of 5000 steps from random histories
(`nengo_lmu.datasets.mackey_glass_sequences`), half for training and half for
testing; predict each series 15 steps ahead (the future: the paper's code first
predicted the past, KerasLMU issue 14, and its table is from the fixed code);
the score is the test NRMSE, the RMSE over the targets' standard deviation.

Our model is one feedforward `.LMUCell` (no hidden-to-hidden, hidden-to-memory
or memory-to-memory connection), trained by `nengo_lmu.training.train_regressor`
in parallel over time. The paper's models are stacks of four layers
(about 18000 parameters each); the cell here is a single layer.

The defaults were chosen on a validation split of the training series
(``--validation N`` trains on the other training series and scores the last
``N`` of them; the test series are neither trained on nor looked at), never on
the test half.
"""

import time

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks.training import parse_seeds, summarize
from nengo_lmu.datasets import mackey_glass_sequences
from nengo_lmu.training import train_regressor
from nengo_lmu.utils.commands import (
    format_table,
    nonnegative_int,
    positive_float,
    positive_int,
    print_metrics,
    seed_arg,
)

#: the test NRMSE (%) of the paper's models (its fixed notebook, KerasLMU issue 14)
PAPER_NRMSE = {"LSTM": 5.87, "LMU": 4.87, "hybrid": 4.47}

#: the simulator step of `nengo_lmu.training.make_spec`: theta in steps is theta * DT seconds
DT = 0.001

#: the feedforward cell, which trains in parallel over time
CELL = dict(hidden_to_hidden=False, hidden_to_memory=False, memory_to_memory=False)


def nrmse(prediction, target):
    """RMSE of ``prediction`` over the standard deviation of ``target``."""
    return float(np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target))


def split_validation(data, validation):
    """Hold out the last ``validation`` training series as the data to score.

    Returns ``((x_fit, y_fit), (x_val, y_val))``: the test half of ``data`` is dropped.
    """
    (x_train, y_train), _ = data
    if not 0 < validation < len(x_train):
        raise ValidationError(
            f"Must leave at least one of the {len(x_train)} training series on each "
            f"side (got {validation})", "validation",
        )
    cut = len(x_train) - validation
    return (x_train[:cut], y_train[:cut]), (x_train[cut:], y_train[cut:])


def run_mackey_glass(units=200, order=16, theta=80, epochs=10, batch_size=256,
                     learning_rate=1e-3, seed=0, data_seed=0, n_series=128, n_steps=5000,
                     horizon=15, validation=0, progress_bar=False):
    """Train the cell on the Mackey-Glass series and score it; return a dict.

    ``theta`` is in steps (sequence elements). With ``validation`` > 0 the
    scores are on the last ``validation`` training series, the cell trained on
    the others (for tuning); otherwise on the test series.

    Returns
    -------
    dict
        ``nrmse`` (the cell's, on the scored series), ``persistence_nrmse``
        (predicting ``x[t + horizon] = x[t]``), ``scored`` (``"test"`` or
        ``"validation"``), ``train_series``, ``scored_series``, ``seconds``
        (training and scoring), ``seconds_per_epoch``, ``train_mode``.
    """
    data = mackey_glass_sequences(n_series=n_series, n_steps=n_steps, horizon=horizon,
                                  seed=data_seed)
    if validation:
        data = split_validation(data, validation)
    (x_fit, _), (x_score, y_score) = data
    start = time.perf_counter()
    result = train_regressor(data, units=units, order=order, theta=theta * DT, epochs=epochs,
                             batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                             progress_bar=progress_bar, **CELL)
    seconds = time.perf_counter() - start
    return dict(
        nrmse=result["test_nrmse"],
        persistence_nrmse=nrmse(x_score, y_score),
        scored="validation" if validation else "test",
        train_series=len(x_fit),
        scored_series=len(x_score),
        seconds=seconds,
        seconds_per_epoch=result["seconds_per_epoch"],
        train_mode=result["train_mode"],
    )


def cmd_bench_mackey_glass(args):
    """Print each seed's NRMSE, then the table beside the paper's figures."""
    seeds = [args.seed] if args.seeds is None else parse_seeds(args.seeds)
    runs = []
    for seed in seeds:
        run = run_mackey_glass(
            units=args.units, order=args.order, theta=args.theta, epochs=args.epochs,
            batch_size=args.batch_size, learning_rate=args.learning_rate, seed=seed,
            data_seed=args.data_seed, n_series=args.series, n_steps=args.steps,
            horizon=args.horizon, validation=args.validation, progress_bar=args.progress,
        )
        runs.append(run)
        print(f"seed={seed} {run['scored']}_nrmse_percent={100 * run['nrmse']:.4g} "
              f"train_seconds={run['seconds']:.4g} train_mode={run['train_mode']}", flush=True)
    run = runs[0]
    mean, sd = summarize([100 * r["nrmse"] for r in runs])
    seconds = summarize([r["seconds"] for r in runs])[0]
    print(f"Mackey-Glass, {args.horizon} steps ahead: {args.series} series of {args.steps} "
          f"steps (data seed {args.data_seed}), trained on {run['train_series']}, scored on "
          f"{run['scored_series']} {run['scored']} series")
    print(f"one feedforward LMUCell: units {args.units}, order {args.order}, theta "
          f"{args.theta:g} steps, {args.epochs} epochs, batch {args.batch_size} time steps, "
          f"Adam {args.learning_rate:g}, trained {run['train_mode']}, "
          f"seed{'s' if len(seeds) > 1 else ''} {','.join(map(str, seeds))}")
    ours = f"{mean:.2f} +- {sd:.2f}" if len(runs) > 1 else f"{mean:.2f}"
    rows = [["ours (LMUCell, trained)", ours, f"{seconds:.0f}"]]
    rows += [[f"paper: {name}", f"{value:.2f}", "-"] for name, value in PAPER_NRMSE.items()]
    rows.append(["persistence (x[t + h] = x[t])", f"{100 * run['persistence_nrmse']:.2f}", "-"])
    print(format_table(["model", f"{run['scored']} NRMSE %", "seconds"], rows))
    print("(the paper's figures are test NRMSE; ours is "
          f"{'a mean +- sd over seeds, ' if len(runs) > 1 else ''}on the {run['scored']} series)")
    print_metrics({
        f"{run['scored']}_nrmse_percent": mean,
        f"{run['scored']}_nrmse_percent_sd": sd,
        "persistence_nrmse_percent": 100 * run["persistence_nrmse"],
        "train_seconds": seconds,
        "seconds_per_epoch": summarize([r["seconds_per_epoch"] for r in runs])[0],
        "train_mode": run["train_mode"],
    })


def register(benches):
    """Add ``mackey-glass`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "mackey-glass",
        help="the LMU paper's Mackey-Glass prediction (15 steps ahead): a trained "
        "LMUCell's test NRMSE beside the paper's LSTM, LMU and hybrid",
    )
    sub.add_argument("--seed", type=seed_arg, default=0,
                     help="network seed (initial weights) (default: 0)")
    sub.add_argument("--seeds", default=None,
                     help="comma-separated network seeds, one training each, with the "
                     "mean +- sd (default: --seed only)")
    sub.add_argument("--data-seed", type=seed_arg, default=0,
                     help="seed of the series' random histories (default: 0)")
    sub.add_argument("--units", type=positive_int, default=200,
                     help="hidden units (default: 200)")
    sub.add_argument("--order", type=positive_int, default=16,
                     help="memory order (default: 16)")
    sub.add_argument("--theta", type=positive_float, default=80,
                     help="memory window in steps (default: 80)")
    sub.add_argument("--epochs", type=positive_int, default=10, help="epochs (default: 10)")
    sub.add_argument("--batch-size", type=positive_int, default=256,
                     help="time steps per batch (default: 256)")
    sub.add_argument("--learning-rate", type=positive_float, default=1e-3,
                     help="Adam's learning rate (default: 1e-3)")
    sub.add_argument("--series", type=positive_int, default=128,
                     help="series, half for training, half for testing (default: 128)")
    sub.add_argument("--steps", type=positive_int, default=5000,
                     help="steps per series (default: 5000)")
    sub.add_argument("--horizon", type=positive_int, default=15,
                     help="steps ahead to predict (default: 15)")
    sub.add_argument("--validation", type=nonnegative_int, default=0,
                     help="score on the last N training series instead of the test "
                     "series, training on the others: for tuning (default: 0, test)")
    sub.add_argument("--progress", action="store_true", help="show training progress")
    sub.set_defaults(func=cmd_bench_mackey_glass, backend=None)
