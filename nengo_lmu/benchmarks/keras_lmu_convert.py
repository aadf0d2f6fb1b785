"""``nengo-lmu bench keras-lmu-convert``: a KerasLMU model brought across, and a learned theta.

Three parts. ``convert``: a psdigits classifier trained in KerasLMU (the
``relu-dense`` hidden cell of `nengo_lmu.benchmarks.keras_lmu`, whose neurons have a spiking
counterpart), converted by `nengo_lmu.convert.from_keras_lmu`, then deployed
with spikes and run on nengo and loihi-sim
(`nengo_lmu.training.deployment.evaluate`), beside KerasLMU's own accuracy on
the same test sequences. ``theta``: our feedforward psdigits classifier with
its window started ``--shrink`` times shorter than the sequence, learned
(``trainable_theta``, in parallel training) against the same short window
fixed and the full window fixed. ``delay``: the same on a delay task whose
output is the memory's own estimate of ``u(t - theta)``, so that theta is the
only parameter and the best window is the delay (`train_delay_window`).
``delay-fit``: the same delay task learned by a whole regressor (hidden layer
and readout trained with theta, `nengo_lmu.training.fit`), in parallel over
time and step by step (`run_delay_fit`).
"""

import nengo
import numpy as np

from nengo_lmu.backends import import_backend_module
from nengo_lmu.benchmarks.keras_lmu import train_keras_lmu
from nengo_lmu.convert.keras_lmu import from_keras_lmu
from nengo_lmu.legendre import impulse_response, legendre_readout
from nengo_lmu.networks import LMUCell
from nengo_lmu.params import check_param, SEED
from nengo_lmu.simulator import Simulator
from nengo_lmu.trainable_theta import learned_theta
from nengo_lmu.training import evaluate_classifier, fit, make_spec, predict
from nengo_lmu.training.parallel import parallel_predict
from nengo_lmu.training.deployment import evaluate
from nengo_lmu.training.recipes import load_dataset
from nengo_lmu.utils.commands import (
    add_common, choice_list, format_table, positive_float, positive_int, print_metrics,
)

PARTS = ("convert", "theta", "delay", "delay-fit")


def run_convert(data, units=128, order=64, epochs=8, batch_size=32, learning_rate=3e-3,
                seed=0, sequences=200, calibration_sequences=100,
                backends=("nengo", "loihi-sim"), progress_bar=False):
    """Train in KerasLMU, convert, deploy with spikes; returns the metrics (a dict)."""
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


def smooth_noise(rng, n, steps, width):
    """``(n, steps, 1)`` unit-variance noise whose autocorrelation falls off over ``width`` steps."""
    lags = np.arange(-4 * width, 4 * width + 1)
    kernel = np.exp(-(lags / width) ** 2 / 2)
    white = rng.standard_normal((n, steps + len(lags) - 1))
    x = np.array([np.convolve(w, kernel, mode="valid") for w in white])
    return (x / x.std())[..., None].astype(np.float32)


def delay_task(rng, n=32, steps=64, delay=16):
    """Smooth noise (`smooth_noise`, width ``delay / 4``) and its copy ``delay`` steps late."""
    x = smooth_noise(rng, n, steps, width=delay / 4)
    y = np.zeros_like(x)
    y[:, delay:] = x[:, :-delay]
    return x, y


def delay_loss(x, y, theta, order, dt):
    """The mean squared error of the memory's own estimate of ``u(t - theta)`` (r=1), in numpy."""
    h = impulse_response(order, theta, dt, x.shape[1]) @ legendre_readout(order, 1.0)
    estimate = np.array([np.convolve(seq[:, 0], h)[:len(seq)] for seq in x])
    return float(np.mean((estimate - y[..., 0]) ** 2))


def train_delay_window(x, y, theta, order, dt=0.001, epochs=20, learning_rate=0.05,
                       batch_size=16, seed=1):
    """Learn only theta, the output being the memory's fixed readout of ``u(t - theta)``.

    An `.LMUCell` with ``trainable_theta`` and nothing else trained (its input
    encoder and the readout fixed, its hidden part unused); Adam on
    ``log(theta)``, in NengoDL. Returns theta (seconds) after each epoch.
    """
    nengo_dl = import_backend_module("nengo_dl")
    tf = import_backend_module("tensorflow")
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(trainable=None, stateful=False, keep_history=True)
        inp = nengo.Node(np.zeros(1))
        cell = LMUCell(1, order, theta, trainable_theta=True, hidden_to_hidden=False, dt=dt)
        cell.config[cell.cell_connections["input_to_memory"]].trainable = False
        nengo.Connection(inp, cell.input, synapse=None)
        out = nengo.Node(size_in=1)
        readout = nengo.Connection(cell.memory.output, out, synapse=None,
                                   transform=legendre_readout(order, 1.0)[None])
        net.config[readout].trainable = False
        probe = nengo.Probe(out)
    history = []
    with Simulator(net, backend="dl", minibatch_size=batch_size, dt=dt,
                   progress_bar=False) as sim:
        sim.compile(tf.optimizers.Adam(learning_rate), loss={probe: tf.losses.mse})
        for _ in range(epochs):
            sim.fit({inp: x}, {probe: y}, epochs=1, verbose=0)
            history.append(learned_theta(sim, cell))
    return history


def run_delay(seed=0, order=6, delay=16, shrink=4.0, epochs=20):
    """The delay task's window learned from ``delay / shrink``: rows and metrics."""
    dt = 0.001
    x, y = delay_task(np.random.RandomState(seed), delay=delay)
    x_test, y_test = delay_task(np.random.RandomState(seed + 1), delay=delay)
    start = delay * dt / shrink
    history = train_delay_window(x, y, start, order, dt=dt, epochs=epochs)
    scale = float(np.mean(y_test ** 2))
    rows, metrics = [], {}
    for label, steps in ((f"fixed, delay/{shrink:g}", start / dt), ("fixed, the delay", delay),
                         (f"learned, from delay/{shrink:g}", history[-1] / dt)):
        nrmse = np.sqrt(delay_loss(x_test, y_test, steps * dt, order, dt) / scale)
        rows.append([label, f"{steps:.1f}", f"{nrmse:.3f}"])
        metrics[label.replace(" ", "_").replace(",", "")] = float(nrmse)
    metrics["learned_theta_steps_by_epoch"] = ",".join(f"{t / dt:.1f}" for t in history)
    return rows, metrics


def run_delay_fit(seed=0, units=16, order=6, delay=16, shrink=4.0, epochs=10,
                  learning_rate=0.01, batch_steps=32, batch_sequences=4, n_train=64):
    """A regressor learning the delay task's window, in parallel and step by step.

    The model is a feedforward `.LMUCell` (``units`` rectified-linear units,
    an order-``order`` memory started at ``delay / shrink``) and a linear
    readout, all trained with theta by `nengo_lmu.training.fit` (Adam
    ``learning_rate``) on ``n_train`` sequences: in parallel, in batches of
    ``batch_steps`` time steps; step by step, in batches of
    ``batch_sequences`` sequences; and, for reference, the window fixed at
    ``delay / shrink`` and at the delay (in parallel). Returns rows
    ``(window, training, s/epoch, end theta steps, final training loss,
    test NRMSE)`` (32 new sequences) and the metrics (a dict).
    """
    dt = 0.001
    x, y = delay_task(np.random.RandomState(seed), n=n_train, delay=delay)
    x_test, y_test = delay_task(np.random.RandomState(seed + 1), delay=delay)
    start = delay * dt / shrink
    runs = ((f"learned, from delay/{shrink:g}", start, True, "parallel"),
            (f"learned, from delay/{shrink:g}", start, True, "steps"),
            (f"fixed, delay/{shrink:g}", start, False, "parallel"),
            ("fixed, the delay", delay * dt, False, "parallel"))
    rows, metrics = [], {}
    for label, theta, learn, mode in runs:
        spec = make_spec("regress", x.shape[1], 1, 1, units, order, theta=theta, seed=seed,
                         trainable_theta=learn, hidden_to_hidden=False)
        batch_size = batch_steps if mode == "parallel" else batch_sequences
        params, info = fit(spec, x, y, epochs, batch_size=batch_size,
                           learning_rate=learning_rate, mode=mode, progress_bar=False)
        out = parallel_predict(spec, params, x_test, batch_size=batch_steps)
        nrmse = float(np.sqrt(np.mean((out - y_test) ** 2)) / np.std(y_test))
        end = float(params["theta"]) if learn else theta
        per_epoch = info["seconds"] / epochs
        rows.append([label, mode, f"{per_epoch:.2f}", f"{end / dt:.1f}",
                     f"{info['losses'][-1]:.4f}", f"{nrmse:.3f}"])
        key = f"{label.replace(' ', '_').replace(',', '')}_{mode}"
        metrics.update({f"{key}_theta_steps": end / dt, f"{key}_test_nrmse": nrmse,
                        f"{key}_seconds_per_epoch": per_epoch})
    return rows, metrics


def run(args):
    common = dict(units=args.units, order=args.order, epochs=args.epochs,
                  batch_size=args.batch_size, learning_rate=args.learning_rate,
                  seed=args.seed, progress_bar=True)
    if {"convert", "theta"} & set(args.parts):
        # the delay parts have sizes of their own: the header is the psdigits parts'
        data = load_dataset("psdigits")
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
    if "delay" in args.parts:
        rows, metrics = run_delay(seed=args.seed, shrink=args.shrink)
        print(format_table(["window", "theta (steps)", "test NRMSE"], rows))
        print_metrics(metrics)
    if "delay-fit" in args.parts:
        rows, metrics = run_delay_fit(seed=args.seed, shrink=args.shrink)
        print(format_table(["window", "training", "s/epoch", "theta (steps)",
                            "training loss", "test NRMSE"], rows))
        print_metrics(metrics)


def register(benches):
    """Add ``keras-lmu-convert`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "keras-lmu-convert",
        help="a psdigits model trained in KerasLMU, converted and run with spikes on nengo "
        "and loihi-sim (part convert); a window started too short, learned against fixed "
        "(parts theta, on psdigits, and delay, on a delay task; delay-fit, the delay task "
        "learned by a whole regressor in parallel and step by step); needs: pip install "
        "nengo-lmu[bench]",
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
