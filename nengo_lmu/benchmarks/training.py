"""``nengo-lmu bench training``: our NengoDL-trained LMU beside KerasLMU, same settings.

Both train on the same data in the same order, with the same units, order, theta
(the sequence length), epochs, batch size and optimizer (Adam at the same learning
rate), on the same machine, one after the other in one process. The models differ
where the libraries do: ours is the psdigits recipe of `nengo_lmu.training.recipes.RECIPES`
(a feedforward hidden layer of rectified-linear neurons, read out through a 5 ms
lowpass, which is what lets it run with spikes), KerasLMU's is its psMNIST recipe
(a tanh ``SimpleRNNCell``). A third model is KerasLMU with our hidden layer
(``hidden="relu-rnn"``, or ``"relu-dense"`` for a recipe without
``hidden_to_hidden``): the same model in both libraries, which separates what
the libraries do from what the hidden layers do. Seconds per epoch are compared at
steady state: ours from the batches after the first (the first builds the graph),
KerasLMU's as the median epoch.
"""

import sys

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks import keras_lmu
from nengo_lmu.datasets import SEQUENCE_DATASETS
from nengo_lmu.params import SEED
from nengo_lmu.training import train_classifier
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.utils.commands import (
    add_common, format_table, nonnegative_int, positive_float, positive_int, readout_synapse_arg,
)


def run_comparison(dataset, units, order, epochs, batch_size, learning_rate, seed,
                   spiking=False, readout_synapse="recipe"):
    """Train the three; return ``(ours, keras, keras_relu)``, their result dicts.

    ``keras`` is KerasLMU's psMNIST model, ``keras_relu`` KerasLMU with our
    hidden layer (see `nengo_lmu.benchmarks.keras_lmu.build_keras_lmu`).
    ``readout_synapse`` overrides the psdigits recipe's readout lowpass (None:
    unfiltered, as KerasLMU reads out; ours then trains in parallel over time).
    """
    data = load_dataset(dataset, seed=seed)
    settings = dict(units=units, order=order, epochs=epochs, batch_size=batch_size,
                    learning_rate=learning_rate, seed=seed)
    recipe = dict(RECIPES["psdigits"], **settings)
    if readout_synapse != "recipe":
        recipe["readout_synapse"] = readout_synapse
    ours = train_classifier(data, spiking=spiking, **recipe)
    theta = data[0][0].shape[1]
    keras = keras_lmu.train_keras_lmu(data, theta=theta, **settings)
    same = "relu-rnn" if recipe.get("hidden_to_hidden", True) else "relu-dense"
    keras_relu = keras_lmu.train_keras_lmu(data, theta=theta, hidden=same, **settings)
    return ours, keras, keras_relu


def parse_seeds(text):
    """Seeds from a comma-separated list (``"0,1,2"``); raises `ValidationError`."""
    try:
        seeds = [int(part) for part in str(text).split(",") if part.strip()]
    except ValueError:
        seeds = []
    if not seeds or any(not SEED.low <= seed <= SEED.high for seed in seeds):
        raise ValidationError(
            f"Must be a comma-separated list of seeds in [0, 2**32 - 1] (got {text!r})", "seeds"
        )
    return seeds


def summarize(values):
    """``(mean, sd)`` of a list (sample standard deviation; 0 for one value)."""
    values = np.asarray(values, dtype=float)
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return float(np.mean(values)), sd


#: where each model's results sit in a run ``(seed, ours, keras, keras_relu)``
_OURS, _KERAS, _KERAS_RELU = 1, 2, 3


def _column(runs, model, key):
    """``key`` of ``model``'s results (`_OURS`, ...), one value per run."""
    return [run[model][key] for run in runs]


def seed_rows(runs, spiking=False):
    """Table rows (one per seed) and the mean +- sd row of ``runs``.

    ``runs`` is a list of ``(seed, ours, keras, keras_relu)`` from
    `run_comparison`.
    """

    def fmt(values, digits=4):
        mean, sd = summarize(values)
        return f"{mean:.{digits}f} +- {sd:.{digits}f}"

    rows = []
    for seed, ours, keras, keras_relu in runs:
        rows.append([
            str(seed), f"{ours['test_accuracy']:.4f}",
            f"{ours['spiking_test_accuracy']:.4f}" if spiking else "-",
            f"{keras['test_accuracy']:.4f}", f"{keras_relu['test_accuracy']:.4f}",
            f"{ours['projected_epoch_seconds']:.2f}", f"{keras['seconds_per_epoch']:.2f}",
        ])
    if len(runs) > 1:
        rows.append([
            "mean +- sd", fmt(_column(runs, _OURS, "test_accuracy")),
            fmt(_column(runs, _OURS, "spiking_test_accuracy")) if spiking else "-",
            fmt(_column(runs, _KERAS, "test_accuracy")),
            fmt(_column(runs, _KERAS_RELU, "test_accuracy")),
            fmt(_column(runs, _OURS, "projected_epoch_seconds"), 2),
            fmt(_column(runs, _KERAS, "seconds_per_epoch"), 2),
        ])
    return rows


def cmd_bench_training(args):
    """Print the side-by-side table and the ratio lines (per seed, and mean +- sd)."""

    seeds = [args.seed] if args.seeds is None else parse_seeds(args.seeds)
    readout_synapse = args.readout_synapse
    if readout_synapse == "recipe":
        readout_synapse = RECIPES["psdigits"]["readout_synapse"]
    readout_text = "none" if readout_synapse is None else f"{readout_synapse:g} s"
    if args.epochs < 1:
        raise ValidationError(f"Must be at least 1 (got {args.epochs})", "epochs")
    try:
        keras_lmu._import_keras_lmu()  # pylint: disable=protected-access
    except ImportError as error:
        sys.exit(f"nengo-lmu: error: {error}")
    runs = []
    for seed in seeds:
        runs.append((seed,) + tuple(run_comparison(
            args.dataset, args.units, args.order, args.epochs, args.batch_size,
            args.learning_rate, seed, spiking=args.spiking,
            readout_synapse=readout_synapse,
        )))
        # each seed's figures as soon as they exist (a long run can be cut short)
        _, ours, keras, same = runs[-1]
        print(f"seed={seed} ours_test_accuracy={ours['test_accuracy']:.6g}"
              + (f" ours_spiking_test_accuracy={ours['spiking_test_accuracy']:.6g}"
                 if args.spiking else "")
              + f" keras_lmu_test_accuracy={keras['test_accuracy']:.6g}"
              f" keras_lmu_our_hidden_test_accuracy={same['test_accuracy']:.6g}"
              f" ours_seconds_per_epoch={ours['projected_epoch_seconds']:.4g}"
              f" keras_lmu_seconds_per_epoch={keras['seconds_per_epoch']:.4g}", flush=True)
    print(f"{args.dataset}: units {args.units}, order {args.order}, {args.epochs} epochs, "
          f"batch {args.batch_size}, Adam {args.learning_rate:g}, "
          f"our readout lowpass {readout_text}, "
          f"seed{'s' if len(seeds) > 1 else ''} {','.join(map(str, seeds))}")
    print(format_table(
        ["seed", "ours", "ours: spiking", "KerasLMU", "KerasLMU, our hidden layer",
         "ours: s/epoch", "KerasLMU: s/epoch"],
        seed_rows(runs, spiking=args.spiking),
    ))
    print("(test accuracies; seconds per epoch at steady state)")
    ours_acc = summarize(_column(runs, _OURS, "test_accuracy"))
    keras_acc = summarize(_column(runs, _KERAS, "test_accuracy"))
    relu_acc = summarize(_column(runs, _KERAS_RELU, "test_accuracy"))
    ours_epoch = summarize(_column(runs, _OURS, "projected_epoch_seconds"))[0]
    keras_epoch = summarize(_column(runs, _KERAS, "seconds_per_epoch"))[0]
    print(f"ours_test_accuracy={ours_acc[0]:.6g}")
    print(f"ours_test_accuracy_sd={ours_acc[1]:.6g}")
    if args.spiking:
        spiking = summarize(_column(runs, _OURS, "spiking_test_accuracy"))
        print(f"ours_spiking_test_accuracy={spiking[0]:.6g}")
    print(f"keras_lmu_test_accuracy={keras_acc[0]:.6g}")
    print(f"keras_lmu_test_accuracy_sd={keras_acc[1]:.6g}")
    print(f"keras_lmu_our_hidden_test_accuracy={relu_acc[0]:.6g}")
    print(f"keras_lmu_our_hidden_test_accuracy_sd={relu_acc[1]:.6g}")
    print(f"ours_seconds_per_epoch={ours_epoch:.4g}")
    print(f"keras_lmu_seconds_per_epoch={keras_epoch:.4g}")
    print(f"seconds_per_epoch_ratio={ours_epoch / keras_epoch:.4g}")


def register(subparsers):
    """Add ``training`` to the ``bench`` subcommands."""

    sub = subparsers.add_parser(
        "training",
        help="our NengoDL-trained LMU beside KerasLMU with the same settings: "
        "accuracy and seconds per epoch (needs: pip install nengo-lmu[bench])",
    )
    add_common(sub)
    sub.add_argument("--dataset", default="psdigits", choices=sorted(SEQUENCE_DATASETS),
                     help="a sequence data set (default: psdigits)")
    sub.add_argument("--units", type=positive_int, default=128, help="hidden units (default: 128)")
    sub.add_argument("--order", type=positive_int, default=64, help="memory order (default: 64)")
    sub.add_argument("--epochs", type=nonnegative_int, default=8, help="epochs (default: 8)")
    sub.add_argument(
        "--batch-size", type=positive_int, default=32,
        help="batch size (default: 32)",
    )
    sub.add_argument("--learning-rate", type=positive_float, default=3e-3,
                     help="Adam's learning rate (default: 3e-3)")
    sub.add_argument("--spiking", action="store_true",
                     help="also evaluate ours with spiking neurons")
    sub.add_argument("--readout-synapse", type=readout_synapse_arg, default="recipe",
                     help="our readout's lowpass time constant (s), or 'none' "
                     "(default: the psdigits recipe's, 0.005)")
    sub.add_argument("--seeds", default=None,
                     help="comma-separated seeds, one run of both per seed, with the "
                     "mean +- sd (default: --seed only)")
    sub.set_defaults(func=cmd_bench_training)
