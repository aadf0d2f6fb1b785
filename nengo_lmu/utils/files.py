"""Writing files so that a failed or killed run never leaves half a file."""

import contextlib
import io
import os
import pathlib
import tempfile

import numpy as np
from nengo.exceptions import ValidationError


def check_output_path(path, name):
    """Validate, before a run, that ``path`` can be written; return it.

    The parent folder is created if missing and must be writable; ``path``
    must be a str or path and not a folder. Raises a `ValidationError` on ``name``.
    """
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValidationError(f"Must be a file's path, a str or path (got {path!r})", name)
    target = pathlib.Path(path)
    parent = target.parent
    if target.is_dir():
        raise ValidationError(f"{path} is a folder, not a file", name)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValidationError(
            f"cannot create the folder {parent} ({error.strerror or error})", name
        ) from None
    if not os.access(parent, os.W_OK):
        raise ValidationError(f"the folder {parent} is not writable", name)
    return path


@contextlib.contextmanager
def atomic_write(path, mode="wb", name="path"):
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    The file is written, flushed to disk and renamed over ``path`` in one
    step (``os.replace``), so a reader sees the old file or the new one,
    never a part; if the block raises (a full disk, Ctrl-C, SIGTERM), the
    old file is untouched and the temporary one is removed (after SIGKILL it
    is left beside it with a ``.tmp`` suffix, never in its place). A
    ``path`` that is a folder is refused with a `ValidationError` on
    ``name``; an ``OSError`` while writing names the file.
    """
    path = pathlib.Path(check_output_path(path, name))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it the permissions of
        # the file it replaces, or those any new file would get
        os.chmod(handle, _file_mode(path))
        with os.fdopen(handle, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        if isinstance(error, OSError) and error.errno is not None and not error.filename:
            # "No space left on device" alone does not say which file failed
            raise OSError(error.errno, f"{error.strerror}: cannot write {path}") from error
        raise


def save_npz(path, arrays, name="path"):
    """``np.savez`` of the dict ``arrays`` to ``path``, atomically (see `atomic_write`).

    The archive is made in memory, then written: numpy leaves its zip file
    open when a write fails, and that file's clean-up would fail again later
    on the closed file; a plain write fails once, cleanly (a full disk).
    """
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_write(path, name=name) as file:
        file.write(buffer.getbuffer())


def _file_mode(path):
    """The permission bits of ``path`` if it exists, else a new file's (0666 minus the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # reading the umask means setting it; put it back at once
        os.umask(umask)
        return 0o666 & ~umask


def save_figure(fig, path, **kwargs):
    """Save a matplotlib figure to ``path`` atomically (see `atomic_write`).

    The folder is created if missing; the format comes from the suffix of
    ``path``, as ``fig.savefig`` does.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("format", path.suffix.lstrip(".") or None)
    with atomic_write(path) as file:
        fig.savefig(file, **kwargs)
