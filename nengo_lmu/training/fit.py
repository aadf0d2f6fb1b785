"""Training an `.LMUCell` with NengoDL (Adam), and the training recipes' entry points.

- `fit`: train a spec's model; returns ``(params, info)``.
- `train_classifier`: sequence classification (loss on the last step), the
  psMNIST task; returns a dict of metrics.
- `train_regressor`: sequence-to-sequence regression (loss on every step).
- `evaluate_classifier`: test accuracy with rate or spiking neurons (NengoDL, batched).
"""

import time

import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import IntParam

from nengo_lmu.params import (
    BATCH_SIZE,
    EPOCHS,
    LEARNING_RATE,
    MAX_BATCHES,
    ORDER,
    UNITS,
    check_param,
)
from nengo_lmu.training.parallel import (
    DROPOUT,
    build_parallel_model,
    parallel_inputs,
    parallel_params,
    parallel_predict,
    resolve_mode,
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
    check_spec_shape,
    get_params,
    make_spec,
    spiking_name,
)


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
):
    """Train a spec's model with NengoDL (Adam); return ``(params, info)``.

    Spiking hidden neurons are trained through NengoDL's rate approximation.
    ``info`` has ``seconds`` (of `fit` itself), ``batches``, ``sequences``,
    ``mode`` and, in parallel, ``memory_seconds`` (computing the final memory
    states of the data, once, before training). With ``max_batches``,
    training stops after that many batches (a smoke run). ``params`` (from an
    earlier `fit`) continue a training, in either mode.

    ``mode="parallel"`` trains a feedforward model as one NengoDL step per
    sequence (a classifier) or per time step (a regressor, whose batches are
    then ``batch_size`` time steps drawn from all sequences;
    `nengo_lmu.training.parallel`), ``"steps"`` steps through every element;
    ``"auto"`` (the default) is parallel wherever it applies. Either way the
    params are those of `build_model`'s step-by-step model.
    ``dropout`` (parallel only) drops that fraction of the hidden activities
    during training.
    """
    import tensorflow as tf

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
    classify = spec["task"] == "classify"
    x, y = check_sequences(x, y, spec["size_out"] if classify else None, name="x_train")
    check_spec_shape(spec, x)
    targets = y[:, None, None] if classify else y.astype(np.float32)
    per_step = mode == "parallel" and not classify  # a sample per time step
    n = (len(x) * (x.shape[1] if per_step else 1) // batch_size) * batch_size
    if n == 0:  # before building anything
        raise ValidationError(
            f"Needs at least one batch of {batch_size} "
            f"{'time steps' if per_step else 'sequences'} (got {len(x)} sequences)",
            "batch_size",
        )
    tf.random.set_seed(spec["seed"])
    if mode == "parallel":
        model = build_parallel_model(spec, params=params, dropout=dropout)
        precompute = time.perf_counter()
        x, unroll = parallel_inputs(spec, x), 1
        precompute = time.perf_counter() - precompute
        if per_step:  # its memory state holds the history
            x = x.reshape(-1, 1, x.shape[2])
            targets = targets.reshape(-1, 1, targets.shape[2])
    else:
        model = build_model(spec, params=params)
        unroll = unroll_for(spec["n_steps"], unroll)
    rng = np.random.RandomState(spec["seed"])
    order = rng.permutation(len(x))[:n]  # drop the remainder, at random
    x, targets = x[order], targets[order]
    batches_per_epoch = n // batch_size
    if max_batches is not None:
        epochs = int(np.ceil(max_batches / batches_per_epoch))
    with nengo_dl_sim(model, batch_size, unroll) as sim:
        if classify:
            loss = tf.losses.SparseCategoricalCrossentropy(from_logits=True)
        else:
            loss = tf.losses.MeanSquaredError()
        sim.compile(optimizer=tf.optimizers.Adam(learning_rate), loss={model.probe: loss})
        total = epochs * batches_per_epoch if max_batches is None else max_batches
        timer = batch_callback(total, "training", progress_bar)
        callbacks = [timer]
        start = time.perf_counter()
        if max_batches is not None:
            batches = max_batches
            keep = max_batches * batch_size
            reps = int(np.ceil(keep / n))
            xs = np.concatenate([x] * reps)[:keep]
            ts = np.concatenate([targets] * reps)[:keep]
            sim.fit({model.input: xs}, {model.probe: ts}, epochs=1, verbose=0,
                    callbacks=callbacks, shuffle=False)
        else:
            batches = epochs * batches_per_epoch
            if epochs > 0:
                sim.fit({model.input: x}, {model.probe: targets}, epochs=epochs,
                        verbose=0, callbacks=callbacks)
        seconds = time.perf_counter() - start
        new_params = parallel_params(sim, model) if mode == "parallel" else get_params(sim, model)
    info = dict(seconds=seconds, batches=batches, sequences=batches * batch_size,
                batches_per_epoch=batches_per_epoch, epochs=epochs, mode=mode)
    if mode == "parallel":  # the memory states, computed once before training
        info["memory_seconds"] = precompute
    # the first batch includes building TensorFlow's graph: time the others
    if len(timer.times) > 2:
        steady = (timer.times[-1] - timer.times[0]) / (len(timer.times) - 1)
        info["steady_seconds_per_batch"] = steady
        info["first_batch_seconds"] = timer.times[0] - start
    return new_params, info


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

    ``mode`` and ``dropout`` are `fit`'s: a feedforward cell read out without a
    lowpass trains in parallel over time by default.

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
    (x_train, y_train), (x_test, y_test) = data
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
    params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                       learning_rate=learning_rate, max_batches=max_batches,
                       progress_bar=progress_bar, mode=mode, dropout=dropout)
    result = dict(
        train_mode=info["mode"],
        epochs_trained=info["epochs"],
        batches=info["batches"],
        train_seconds=info["seconds"],
        seconds_per_epoch=info["seconds"] * info["batches_per_epoch"] / max(info["batches"], 1),
    )
    if "steady_seconds_per_batch" in info:
        per_batch = info["steady_seconds_per_batch"]
        result["sequences_per_second"] = batch_size / per_batch
        result["projected_epoch_seconds"] = per_batch * info["batches_per_epoch"]
        result["first_batch_seconds"] = info["first_batch_seconds"]
    result.update(evaluate_classifier(spec, params, x_test, y_test, spiking=spiking,
                                      rate_scale=rate_scale,
                                      spiking_synapse=spiking_synapse,
                                      progress_bar=progress_bar,
                                      parallel=info["mode"] == "parallel"))
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
    (x_train, y_train), (x_test, y_test) = data
    x_train, y_train = check_sequences(x_train, y_train, name="x_train")
    x_test, y_test = check_sequences(x_test, y_test, name="x_test")
    spec = make_spec("regress", x_train.shape[1], x_train.shape[2], y_train.shape[2],
                     units, order, theta=theta, neuron_type=neuron_type, seed=seed,
                     **cell_kwargs)
    params, info = fit(spec, x_train, y_train, epochs, batch_size=batch_size,
                       learning_rate=learning_rate, progress_bar=progress_bar,
                       mode=mode, dropout=dropout)
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
