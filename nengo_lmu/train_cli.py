"""``nengo-lmu train DATASET``: train an LMU classifier with NengoDL, evaluate it.

The data set is looked up by name in `nengo_lmu.datasets.SEQUENCE_DATASETS`.
The paper's psMNIST recipe (units 212, order 256, theta = 784 steps, Adam,
batch 100) is the default for ``psmnist`` and ``psfashion``; ``psdigits``
gets a small, fast recipe. ``--max-batches N`` stops after N batches and
reports the throughput (a smoke run); ``--synthetic`` replaces the data by
random sequences of the data set's shape (for throughput only).
"""

import argparse
import sys

import numpy as np
from nengo.exceptions import ValidationError

#: Defaults per data set (keyword arguments of `nengo_lmu.training.train_classifier`).
RECIPES = {
    # a feedforward rectified-linear hidden layer (KerasLMU's Dense hidden cell,
    # with neurons that spike) read out through a 5 ms lowpass: it costs about a
    # point against reading the last step unfiltered (--readout-synapse none, as
    # KerasLMU does), but a model trained unfiltered does not survive the spikes
    # of a Loihi deployment (docs: benchmarks)
    "psdigits": dict(units=128, order=64, epochs=8, batch_size=32, learning_rate=3e-3,
                     hidden_to_hidden=False, readout_synapse=0.005),
    # the paper's psMNIST recipe (and the NengoDL LMU example's)
    "psmnist": dict(units=212, order=256, epochs=10, batch_size=100, learning_rate=1e-3),
    "psfashion": dict(units=212, order=256, epochs=10, batch_size=100, learning_rate=1e-3),
}
#: Sequences in the synthetic stand-in for each data set: (train, test, steps, classes).
_SYNTHETIC_SHAPES = {
    "psdigits": (1347, 450, 64, 10),
    "psmnist": (60000, 10000, 784, 10),
    "psfashion": (60000, 10000, 784, 10),
}


def load_dataset(name, perm_seed=0, synthetic=False, seed=0):
    """Load a sequence data set by name, or a random stand-in of its shape."""
    from nengo_lmu.datasets import SEQUENCE_DATASETS

    if synthetic:
        if name not in _SYNTHETIC_SHAPES:
            raise ValidationError(
                f"No synthetic shape for {name!r}; known: {sorted(_SYNTHETIC_SHAPES)}",
                "dataset",
            )
        n_train, n_test, steps, classes = _SYNTHETIC_SHAPES[name]
        rng = np.random.RandomState(seed)
        return (
            (rng.rand(n_train, steps, 1).astype(np.float32), rng.randint(classes, size=n_train)),
            (rng.rand(n_test, steps, 1).astype(np.float32), rng.randint(classes, size=n_test)),
        )
    if name not in SEQUENCE_DATASETS:
        raise ValidationError(
            f"Unknown data set {name!r}; available: {', '.join(sorted(SEQUENCE_DATASETS))}",
            "dataset",
        )
    return SEQUENCE_DATASETS[name](perm_seed=perm_seed)


def cmd_train(args):
    from nengo_lmu import training
    from nengo_lmu.cli import print_metrics

    if args.evaluate_on:  # before the minutes of training
        from nengo_lmu import deploy
        from nengo_lmu.validation import check_param

        check_param(deploy._MAX_RATE, args.max_rate)  # pylint: disable=protected-access
    recipe = dict(RECIPES.get(args.dataset, RECIPES["psdigits"]))
    for key in ("units", "order", "epochs", "batch_size", "learning_rate"):
        value = getattr(args, key, None)
        if value is not None:
            recipe[key] = value
    if args.readout_synapse != "recipe":
        recipe["readout_synapse"] = args.readout_synapse
    data = load_dataset(args.dataset, perm_seed=args.perm_seed, synthetic=args.synthetic,
                        seed=args.seed)
    if args.max_batches is not None:
        # a smoke run: time the paper's recipe, evaluate on a part of the test set
        (x_train, y_train), (x_test, y_test) = data
        data = (x_train, y_train), (x_test[: recipe["batch_size"]], y_test[: recipe["batch_size"]])
    print(f"dataset={args.dataset}")
    if args.synthetic:
        print("data=synthetic_random_for_throughput_only")
        print("SYNTHETIC DATA: random sequences of the data set's shape; the "
              "throughput figures hold, the accuracies mean nothing", file=sys.stderr)
    print(f"seed={args.seed}")
    print(f"perm_seed={args.perm_seed}")
    for key, value in recipe.items():
        print(f"{key}={value}")
    rate_scale = 1000.0 if args.rate_scale is None else args.rate_scale
    if args.load:
        spec, params = training.load_model(args.load)
        (_, _), (x_test, y_test) = data
        result = dict(loaded=args.load)
        result.update(training.evaluate_classifier(spec, params, x_test, y_test,
                                                   spiking=args.spiking,
                                                   rate_scale=rate_scale))
    else:
        result = training.train_classifier(
            data,
            seed=args.seed,
            spiking=args.spiking,
            rate_scale=rate_scale,
            max_batches=args.max_batches,
            progress_bar=True,
            **recipe,
        )
        spec, params = result.pop("spec"), result.pop("params")
    if args.max_batches is not None:
        result["test_sequences"] = recipe["batch_size"]
    print_metrics(result)
    if args.save:
        training.save_model(args.save, spec, params)
        print(f"Saved the model to {args.save}", file=sys.stderr)
    if args.evaluate_on:
        evaluate_deployed(args, data, spec, params)


def evaluate_deployed(args, data, spec, params):
    """Deploy the model (`nengo_lmu.deploy`) and print its accuracies on backends."""
    from nengo_lmu import deploy
    from nengo_lmu.cli import print_metrics

    (x_train, _), (x_test, y_test) = data
    n = min(args.eval_sequences, len(x_test))
    print(f"Deployment: {n} test sequences, each element held {args.steps_per_element} "
          f"steps, busiest neuron at {args.max_rate:g} Hz; on NengoDL and "
          f"{', '.join(args.evaluate_on)}", file=sys.stderr)
    result = deploy.evaluate(
        spec, params, x_train[: args.calibration_sequences], x_test[:n], y_test[:n],
        backends=args.evaluate_on, steps_per_element=args.steps_per_element,
        max_rate=args.max_rate,
    )
    result.pop("spec")
    result.pop("params")
    print_metrics(result)


def _backend_list(text):
    from nengo_lmu.simulator import resolve_backend

    backends = [b.strip() for b in text.split(",") if b.strip()]
    if not backends:
        raise argparse.ArgumentTypeError("give at least one backend")
    try:
        return [resolve_backend(b) for b in backends]
    except ValidationError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def readout_synapse_arg(text):
    """``--readout-synapse``: a time constant in seconds, ``none``, or ``recipe``."""
    if text == "recipe":  # the default (argparse passes string defaults through here)
        return text
    if text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive time constant in seconds or 'none' (got {text!r})"
        )
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def register(subparsers):
    """Add the ``train`` command to the ``nengo-lmu`` subparsers."""
    from nengo_lmu.cli import add_common

    sub = subparsers.add_parser(
        "train",
        help="train an LMU cell on a sequence classification data set with NengoDL "
        "(psdigits, psmnist, psfashion)",
    )
    sub.add_argument("dataset", help="data set name (psdigits, psmnist, psfashion)")
    add_common(sub)  # training and evaluation run on NengoDL whatever --backend says
    sub.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    sub.add_argument("--perm-seed", type=int, default=0, help="pixel permutation seed")
    sub.add_argument("--units", type=int, default=None, help="hidden neurons")
    sub.add_argument("--order", type=int, default=None, help="memory order")
    sub.add_argument("--batch-size", type=int, default=None)
    sub.add_argument("--learning-rate", type=float, default=None)
    sub.add_argument("--spiking", action="store_true",
                     help="also evaluate with spiking neurons")
    sub.add_argument("--readout-synapse", type=readout_synapse_arg, default="recipe",
                     help="lowpass time constant (s) of the readout, or 'none' "
                     "(default: the recipe's; psdigits: 0.005)")
    sub.add_argument("--rate-scale", type=float, default=None,
                     help="firing-rate scale of the spiking evaluation (default: 1000)")
    sub.add_argument("--max-batches", type=int, default=None,
                     help="stop after this many batches and report throughput")
    sub.add_argument("--synthetic", action="store_true",
                     help="random data of the data set's shape (throughput only)")
    sub.add_argument("--save", default=None, help="save the trained model (.npz)")
    sub.add_argument("--load", default=None,
                     help="evaluate a saved model (.npz) instead of training one")
    sub.add_argument(
        "--evaluate-on", type=_backend_list, default=None, metavar="BACKENDS",
        help="deploy the trained model as a Loihi-ready spiking network and run it on "
        "these comma-separated backends (nengo, dl, loihi-sim, loihi), beside its "
        "NengoDL rate and spiking evaluations; prints <backend>_test_accuracy=",
    )
    sub.add_argument("--eval-sequences", type=_positive_int, default=100,
                     help="test sequences of the deployment's evaluation (default: 100)")
    sub.add_argument("--calibration-sequences", type=_positive_int, default=100,
                     help="training sequences that calibrate the deployment's scales "
                     "(default: 100)")
    sub.add_argument("--steps-per-element", type=_positive_int, default=10,
                     help="steps each sequence element is held for in the deployment "
                     "(default: 10)")
    sub.add_argument("--max-rate", type=float, default=200.0,
                     help="firing rate (Hz) of the deployment's busiest hidden neuron "
                     "(99.9th percentile; default: 200)")
    sub.set_defaults(func=cmd_train)
