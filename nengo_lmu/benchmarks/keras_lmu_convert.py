"""``nengo-lmu bench keras-lmu-convert``: a KerasLMU model brought across, and a learned theta.

Two parts. ``convert``: a psdigits classifier trained in KerasLMU (the
``relu-dense`` hidden cell of `.keras_lmu`, whose neurons have a spiking
counterpart), converted by `nengo_lmu.convert.from_keras_lmu`, then deployed
with spikes and run on nengo and loihi-sim
(`nengo_lmu.training.deployment.evaluate`), beside KerasLMU's own accuracy on
the same test sequences. ``theta``: our feedforward psdigits classifier with
its window started ``--shrink`` times shorter than the sequence, learned
(``trainable_theta``, in parallel training) against the same short window
fixed and the full window fixed.
"""

import numpy as np

from nengo_lmu.params import check_param, SEED
from nengo_lmu.utils.commands import (
    add_common, choice_list, format_table, positive_float, positive_int, print_metrics,
)

PARTS = ("convert", "theta")


def run_convert(data, units=128, order=64, epochs=8, batch_size=32, learning_rate=3e-3,
                seed=0, sequences=200, calibration_sequences=100,
                backends=("nengo", "loihi-sim"), progress_bar=False):
    """Train in KerasLMU, convert, deploy with spikes; returns the metrics (a dict)."""
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.benchmarks.keras_lmu import train_keras_lmu
    from nengo_lmu.convert.keras_lmu import from_keras_lmu
    from nengo_lmu.training import predict
    from nengo_lmu.training.deployment import evaluate

    seed = check_param(SEED, seed)
    (x_train, _), (x_test, y_test) = data
    keras, model = train_keras_lmu(
        data, units, order, theta=x_train.shape[1], epochs=epochs, batch_size=batch_size,
        learning_rate=learning_rate, seed=seed, hidden="relu-dense", verbose=progress_bar,
        return_model=True,
    )
    n = min(sequences, len(x_test))
    x_test, y_test = x_test[:n], y_test[:n]
    keras_logits = model.predict(x_test, verbose=0)
    spec, params = from_keras_lmu(model, seed=seed)
    ours = predict(spec, params, x_test)
    metrics = dict(
        keras_lmu_test_accuracy=keras["test_accuracy"],
        sequences=n,
        keras_lmu_accuracy=float(np.mean(np.argmax(keras_logits, axis=1) == y_test)),
        converted_max_relative_difference=float(
            np.abs(ours - keras_logits).max() / np.abs(keras_logits).max()),
    )
    scores = evaluate(spec, params, x_train[:calibration_sequences], x_test, y_test,
                      backends=backends, progress_bar=progress_bar)
    keys = ["eval_rate_test_accuracy", "deployed_rate_test_accuracy",
            "deployed_spiking_test_accuracy", "steps_per_element", "readout_steps"]
    for backend in backends:
        name = backend.replace("-", "_")
        keys += [f"{name}_test_accuracy", f"{name}_agreement_with_dl_spiking"]
    metrics.update({key: scores[key] for key in keys if key in scores})
    return metrics


def run_theta(data, units=128, order=64, epochs=8, batch_size=32, learning_rate=3e-3,
              seed=0, shrink=4.0, progress_bar=False):
    """The window learned from ``1/shrink`` of the sequence, against fixed windows.

    Returns rows ``(window, start steps, end steps, test accuracy, seconds)``
    and the metrics (a dict).
    """
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.training import evaluate_classifier, fit, make_spec

    (x_train, y_train), (x_test, y_test) = data
    n_steps, dt = x_train.shape[1], 0.001
    short = n_steps / shrink
    runs = (("fixed, whole sequence", n_steps, False), (f"fixed, 1/{shrink:g}", short, False),
            (f"learned, from 1/{shrink:g}", short, True))
    rows, metrics = [], {}
    for label, steps, learn in runs:
        spec = make_spec("classify", n_steps, x_train.shape[2], int(y_train.max()) + 1,
                         units, order, theta=steps * dt, seed=seed, hidden_to_hidden=False,
                         trainable_theta=learn)
        params, info = fit(spec, x_train, y_train, epochs=epochs, batch_size=batch_size,
                           learning_rate=learning_rate, progress_bar=progress_bar)
        end = float(params["theta"]) / dt if learn else steps
        accuracy = evaluate_classifier(spec, params, x_test, y_test,
                                       parallel=info["mode"] == "parallel")["test_accuracy"]
        rows.append([label, f"{steps:g}", f"{end:.1f}", f"{accuracy:.4f}",
                     f"{info['seconds']:.0f}"])
        key = "learned" if learn else ("fixed_short" if steps != n_steps else "fixed_whole")
        metrics.update({f"{key}_theta_steps": end, f"{key}_test_accuracy": accuracy,
                        f"{key}_mode": info["mode"]})
    return rows, metrics


def run(args):
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.training.recipes import load_dataset

    data = load_dataset("psdigits")
    common = dict(units=args.units, order=args.order, epochs=args.epochs,
                  batch_size=args.batch_size, learning_rate=args.learning_rate,
                  seed=args.seed, progress_bar=True)
    print("dataset=psdigits")
    print_metrics(dict(units=args.units, order=args.order, epochs=args.epochs,
                       seed=args.seed))
    if "convert" in args.parts:
        print_metrics(run_convert(data, sequences=args.sequences, **common))
    if "theta" in args.parts:
        rows, metrics = run_theta(data, shrink=args.shrink, **common)
        print(format_table(["window", "start (steps)", "end (steps)", "test accuracy",
                            "training s"], rows))
        print_metrics(metrics)


def register(benches):
    """Add ``keras-lmu-convert`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "keras-lmu-convert",
        help="a psdigits model trained in KerasLMU, converted and run with spikes on nengo "
        "and loihi-sim (part convert); a window started too short, learned against fixed "
        "(part theta); needs: pip install nengo-lmu[bench]",
    )
    add_common(sub)  # --backend is not used: the convert part names its own
    sub.add_argument("--parts", type=choice_list(list(PARTS), "parts"), default=list(PARTS),
                     help=f"comma-separated parts (default: all): {','.join(PARTS)}")
    sub.add_argument("--units", type=positive_int, default=128,
                     help="hidden units (default: 128, the psdigits recipe's)")
    sub.add_argument("--order", type=positive_int, default=64,
                     help="memory order (default: 64)")
    sub.add_argument("--epochs", type=positive_int, default=8, help="epochs (default: 8)")
    sub.add_argument("--batch-size", type=positive_int, default=32,
                     help="batch size (default: 32)")
    sub.add_argument("--learning-rate", type=positive_float, default=3e-3,
                     help="Adam's learning rate (default: 3e-3)")
    sub.add_argument("--sequences", type=positive_int, default=200,
                     help="test sequences run with spikes (default: 200)")
    sub.add_argument("--shrink", type=positive_float, default=4.0,
                     help="the theta part starts the window this many times shorter than "
                     "the sequence (default: 4)")
    sub.set_defaults(func=run)
