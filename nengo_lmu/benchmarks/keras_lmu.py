"""``nengo-lmu bench keras-lmu``, the KerasLMU baseline: the same task trained with the reference LMU implementation.

``keras-lmu`` is an optional benchmark dependency (``pip install nengo-lmu[bench]``):
nothing here imports it until `train_keras_lmu` runs.
"""

import sys
import time

import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import BoolParam, EnumParam

from nengo_lmu.datasets import SEQUENCE_DATASETS, check_sequence_data
from nengo_lmu.params import (
    BATCH_SIZE,
    EPOCHS,
    LEARNING_RATE,
    N_CLASSES,
    ORDER,
    SEED,
    THETA,
    UNITS,
    check_param,
)
from nengo_lmu.utils.commands import (
    add_common, nonnegative_int, positive_float, positive_int, print_metrics,
)
from nengo_lmu.utils.progress import tqdm

_IMPLEMENTATION = EnumParam("implementation", values=("lmu", "cell"))
#: Hidden cells of the baseline: KerasLMU's psMNIST recipe, or nengo-lmu's (recurrent or not).
HIDDEN_CELLS = ("tanh-rnn", "relu-rnn", "relu-dense")
_HIDDEN = EnumParam("hidden", values=HIDDEN_CELLS)
_FLAGS = {
    name: BoolParam(name)
    for name in ("hidden_to_memory", "memory_to_memory", "input_to_hidden", "verbose")
}

INSTALL_HINT = "pip install nengo-lmu[bench]"


def _import_keras_lmu():
    try:
        import keras_lmu  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        raise ImportError(
            f"The KerasLMU baseline needs keras-lmu, an optional benchmark dependency: "
            f"{INSTALL_HINT} (or pip install -r requirements-bench.txt) ({error})"
        ) from error
    return keras_lmu


def _epoch_timer(tf):
    class EpochTimer(tf.keras.callbacks.Callback):
        """Wall-clock seconds of each training epoch."""

        def __init__(self):
            super().__init__()
            self.seconds = []
            self._start = None

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def _progress_bar(tf, epochs, steps_per_epoch):

    class Progress(tf.keras.callbacks.Callback):
        """A tqdm bar on stderr over all training batches, with the running loss."""

        def on_train_begin(self, logs=None):
            self.bar = tqdm(
                total=epochs * steps_per_epoch, desc="KerasLMU training", file=sys.stderr
            )

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(1)
            if logs and batch % 10 == 0:
                self.bar.set_postfix(
                    loss=f"{logs.get('loss', np.nan):.3f}",
                    acc=f"{logs.get('accuracy', np.nan):.3f}",
                )

        def on_train_end(self, logs=None):
            self.bar.close()

    return Progress()


def build_keras_lmu(
    n_steps,
    size_in,
    units,
    order,
    theta,
    n_classes=10,
    hidden_to_memory=False,
    memory_to_memory=False,
    input_to_hidden=True,
    implementation="lmu",
    hidden="tanh-rnn",
):
    """The KerasLMU psMNIST model: an LMU with a SimpleRNN hidden cell, then Dense.

    The recipe of KerasLMU's psMNIST example (``docs/examples/psMNIST.ipynb`` in
    the keras-lmu repository, the model behind its 96-97 % psMNIST figure): one
    LMU with ``memory_d=1``, an input kernel initialized to ones, a
    ``SimpleRNNCell(units)`` hidden cell (tanh), ``hidden_to_memory=False``,
    ``memory_to_memory=False``, ``input_to_hidden=True``, followed by a
    ``Dense(n_classes)`` layer giving logits (the softmax is in the loss,
    ``SparseCategoricalCrossentropy(from_logits=True)``).

    Parameters
    ----------
    n_steps, size_in : int
        Sequence length and input dimensions.
    units : int
        Hidden (tanh) units.
    order : int
        Memory order (Legendre dimensions).
    theta : float
        Memory window, in time steps.
    n_classes : int
        Output classes.
    hidden_to_memory, memory_to_memory, input_to_hidden : bool
        KerasLMU's optional connections.
    implementation : {"lmu", "cell"}
        ``"lmu"``: ``keras_lmu.LMU``, which computes the memory as a parallel
        (FFT) convolution when neither ``hidden_to_memory`` nor ``memory_to_memory``
        is set, and steps an ``LMUCell`` otherwise; ``"cell"``:
        ``tf.keras.layers.RNN(keras_lmu.LMUCell(...))``, always stepping, as the
        example notebook writes it. Both are the same model.
    hidden : {"tanh-rnn", "relu-rnn", "relu-dense"}
        The hidden cell: ``"tanh-rnn"``, KerasLMU's psMNIST recipe, a
        ``SimpleRNNCell(units)`` (tanh, orthogonal recurrent weights);
        ``"relu-rnn"``, the hidden layer of nengo-lmu's psdigits recipe
        (``SimpleRNNCell(units, activation="relu")``, `.LMUCell` with
        ``hidden_to_hidden=True``); ``"relu-dense"``, the same without
        recurrence (``Dense(units, activation="relu")``,
        ``hidden_to_hidden=False``): to compare the two libraries with one
        and the same model.

    Returns
    -------
    tf.keras.Model
        Not compiled.
    """
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    keras_lmu = _import_keras_lmu()
    options = dict(
        memory_d=1,
        order=order,
        theta=theta,
        hidden_cell=(
            tf.keras.layers.Dense(units, activation="relu")
            if hidden == "relu-dense"
            else tf.keras.layers.SimpleRNNCell(
                units, activation="relu" if hidden == "relu-rnn" else "tanh"
            )
        ),
        hidden_to_memory=hidden_to_memory,
        memory_to_memory=memory_to_memory,
        input_to_hidden=input_to_hidden,
        kernel_initializer="ones",
    )
    if implementation == "lmu":
        lmu = keras_lmu.LMU(**options)
    else:
        lmu = tf.keras.layers.RNN(keras_lmu.LMUCell(**options))
    inputs = tf.keras.Input((n_steps, size_in))
    outputs = tf.keras.layers.Dense(n_classes)(lmu(inputs))
    return tf.keras.Model(inputs=inputs, outputs=outputs)


def train_keras_lmu(
    data,
    units,
    order,
    theta,
    epochs,
    batch_size=32,
    learning_rate=1e-3,
    seed=0,
    hidden_to_memory=False,
    memory_to_memory=False,
    input_to_hidden=True,
    n_classes=10,
    implementation="lmu",
    hidden="tanh-rnn",
    verbose=True,
    return_model=False,
):
    """Train and test the KerasLMU psMNIST model (see `.build_keras_lmu`) on ``data``.

    The reference side of the comparison with nengo-lmu's own trained LMU:
    the same data in the same order, units, order, theta, epochs, batch size
    and optimizer (Adam with ``learning_rate``; sparse categorical
    cross-entropy). Training shuffles the training set each epoch (Keras's
    default), seeded by ``seed`` through ``tf.keras.utils.set_random_seed``,
    which also seeds the weights (and sets Python's, NumPy's and TensorFlow's
    global seeds).

    Parameters
    ----------
    data : tuple
        ``(x_train, y_train), (x_test, y_test)``, as the loaders in
        ``nengo_lmu.datasets.SEQUENCE_DATASETS`` return (checked with
        `nengo_lmu.datasets.check_sequence_data`).
    units : int
        Hidden (tanh) units of the SimpleRNN cell.
    order : int
        Memory order.
    theta : float
        Memory window in time steps (KerasLMU's unit; the sequence length is the
        usual choice).
    epochs : int
        Training epochs.
    batch_size : int
        Minibatch size.
    learning_rate : float
        Adam's learning rate.
    seed : int
        Seed of the weights and of the shuffling.
    hidden_to_memory, memory_to_memory, input_to_hidden : bool
        KerasLMU's optional connections (the psMNIST recipe: False, False, True).
    n_classes : int
        Number of classes; labels must lie in ``0 .. n_classes - 1``.
    implementation : {"lmu", "cell"}
        ``keras_lmu.LMU`` (parallel memory where possible) or a stepped
        ``RNN(LMUCell)``; see `.build_keras_lmu`.
    hidden : {"tanh-rnn", "relu-rnn", "relu-dense"}
        The hidden cell (see `.build_keras_lmu`).
    verbose : bool
        Show a progress bar on stderr.
    return_model : bool
        Return the trained Keras model too, as ``(result, model)``.

    Returns
    -------
    dict
        ``test_accuracy`` (fraction correct on the test set), ``seconds_per_epoch``
        (median wall-clock seconds of the training epochs, timed by a Keras
        callback from the start to the end of each epoch; the first epoch also
        builds the graph, which the median discounts once there are 3 epochs or
        more), ``epoch_seconds`` (each epoch's), ``epochs``, ``parameters``
        (trainable), ``train_accuracy`` and ``train_loss`` (last epoch's running
        averages), ``test_loss``.

    Raises
    ------
    nengo.exceptions.ValidationError
        On a bad parameter or bad ``data``, before anything is built.
    ImportError
        If keras-lmu is not installed; it says ``pip install nengo-lmu[bench]``.
    """
    units = check_param(UNITS, units)
    order = check_param(ORDER, order)
    theta = check_param(THETA, theta)
    epochs = check_param(EPOCHS, epochs)
    if epochs == 0:  # nengo-lmu's own training takes 0 (no training); a timed baseline cannot
        raise ValidationError("The baseline times its epochs: train at least one", "epochs")
    batch_size = check_param(BATCH_SIZE, batch_size)
    learning_rate = check_param(LEARNING_RATE, learning_rate)
    seed = check_param(SEED, seed)
    n_classes = check_param(N_CLASSES, n_classes)
    implementation = check_param(_IMPLEMENTATION, implementation)
    hidden = check_param(_HIDDEN, hidden)
    flags = {
        name: check_param(param, value)
        for (name, param), value in zip(
            _FLAGS.items(), (hidden_to_memory, memory_to_memory, input_to_hidden, verbose)
        )
    }
    (x_train, y_train), (x_test, y_test) = check_sequence_data(data, n_classes=n_classes)
    _import_keras_lmu()
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    tf.keras.utils.set_random_seed(seed)
    model = build_keras_lmu(
        x_train.shape[1],
        x_train.shape[2],
        units,
        order,
        theta,
        n_classes=n_classes,
        hidden_to_memory=flags["hidden_to_memory"],
        memory_to_memory=flags["memory_to_memory"],
        input_to_hidden=flags["input_to_hidden"],
        implementation=implementation,
        hidden=hidden,
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    timer = _epoch_timer(tf)
    callbacks = [timer]
    if flags["verbose"]:
        steps = int(np.ceil(len(x_train) / batch_size))
        callbacks.append(_progress_bar(tf, epochs, steps))
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )
    test_loss, test_accuracy = model.evaluate(
        x_test, y_test, batch_size=max(batch_size, 256), verbose=0
    )
    parameters = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    result = {
        "test_accuracy": float(test_accuracy),
        "seconds_per_epoch": float(np.median(timer.seconds)),
        "epoch_seconds": [float(s) for s in timer.seconds],
        "epochs": epochs,
        "parameters": parameters,
        "train_accuracy": float(history.history["accuracy"][-1]),
        "train_loss": float(history.history["loss"][-1]),
        "test_loss": float(test_loss),
    }
    return (result, model) if return_model else result


def cmd_bench_keras_lmu(args):
    """``nengo-lmu bench keras-lmu``: print the baseline's figures as ``name=value``."""
    try:
        _import_keras_lmu()
    except ImportError as error:
        sys.exit(f"nengo-lmu: error: {error}")
    if args.dataset not in SEQUENCE_DATASETS:
        raise ValidationError(
            f"Must be one of {sorted(SEQUENCE_DATASETS)} (got {args.dataset!r})", "dataset"
        )
    loader = SEQUENCE_DATASETS[args.dataset]
    if args.data_path is not None:
        if args.dataset == "psdigits":
            raise ValidationError("psdigits ships with scikit-learn; it takes no path", "data_path")
        (x_train, y_train), test = loader(path=args.data_path)
    else:
        (x_train, y_train), test = loader()
    if args.train_samples is not None:
        x_train, y_train = x_train[: args.train_samples], y_train[: args.train_samples]
    theta = args.theta if args.theta is not None else x_train.shape[1]
    result = train_keras_lmu(
        ((x_train, y_train), test),
        units=args.units,
        order=args.order,
        theta=theta,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        implementation=args.implementation,
        hidden=args.hidden,
    )
    import keras_lmu  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel

    epoch_seconds = result.pop("epoch_seconds")
    print_metrics(
        {
            "model": "keras-lmu",
            "keras_lmu_version": keras_lmu.__version__,
            "tensorflow_version": tf.__version__,
            "dataset": args.dataset,
            "train_samples": len(x_train),
            "test_samples": len(test[0]),
            "units": args.units,
            "order": args.order,
            "theta": float(theta),
            "batch_size": args.batch_size,
            "learning_rate": args.learning_rate,
            "implementation": args.implementation,
            "hidden": args.hidden,
            "seed": args.seed,
            **result,
            "epoch_seconds": ",".join(f"{s:.2f}" for s in epoch_seconds),
        }
    )


def register(subparsers):
    """Add ``keras-lmu`` to the ``bench`` subcommands."""
    sub = subparsers.add_parser(
        "keras-lmu",
        help="train the KerasLMU psMNIST model (the reference implementation) and print "
        "its test accuracy and seconds per epoch (needs: pip install nengo-lmu[bench])",
    )
    add_common(sub)
    sub.add_argument("--dataset", default="psdigits",
                     help="psdigits (default), psmnist or psfashion")
    sub.add_argument("--data-path", default=None,
                     help="folder or .npz file of psmnist/psfashion's files "
                     "(default: the loaders' standard places)")
    sub.add_argument("--train-samples", type=positive_int, default=None,
                     help="train on the first N training samples only (default: all)")
    sub.add_argument("--units", type=positive_int, default=100, help="hidden units (default: 100)")
    sub.add_argument("--order", type=positive_int, default=64, help="memory order (default: 64)")
    sub.add_argument("--theta", type=positive_float, default=None,
                     help="memory window in steps (default: the sequence length)")
    sub.add_argument("--epochs", type=nonnegative_int, default=5, help="epochs (default: 5)")
    sub.add_argument(
        "--batch-size", type=positive_int, default=32,
        help="batch size (default: 32)",
    )
    sub.add_argument("--learning-rate", type=positive_float, default=1e-3,
                     help="Adam's learning rate (default: 1e-3)")
    sub.add_argument("--implementation", default="lmu", choices=("lmu", "cell"),
                     help="keras_lmu.LMU (parallel memory, default) or RNN(LMUCell)")
    sub.add_argument("--hidden", default="tanh-rnn", choices=HIDDEN_CELLS,
                     help="hidden cell: KerasLMU's SimpleRNN (tanh-rnn, default), or "
                     "nengo-lmu's rectified-linear hidden layer, recurrent (relu-rnn) or not "
                     "(relu-dense)")
    sub.set_defaults(func=cmd_bench_keras_lmu)
