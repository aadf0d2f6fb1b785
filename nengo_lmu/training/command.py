"""``nengo-lmu train DATASET``: train an LMU classifier with NengoDL, evaluate it.

The data set is looked up by name in `nengo_lmu.datasets.SEQUENCE_DATASETS`.
The parallel LMU paper's psMNIST recipe (order 468, 346 rectified-linear
units, a feedforward hidden layer, dropout 0.5, theta = 784 steps, Adam, batch
100, 40 epochs with a cosine decay of the learning rate, trained in parallel
over time) is the default for ``psmnist`` and ``psfashion``; ``psdigits`` gets
a small, fast recipe (step by step: its readout lowpass reads more than the
last state). ``--max-batches N`` stops after N batches and reports the
throughput (a smoke run); ``--synthetic`` replaces the data by random sequences
of the data set's shape (for throughput only). ``--checkpoint PATH`` writes a
checkpoint after every epoch and ``--resume`` continues from it; Ctrl-C,
SIGTERM or SIGHUP saves the model trained so far to ``--save``, prints what
was done and how to resume, and exits with 128 + the signal's number (130,
143, 129).
"""

import contextlib
import signal
import sys

from nengo.exceptions import ValidationError

from nengo_lmu.exceptions import TrainingInterrupted
from nengo_lmu.loihi.model import INPUT_ENCODINGS
from nengo_lmu.params import check_param
from nengo_lmu.training import deployment
from nengo_lmu.training.fit import evaluate_classifier, train_classifier
from nengo_lmu.training.parallel import MODES
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.training.spec import load_model, save_model
from nengo_lmu.utils.commands import (
    add_common,
    backend_list,
    nonnegative_int,
    positive_int,
    print_metrics,
    readout_synapse_arg,
)
from nengo_lmu.utils.files import check_output_path


def cmd_train(args):
    check_output_path(args.save, "--save")  # before the minutes of training
    if args.evaluate_on:  # before the minutes of training
        check_param(deployment.MAX_RATE, args.max_rate)
    recipe = dict(RECIPES.get(args.dataset, RECIPES["psdigits"]))
    if args.resume and not args.checkpoint:
        raise ValidationError("--resume needs --checkpoint PATH", "--resume")
    check_output_path(args.checkpoint, "--checkpoint")
    for key in ("units", "order", "epochs", "batch_size", "learning_rate", "mode", "dropout",
                "lr_schedule"):
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
        spec, params = load_model(args.load)
        (_, _), (x_test, y_test) = data
        result = dict(loaded=args.load)
        result.update(evaluate_classifier(spec, params, x_test, y_test, spiking=args.spiking,
                                          rate_scale=rate_scale, progress_bar=True))
    else:
        try:
            result = train_classifier(
                data,
                seed=args.seed,
                spiking=args.spiking,
                rate_scale=rate_scale,
                max_batches=args.max_batches,
                progress_bar=True,
                checkpoint=args.checkpoint,
                resume=args.resume,
                **recipe,
            )
        except TrainingInterrupted as interrupt:
            report_interrupted(args, interrupt)
            raise
        spec, params = result.pop("spec"), result.pop("params")
    if args.max_batches is not None:
        result["test_sequences"] = recipe["batch_size"]
    print_metrics(result)
    if args.save:
        save_model(args.save, spec, params)
        print(f"Saved the model to {args.save}", file=sys.stderr)
    if args.evaluate_on:
        evaluate_deployed(args, data, spec, params)


def report_interrupted(args, interrupt):
    """Save the model of an interrupted training, then print what it had done and how to resume.

    The model is saved first: after SIGHUP the terminal may be gone, and
    printing to it fails (the report is then lost, the model is not).
    """
    info = interrupt.info
    if args.save:
        save_model(args.save, interrupt.spec, interrupt.params)
    with contextlib.suppress(OSError):
        print("interrupted=true")
        print(f"signal={signal.Signals(interrupt.signum).name}")
        print_metrics(dict(epochs_done=info["epochs_done"], epochs=info["epochs"],
                           batches=info["batches"]))
        if info["losses"]:
            print_metrics(dict(last_epoch_loss=info["losses"][-1]))
        if args.save:
            print(f"Saved the model as it was when interrupted to {args.save}",
                  file=sys.stderr)
        print(resume_hint(info), file=sys.stderr)


def resume_hint(info):
    """How to continue an interrupted training, in one line."""
    if info["checkpoint"] is None:
        return ("No --checkpoint was given: a new run starts from the beginning; "
                "with --checkpoint PATH, a run can be continued with --resume")
    if not info["epochs_done"]:
        return (f"No epoch was finished, so {info['checkpoint']} was not written: "
                "--resume starts from the beginning")
    if info["epochs_done"] >= info["epochs"]:
        return (f"The training was complete (checkpoint {info['checkpoint']}); "
                "--resume with the same options evaluates it again")
    return (f"The checkpoint of epoch {info['epochs_done']} is {info['checkpoint']}: "
            "continue with the same options and --resume")


def evaluate_deployed(args, data, spec, params):
    """Deploy the model (`nengo_lmu.training.deployment`) and print its accuracies on backends."""
    (x_train, _), (x_test, y_test) = data
    n = min(args.eval_sequences, len(x_test))
    print(f"Deployment: {n} test sequences, busiest neuron at {args.max_rate:g} Hz; on "
          f"NengoDL and {', '.join(args.evaluate_on)}", file=sys.stderr)
    result = deployment.evaluate(
        spec, params, x_train[: args.calibration_sequences], x_test[:n], y_test[:n],
        backends=args.evaluate_on, steps_per_element=args.steps_per_element,
        readout_steps=args.readout_steps, max_rate=args.max_rate,
        input_encoding=args.input_encoding,
    )
    result.pop("spec")
    result.pop("params")
    print_metrics(result)


def register(subparsers):
    """Add the ``train`` command to the ``nengo-lmu`` subparsers."""
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
    sub.add_argument("--mode", default=None, choices=MODES,
                     help="parallel: train a feedforward cell as one NengoDL step per "
                     "sequence; steps: step through every element; auto (the default): "
                     "parallel wherever it applies")
    sub.add_argument("--dropout", type=float, default=None,
                     help="fraction of hidden activities dropped in parallel training "
                     "(default: the recipe's, else 0)")
    sub.add_argument("--lr-schedule", default=None, choices=("constant", "cosine"),
                     help="learning rate over the training: constant, or a cosine decay "
                     "to 0 (default: the recipe's)")
    sub.add_argument("--checkpoint", default=None, metavar="PATH",
                     help="write a training checkpoint (.npz) after every epoch")
    sub.add_argument("--resume", action="store_true",
                     help="continue the training from --checkpoint (if it exists); it "
                     "ends with the model an uninterrupted training would have")
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
        "--evaluate-on", type=backend_list, default=None, metavar="BACKENDS",
        help="deploy the trained model as a Loihi-ready spiking network and run it on "
        "these comma-separated backends (nengo, dl, loihi-sim, loihi), beside its "
        "NengoDL rate and spiking evaluations; prints <backend>_test_accuracy=",
    )
    sub.add_argument("--eval-sequences", type=positive_int, default=100,
                     help="test sequences of the deployment's evaluation (default: 100)")
    sub.add_argument("--calibration-sequences", type=positive_int, default=100,
                     help="training sequences that calibrate the deployment's scales "
                     "(default: 100)")
    sub.add_argument("--steps-per-element", type=positive_int, default=None,
                     help="steps each sequence element is held for in the deployment "
                     "(default: 1 with a readout window, else 10)")
    sub.add_argument("--readout-steps", type=nonnegative_int, default=None,
                     help="steps of the deployment's readout window, the memory held at "
                     "its final state and the spikes counted (default: 100 for a "
                     "feedforward cell; 0: read at the last step)")
    sub.add_argument("--max-rate", type=float, default=200.0,
                     help="firing rate (Hz) of the deployment's busiest hidden neuron "
                     "(99.9th percentile; default: 200)")
    sub.add_argument("--input-encoding", choices=INPUT_ENCODINGS, default="rectified",
                     help="how the host's values reach the chip as spikes: rectified "
                     "(in proportion to |value|, the default) or on-off (nengo-loihi's "
                     "own input neurons, a spike per dimension and step)")
    sub.set_defaults(func=cmd_train)
