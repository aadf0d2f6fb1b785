"""``nengo-lmu bench training``: our NengoDL-trained LMU beside KerasLMU, same settings.

Both train on the same data in the same order, with the same units, order, theta
(the sequence length), epochs, batch size and optimizer (Adam at the same learning
rate), on the same machine, one after the other in one process. The models differ
where the libraries do: ours is the psdigits recipe of `nengo_lmu.train_cli.RECIPES`
(a feedforward hidden layer of rectified-linear neurons, read out through a 5 ms
lowpass, which is what lets it run with spikes), KerasLMU's is its psMNIST recipe
(a tanh ``SimpleRNNCell``). Seconds per epoch are compared at steady state: ours
from the batches after the first (the first builds the graph), KerasLMU's as the
median epoch.
"""

import sys

from nengo.exceptions import ValidationError

from nengo_lmu.tables import format_table


def run_comparison(dataset, units, order, epochs, batch_size, learning_rate, seed,
                   spiking=False):
    """Train both; return ``(ours, keras)``, the two result dicts."""
    from nengo_lmu import keras_baseline, training  # pylint: disable=import-outside-toplevel
    from nengo_lmu.train_cli import RECIPES, load_dataset  # pylint: disable=import-outside-toplevel

    data = load_dataset(dataset, seed=seed)
    settings = dict(units=units, order=order, epochs=epochs, batch_size=batch_size,
                    learning_rate=learning_rate, seed=seed)
    recipe = dict(RECIPES["psdigits"], **settings)
    ours = training.train_classifier(data, spiking=spiking, **recipe)
    keras = keras_baseline.train_keras_lmu(
        data, theta=data[0][0].shape[1], **settings
    )
    return ours, keras


def cmd_bench_training(args):
    """Print the side-by-side table and the ratio lines."""
    from nengo_lmu import keras_baseline  # pylint: disable=import-outside-toplevel

    try:
        keras_baseline._import_keras_lmu()  # pylint: disable=protected-access
    except ImportError as error:
        sys.exit(f"nengo-lmu: error: {error}")
    if args.epochs < 1:
        raise ValidationError(f"Must be at least 1 (got {args.epochs})", "epochs")
    ours, keras = run_comparison(
        args.dataset, args.units, args.order, args.epochs, args.batch_size,
        args.learning_rate, args.seed, spiking=args.spiking,
    )
    ours_epoch = ours["projected_epoch_seconds"]
    keras_epoch = keras["seconds_per_epoch"]
    rows = [
        ["nengo-lmu (NengoDL)", f"{ours['test_accuracy']:.4f}",
         f"{ours['spiking_test_accuracy']:.4f}" if args.spiking else "-", f"{ours_epoch:.2f}"],
        ["KerasLMU", f"{keras['test_accuracy']:.4f}", "-", f"{keras_epoch:.2f}"],
    ]
    print(f"{args.dataset}: units {args.units}, order {args.order}, {args.epochs} epochs, "
          f"batch {args.batch_size}, Adam {args.learning_rate:g}, seed {args.seed}")
    print(format_table(["model", "test accuracy", "spiking", "s/epoch (steady)"], rows))
    print(f"ours_test_accuracy={ours['test_accuracy']:.6g}")
    print(f"keras_lmu_test_accuracy={keras['test_accuracy']:.6g}")
    print(f"ours_seconds_per_epoch={ours_epoch:.4g}")
    print(f"keras_lmu_seconds_per_epoch={keras_epoch:.4g}")
    print(f"seconds_per_epoch_ratio={ours_epoch / keras_epoch:.4g}")


def register(subparsers):
    """Add ``training`` to the ``bench`` subcommands."""
    from nengo_lmu.cli import add_common  # pylint: disable=import-outside-toplevel

    sub = subparsers.add_parser(
        "training",
        help="our NengoDL-trained LMU beside KerasLMU with the same settings: "
        "accuracy and seconds per epoch (needs: pip install nengo-lmu[bench])",
    )
    add_common(sub)
    sub.add_argument("--dataset", default="psdigits", help="a sequence data set (default: psdigits)")
    sub.add_argument("--units", type=int, default=128, help="hidden units (default: 128)")
    sub.add_argument("--order", type=int, default=64, help="memory order (default: 64)")
    sub.add_argument("--epochs", type=int, default=8, help="epochs (default: 8)")
    sub.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    sub.add_argument("--learning-rate", type=float, default=3e-3,
                     help="Adam's learning rate (default: 3e-3)")
    sub.add_argument("--spiking", action="store_true",
                     help="also evaluate ours with spiking neurons")
    sub.set_defaults(func=cmd_bench_training)
