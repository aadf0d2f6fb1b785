"""Training an `.LMUCell` with NengoDL (Adam), and the training recipes' entry points.

- `fit`: train a spec's model; returns ``(params, info)``.
- `train_classifier`: sequence classification (loss on the last step), the
  psMNIST task; returns a dict of metrics.
- `train_regressor`: sequence-to-sequence regression (loss on every step).
- `evaluate_classifier`: test accuracy with rate or spiking neurons (NengoDL, batched).
"""

import pathlib
import time

import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import BoolParam, EnumParam

from nengo_lmu.exceptions import CheckpointError, TrainingInterrupted

from nengo_lmu.params import (
    BATCH_SIZE,
    EPOCHS,
    LEARNING_RATE,
    MAX_BATCHES,
    ORDER,
    RATE_SCALE,
    UNITS,
    IntParam,
    NumberParam,
    check_param,
)
from nengo_lmu.training.checkpoint import data_checksum, load_checkpoint, save_checkpoint
from nengo_lmu.training.parallel import (
    DROPOUT,
    build_parallel_model,
    parallel_inputs,
    parallel_params,
    parallel_predict,
    resolve_mode,
    window_batches,
    windowed,
)
from nengo_lmu.training.sequences import (
    accuracy,
    batch_callback,
    nengo_dl_sim,
    predict,
    unroll_for,
)
from nengo_lmu.training.spec import (
    build_model,
    check_sequences,
    check_spec,
    check_spec_shape,
    get_params,
    make_spec,
    spiking_name,
)
from nengo_lmu.utils.files import check_output_path
from nengo_lmu.utils.signals import stop_signals, stopped_by


RESUME = BoolParam("resume")
LR_SCHEDULE = EnumParam("lr_schedule", values=("constant", "cosine"))
SPIKING = BoolParam("spiking")
PROGRESS_BAR = BoolParam("progress_bar")
UNROLL = IntParam("unroll", low=1)
#: the spiking evaluation's readout synapse (s), unless "spec" (the spec's own)
SPIKING_SYNAPSE = NumberParam("spiking_synapse", low=0, low_open=True, optional=True)


def split_data(data):
    """``(x_train, y_train), (x_test, y_test)`` from ``data``, or a `ValidationError` on it."""
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise ValidationError(
            "Must be ((x_train, y_train), (x_test, y_test)), as the data sets return",
            "data",
        ) from None
    return (x_train, y_train), (x_test, y_test)


def check_spiking_options(neuron_type, spiking, rate_scale, spiking_synapse):
    """Check a spiking evaluation's options before the training it follows."""
    if check_param(SPIKING, spiking):
        spiking_name(neuron_type)
    check_param(RATE_SCALE, rate_scale)
    if not (isinstance(spiking_synapse, str) and spiking_synapse == "spec"):
        check_param(SPIKING_SYNAPSE, spiking_synapse)


def fit(
    spec,
    x,
    y,
    epochs,
    batch_size=100,
    learning_rate=1e-3,
    max_batches=None,
    progress_bar=True,
    params=None,
    unroll=8,
    mode="auto",
    dropout=0.0,
    lr_schedule="constant",
    checkpoint=None,
    resume=False,
):
    """Train a spec's model with NengoDL (Adam); return ``(params, info)``.

    Spiking hidden neurons are trained through NengoDL's rate approximation.
    ``info`` has ``seconds`` (of `fit` itself), ``batches``, ``sequences``,
    ``mode``, ``epochs_done``, ``losses`` (the mean training loss of each
    epoch) and, in parallel, ``memory_seconds`` (computing the memory states of
    the data, once, before training). With ``max_batches``, training stops
    after that many batches (a smoke run). ``params`` (from an earlier `fit`)
    continue a training, in either mode.

    ``mode="parallel"`` trains a feedforward model as one NengoDL step per
    sequence (a classifier) or per time step (a regressor, whose batches are
    then ``batch_size`` time steps drawn from all sequences, each with its
    history window if the cell learns theta; `nengo_lmu.training.parallel`),
    each training step compiled by XLA (not with a learned theta);
    ``"steps"`` steps through every element; ``"auto"`` (the default) is
    parallel wherever it applies. Either way the params are those of
    `build_model`'s step-by-step model. ``dropout`` (parallel only) drops
    that fraction of the hidden activities during training.
    ``lr_schedule="cosine"`` decays the learning rate from ``learning_rate``
    to 0 over the whole training (Keras's ``CosineDecay``).

    Every epoch sees the data in an order drawn from ``(seed, epoch)``, and
    the dropout masks are drawn from the seed and the batch number, so a
    training is reproducible and can be resumed exactly: with ``checkpoint``
    (a path), a checkpoint is written atomically after every epoch
    (`nengo_lmu.training.checkpoint`); with ``resume=True`` as well, training
    continues from that checkpoint (if it exists) and ends with the params an
    uninterrupted training would have. A checkpoint written by another model,
    data set or training option raises a
    `nengo_lmu.exceptions.CheckpointError` naming what differs.

    On Ctrl-C, SIGTERM or SIGHUP (`nengo_lmu.utils.signals.stop_signals`),
    raises `nengo_lmu.exceptions.TrainingInterrupted` (a ``KeyboardInterrupt``)
    carrying the params trained so far, ``info`` and the signal's number. A
    process killed outright (SIGKILL, a power cut) resumes from its last
    checkpoint, that of its last whole epoch.
    """
    check_spec(spec)
    mode = resolve_mode(spec, mode)
    dropout = check_param(DROPOUT, dropout)
    if dropout > 0 and mode != "parallel":
        raise ValidationError(
            "Dropout is applied by parallel training only; train a feedforward "
            "classifier in mode='parallel', or set dropout=0",
            "dropout",
        )
    epochs = check_param(EPOCHS, epochs)
    batch_size = check_param(BATCH_SIZE, batch_size)
    learning_rate = check_param(LEARNING_RATE, learning_rate)
    max_batches = check_param(MAX_BATCHES, max_batches)
    lr_schedule = check_param(LR_SCHEDULE, lr_schedule)
    check_param(RESUME, resume)
    check_param(PROGRESS_BAR, progress_bar)
    unroll = check_param(UNROLL, unroll)
    if params is not None and not isinstance(params, dict):
        raise ValidationError(
            f"Must be None or a dict of params from an earlier fit (got {type(params).__name__})",
            "params",
        )
    if checkpoint is not None and max_batches is not None:
        raise ValidationError("A smoke run (max_batches) writes no checkpoint", "checkpoint")
    if resume and checkpoint is None:
        raise ValidationError("resume=True needs the checkpoint to resume from", "resume")
    classify = spec["task"] == "classify"
    x, y = check_sequences(x, y, spec["size_out"] if classify else None, name="x_train")
    check_spec_shape(spec, x)
    targets = y[:, None, None] if classify else y.astype(np.float32)
    per_step = mode == "parallel" and not classify  # a sample per time step
    n_samples = len(x) * (x.shape[1] if per_step else 1)
    n = (n_samples // batch_size) * batch_size
    if n == 0:  # before building anything
        raise ValidationError(
            f"Needs at least one batch of {batch_size} "
            f"{'time steps' if per_step else 'sequences'} (got {len(x)} sequences)",
            "batch_size",
        )
    config = None
    if checkpoint is not None:
        config = dict(spec=spec, mode=mode, dropout=dropout, epochs=epochs,
                      batch_size=batch_size, learning_rate=learning_rate,
                      lr_schedule=lr_schedule, data=data_checksum(x, targets),
                      start_params=None if params is None else data_checksum(
                          *(np.asarray(params[k]) for k in sorted(params))))
        check_output_path(checkpoint, "checkpoint")
    import tensorflow as tf  # pylint: disable=import-outside-toplevel  # after the checks

    tf.random.set_seed(spec["seed"])
    lazy = mode == "parallel" and windowed(spec)  # each batch's windows built when fed
    if mode == "parallel":
        model = build_parallel_model(spec, params=params, dropout=dropout)
        precompute = time.perf_counter()
        unroll = 1
        if not lazy:
            x = parallel_inputs(spec, x)
        precompute = time.perf_counter() - precompute
        if per_step and not lazy:  # its memory state holds the history
            x = x.reshape(-1, 1, x.shape[2])
            targets = targets.reshape(-1, 1, targets.shape[2])
    else:
        model = build_model(spec, params=params)
        unroll = unroll_for(spec["n_steps"], unroll)
    batches_per_epoch = n // batch_size
    if max_batches is not None:
        epochs = int(np.ceil(max_batches / batches_per_epoch))
    total = epochs * batches_per_epoch if max_batches is None else max_batches
    rate = learning_rate
    if lr_schedule == "cosine":
        rate = tf.keras.optimizers.schedules.CosineDecay(learning_rate, max(total, 1))
    info = dict(batches_per_epoch=batches_per_epoch, epochs=epochs, mode=mode,
                epochs_done=0, losses=[], checkpoint=checkpoint)
    # SIGTERM and SIGHUP stop a training as Ctrl-C does, with its params kept
    with nengo_dl_sim(model, batch_size, unroll) as sim, stop_signals():

        def data(order):
            """``sim.fit``'s ``x`` and ``y``: the samples ``order``, in that order."""
            if lazy:
                return window_batches(sim, model, x, order, batch_size, targets), None
            return {model.input: x[order]}, {model.probe: targets[order]}

        if classify:
            loss = tf.losses.SparseCategoricalCrossentropy(from_logits=True)
        else:
            loss = tf.losses.MeanSquaredError()
        optimizer = tf.optimizers.Adam(rate)
        # XLA compiles the one-step parallel network; it refuses NengoDL's loop
        sim.compile(optimizer=optimizer, loss={model.probe: loss},
                    jit_compile=mode == "parallel" and model.jit_compile)
        if resume and pathlib.Path(checkpoint).exists():
            info["epochs_done"] = _restore(sim, optimizer, load_checkpoint(checkpoint, config))
            info["resumed_from_epoch"] = info["epochs_done"]
        timer = batch_callback(total - info["epochs_done"] * batches_per_epoch, "training",
                               progress_bar)
        start = time.perf_counter()
        try:
            if max_batches is not None:
                keep = max_batches * batch_size
                order = _epoch_order(spec["seed"], 0, n_samples, n)
                order = np.concatenate([order] * int(np.ceil(keep / n)))[:keep]
                history = sim.fit(*data(order), epochs=1, verbose=0, callbacks=[timer],
                                  shuffle=False)
                info["losses"].append(float(history.history["loss"][-1]))
            else:
                for epoch in range(info["epochs_done"], epochs):
                    order = _epoch_order(spec["seed"], epoch, n_samples, n)
                    if getattr(model, "dropout", None) is not None:
                        model.dropout.batch.assign(epoch * batches_per_epoch)
                    history = sim.fit(*data(order), epochs=1, verbose=0, callbacks=[timer],
                                      shuffle=False)
                    info["losses"].append(float(history.history["loss"][-1]))
                    info["epochs_done"] = epoch + 1
                    if checkpoint is not None:
                        save_checkpoint(checkpoint, config, epoch + 1,
                                        sim.keras_model.get_weights(),
                                        [v.numpy() for v in _optimizer_variables(optimizer)])
        except KeyboardInterrupt as error:
            info["batches"] = len(timer.times)
            raise TrainingInterrupted(_trained_params(sim, model, mode), info,
                                      signum=stopped_by(error)) from None
        finally:
            timer.close()
        info["seconds"] = time.perf_counter() - start
        new_params = _trained_params(sim, model, mode)
    info["batches"] = batches = len(timer.times)
    info["sequences"] = batches * batch_size
    if mode == "parallel":  # the memory states, computed once before training
        info["memory_seconds"] = precompute
    # the first batch includes building TensorFlow's graph: time the others
    if len(timer.times) > 2:
        steady = (timer.times[-1] - timer.times[0]) / (len(timer.times) - 1)
        info["steady_seconds_per_batch"] = steady
        info["first_batch_seconds"] = timer.times[0] - start
    return new_params, info


def _epoch_order(seed, epoch, n_samples, n_used):
    """The samples of an epoch, in order: a permutation drawn from ``(seed, epoch)``.

    Keras's own shuffle cannot be resumed; this one is the same in a resumed
    training. The ``n_samples - n_used`` left out (less than a batch) differ
    from epoch to epoch.
    """
    return np.random.RandomState([seed, epoch]).permutation(n_samples)[:n_used]


def _trained_params(sim, model, mode):
    return parallel_params(sim, model) if mode == "parallel" else get_params(sim, model)


def _optimizer_variables(optimizer):
    variables = optimizer.variables
    return variables() if callable(variables) else variables


def _restore(sim, optimizer, saved):
    """Give the simulator and optimizer a checkpoint's values; return its epochs done."""
    epochs_done, weights, optimizer_values = saved
    sim.keras_model.set_weights(weights)
    optimizer.build(sim.keras_model.trainable_variables)
    variables = _optimizer_variables(optimizer)
    if len(variables) != len(optimizer_values):  # same config, other library version
        raise CheckpointError(
            f"The checkpoint holds {len(optimizer_values)} optimizer variables, this "
            f"optimizer has {len(variables)}: it was written by another version",
            "checkpoint",
        )
    for variable, value in zip(variables, optimizer_values):
        variable.assign(value)
    return epochs_done


def train_classifier(
    data,
    units=128,
    order=64,
    theta=None,
    epochs=8,
    batch_size=32,
    learning_rate=3e-3,
    seed=0,
    neuron_type="relu",
    spiking=False,
    rate_scale=1000.0,
    spiking_synapse="spec",
    readout_synapse=None,
    max_batches=None,
    n_classes=None,
    progress_bar=True,
    mode="auto",
    dropout=0.0,
    lr_schedule="constant",
    checkpoint=None,
    resume=False,
    **cell_kwargs,
):
    """Train an LMU classifier on ``data``; return its metrics, spec and params.

    ``data`` is ``(x_train, y_train), (x_test, y_test)`` as the data sets of
    `nengo_lmu.datasets.SEQUENCE_DATASETS` return: ``x`` of shape
    ``(n, steps, dims)``, ``y`` integer labels in ``[0, n_classes)`` (by default
    ``n_classes`` is one more than the largest training label). The model is trained with
    NengoDL, then evaluated on the test set with its rate neurons and, if
    ``spiking``, with their spiking counterparts (scaled by ``rate_scale``,
    readout through ``spiking_synapse``).

    The defaults are the psdigits recipe's except for the hidden layer: pass
    ``**nengo_lmu.training.recipes.RECIPES["psdigits"]`` for all of it (a feedforward
    hidden layer, ``hidden_to_hidden=False``, read out through a 5 ms lowpass,
    which a spiking deployment on Loihi needs: `nengo_lmu.training.deployment`). The lowpass
    costs some accuracy: 0.929 against 0.951 without (psdigits, units 100, 10
    epochs, Adam 1e-3, seed 0). The spiking evaluation must read out as the
    training did: a model trained unfiltered and read through a lowpass with
    spikes falls to chance.

    ``mode``, ``dropout``, ``lr_schedule``, ``checkpoint`` and ``resume``
    are `fit`'s: a feedforward cell read out without a lowpass trains in
    parallel over time by default. A `nengo_lmu.exceptions.TrainingInterrupted`
    from `fit` (Ctrl-C, SIGTERM, SIGHUP) gets the ``spec`` too, so that its params
    can be saved; one during the evaluation carries the whole training's params.

    Returns
    -------
    dict
        ``test_accuracy``, ``seconds_per_epoch`` (of the whole training,
        including the first batch's graph building), ``train_seconds``,
        ``epochs_trained``, ``batches``, ``train_mode``; ``sequences_per_second`` and
        ``projected_epoch_seconds`` from the batches after the first (the
        steady training speed) and ``first_batch_seconds``; with ``spiking``,
        ``spiking_test_accuracy``; ``spec`` and ``params`` (for `save_model`,
        `predict` and `run_sequences`).
    """
    (x_train, y_train), (x_test, y_test) = split_data(data)
    check_spiking_options(neuron_type, spiking, rate_scale, spiking_synapse)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if y_train.ndim != 1 or not np.issubdtype(y_train.dtype, np.integer):
        raise ValidationError(
            f"Must be one integer label per sequence (got shape {y_train.shape}, "
            f"dtype {y_train.dtype})",
            "y_train",
        )
    if n_classes is None:
        n_classes = int(y_train.max()) + 1 if y_train.size else 1
    n_classes = check_param(IntParam("n_classes", low=1), n_classes)
    check_param(UNITS, units)
    check_param(ORDER, order)
    x_train, y_train = check_sequences(x_train, y_train, n_classes, name="x_train")
    x_test, y_test = check_sequences(x_test, y_test, n_classes, name="x_test")
    spec = make_spec(
        "classify", x_train.shape[1], x_train.shape[2], n_classes, units, order,
        theta=theta, neuron_type=neuron_type, readout_synapse=readout_synapse,
        seed=seed, **cell_kwargs,
    )
    if x_test.shape[1:] != x_train.shape[1:]:
        raise ValidationError(
            f"Test sequences have shape {x_test.shape[1:]}, training ones "
            f"{x_train.shape[1:]}", "x_test",
        )
    try:
        params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                           learning_rate=learning_rate, max_batches=max_batches,
                           progress_bar=progress_bar, mode=mode, dropout=dropout,
                           lr_schedule=lr_schedule, checkpoint=checkpoint, resume=resume)
    except TrainingInterrupted as interrupt:
        interrupt.spec = spec
        raise
    result = dict(
        train_mode=info["mode"],
        epochs_trained=info["epochs"],
        batches=info["batches"],
        train_seconds=info["seconds"],
        seconds_per_epoch=info["seconds"] * info["batches_per_epoch"] / max(info["batches"], 1),
    )
    if "resumed_from_epoch" in info:
        result["resumed_from_epoch"] = info["resumed_from_epoch"]
    if "steady_seconds_per_batch" in info:
        per_batch = info["steady_seconds_per_batch"]
        result["sequences_per_second"] = batch_size / per_batch
        result["projected_epoch_seconds"] = per_batch * info["batches_per_epoch"]
        result["first_batch_seconds"] = info["first_batch_seconds"]
    try:
        with stop_signals():
            result.update(evaluate_classifier(spec, params, x_test, y_test, spiking=spiking,
                                              rate_scale=rate_scale,
                                              spiking_synapse=spiking_synapse,
                                              progress_bar=progress_bar,
                                              parallel=info["mode"] == "parallel"))
    except KeyboardInterrupt as error:  # the trained model is not lost with its evaluation
        raise TrainingInterrupted(params, info, spec, signum=stopped_by(error)) from None
    result["spec"], result["params"] = spec, params
    return result


def evaluate_classifier(spec, params, x_test, y_test, spiking=False, rate_scale=1000.0,
                        spiking_synapse="spec", progress_bar=False, parallel=False):
    """Test accuracy of a classifier in NengoDL, as trained and (``spiking``) with spikes.

    Returns a dict with ``test_accuracy`` and, with ``spiking``,
    ``spiking_test_accuracy`` (the spiking counterpart of the trained neurons,
    scaled by ``rate_scale``, read out through ``spiking_synapse``; see
    `build_model`). Both run step by step, batched; ``progress_bar`` shows
    their batches on stderr. With ``parallel``, the rate accuracy is computed
    by the parallel model instead (`nengo_lmu.training.parallel.parallel_predict`:
    the same logits to float32 precision, in a fraction of the time);
    ``rate_evaluation`` says which.
    """
    if parallel:
        logits = parallel_predict(spec, params, x_test)
    else:
        logits = predict(spec, params, x_test, progress_bar=progress_bar)
    result = dict(test_accuracy=accuracy(logits, y_test),
                  rate_evaluation="parallel" if parallel else "steps")
    if spiking:
        logits = predict(spec, params, x_test, neuron_type=spiking_name(spec["neuron_type"]),
                         rate_scale=rate_scale, readout_synapse=spiking_synapse,
                         progress_bar=progress_bar)
        result["spiking_test_accuracy"] = accuracy(logits, y_test)
    return result


def train_regressor(data, units=64, order=16, theta=None, epochs=10, batch_size=32,
                    learning_rate=1e-3, seed=0, neuron_type="relu", progress_bar=True,
                    mode="auto", dropout=0.0, **cell_kwargs):
    """Train an LMU sequence-to-sequence regressor; return its metrics, spec and params.

    ``data`` is ``(x_train, y_train), (x_test, y_test)`` with ``x`` of shape
    ``(n, steps, size_in)`` and ``y`` of shape ``(n, steps, size_out)``; the
    loss is the mean squared error over every step.

    Returns
    -------
    dict
        ``test_mse``, ``test_nrmse`` (RMSE over the targets' standard
        deviation), ``seconds_per_epoch``, ``train_mode``, ``spec``, ``params``.

    ``mode`` and ``dropout`` are `fit`'s: a feedforward cell
    (``hidden_to_hidden=False``) trains in parallel over time by default,
    with batches of ``batch_size`` time steps, and is tested in parallel too.
    """
    (x_train, y_train), (x_test, y_test) = split_data(data)
    x_train, y_train = check_sequences(x_train, y_train, name="x_train")
    x_test, y_test = check_sequences(x_test, y_test, name="x_test")
    spec = make_spec("regress", x_train.shape[1], x_train.shape[2], y_train.shape[2],
                     units, order, theta=theta, neuron_type=neuron_type, seed=seed,
                     **cell_kwargs)
    try:
        params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                           learning_rate=learning_rate, progress_bar=progress_bar,
                           mode=mode, dropout=dropout)
    except TrainingInterrupted as interrupt:  # as train_classifier: its params can be saved
        interrupt.spec = spec
        raise
    if info["mode"] == "parallel":
        out = parallel_predict(spec, params, x_test, batch_size=batch_size)
    else:
        out = predict(spec, params, x_test, batch_size=batch_size)
    mse = float(np.mean((out - y_test) ** 2))
    return dict(
        test_mse=mse,
        test_nrmse=float(np.sqrt(mse) / np.std(y_test)),
        seconds_per_epoch=info["seconds"] / max(info["epochs"], 1),
        train_mode=info["mode"],
        spec=spec,
        params=params,
    )
