"""Training checkpoints: what `nengo_lmu.training.fit` needs to resume exactly where it was.

A checkpoint is one ``.npz`` file, written atomically after every epoch
(`nengo_lmu.utils.files.save_npz`): the training's *configuration* (the
spec, the training options and a checksum of the training data), the number
of epochs done, the Keras model's weights and the optimizer's variables (Adam's
step count and moments). The data order of every epoch and the dropout masks
of every batch are functions of the seed and the epoch (see `fit`), so a
training resumed from a checkpoint continues with exactly the numbers the
uninterrupted one would have used.
"""

import json
import pathlib
import zipfile
import zlib

import numpy as np

from nengo_lmu.exceptions import CheckpointError
from nengo_lmu.utils.files import save_npz

#: The checkpoint format written; `load_checkpoint` refuses others.
FORMAT = 1


def data_checksum(*arrays):
    """A CRC-32 of the arrays' bytes: training data told apart cheaply (0.2 s for psFashion)."""
    crc = 0
    for array in arrays:
        crc = zlib.crc32(np.ascontiguousarray(array).view(np.uint8).ravel(), crc)
    return crc


def save_checkpoint(path, config, epochs_done, weights, optimizer_values):
    """Write a checkpoint to ``path`` atomically (the old one stays whole if this fails).

    ``config`` is a JSON-able dict that `load_checkpoint` compares with the
    resuming training's; ``weights`` and ``optimizer_values`` are lists of arrays.
    """
    header = dict(format=FORMAT, config=config, epochs_done=int(epochs_done),
                  n_weights=len(weights), n_optimizer=len(optimizer_values))
    arrays = {f"weight_{i}": np.asarray(w) for i, w in enumerate(weights)}
    arrays.update({f"optimizer_{i}": np.asarray(v) for i, v in enumerate(optimizer_values)})
    arrays["__checkpoint__"] = np.array(json.dumps(header))
    save_npz(path, arrays, name="checkpoint")


def load_checkpoint(path, config):
    """Read a checkpoint written for a training of this ``config``.

    Returns ``(epochs_done, weights, optimizer_values)``. Raises
    `nengo_lmu.exceptions.CheckpointError` (a ``ValidationError`` on
    ``checkpoint``, naming the file) if it is missing, a folder, unreadable or
    not a checkpoint (a saved model, another archive, a single array),
    or if it was written by another model or training (naming what differs).
    """
    path = pathlib.Path(path)

    def fail(what):
        return CheckpointError(f"{path}: {what}", "checkpoint")

    if not path.is_file():
        raise fail("no such file" if not path.exists() else "is not a file")
    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):  # np.load reads a lone .npy array too
            raise fail("is a single array, not a training checkpoint (.npz)")
        with data:
            if "__checkpoint__" not in data.files:
                raise fail("is an .npz archive but not a nengo-lmu training checkpoint")
            header = json.loads(str(data["__checkpoint__"]))
            weights = [data[f"weight_{i}"] for i in range(header["n_weights"])]
            optimizer = [data[f"optimizer_{i}"] for i in range(header["n_optimizer"])]
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, EOFError, AttributeError, TypeError,
            zipfile.BadZipFile) as error:
        raise fail(f"is not a readable checkpoint ({type(error).__name__}: {error})") from None
    if header.get("format") != FORMAT:
        raise fail(f"has checkpoint format {header.get('format')!r}; this version reads {FORMAT}")
    saved = header["config"]
    for key, theirs, ours in _differences(saved, config):
        if theirs != ours:
            what = key.replace("_", " ")
            raise fail(
                f"was written by another training (its {what} differs: "
                f"{_short(theirs)} there, {_short(ours)} here); "
                "resume with the model, data and options that wrote it, or start afresh"
            )
    return header["epochs_done"], weights, optimizer


def _differences(saved, config):
    """``(name, saved value, our value)`` for every key, the spec's own keys one by one."""
    for key in sorted(set(saved) | set(config)):
        theirs, ours = saved.get(key), config.get(key)
        if isinstance(theirs, dict) and isinstance(ours, dict):
            for sub in sorted(set(theirs) | set(ours)):
                yield f"model's {sub}", theirs.get(sub), ours.get(sub)
        else:
            yield key, theirs, ours


def _short(value, limit=80):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
