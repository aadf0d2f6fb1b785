"""The training recipes, per data set, and the data sets they train on by name."""

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.datasets import SEQUENCE_DATASETS

#: Defaults per data set (keyword arguments of `nengo_lmu.training.train_classifier`).
RECIPES = {
    # a feedforward rectified-linear hidden layer (KerasLMU's Dense hidden cell,
    # with neurons that spike) read out through a 5 ms lowpass: it costs about a
    # point against reading the last step unfiltered (--readout-synapse none, as
    # KerasLMU does), but a model trained unfiltered does not survive the spikes
    # of a Loihi deployment (docs: benchmarks)
    "psdigits": dict(units=128, order=64, epochs=8, batch_size=32, learning_rate=3e-3,
                     hidden_to_hidden=False, readout_synapse=0.005),
    # the parallel paper's psMNIST model (Chilkuri & Eliasmith 2021: order 468, 346
    # rectified-linear units, a feedforward hidden layer, dropout 0.5), trained in
    # parallel over time (one NengoDL step per sequence); 40 epochs with a cosine
    # decay of the learning rate, chosen on a validation split of psFashion's
    # training images (the last 10000; docs: benchmarks): 0.8958 against 0.8867
    # for 20 epochs at a constant rate
    "psmnist": dict(units=346, order=468, epochs=40, batch_size=100, learning_rate=1e-3,
                    lr_schedule="cosine", hidden_to_hidden=False, dropout=0.5),
    "psfashion": dict(units=346, order=468, epochs=40, batch_size=100, learning_rate=1e-3,
                      lr_schedule="cosine", hidden_to_hidden=False, dropout=0.5),
}
#: Sequences in the synthetic stand-in for each data set: (train, test, steps, classes).
_SYNTHETIC_SHAPES = {
    "psdigits": (1347, 450, 64, 10),
    "psmnist": (60000, 10000, 784, 10),
    "psfashion": (60000, 10000, 784, 10),
}


def load_dataset(name, perm_seed=0, synthetic=False, seed=0):
    """Load a sequence data set by name, or a random stand-in of its shape."""
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
