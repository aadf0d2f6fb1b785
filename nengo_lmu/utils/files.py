"""Writing files so that a failed or killed run never leaves half a file."""

import contextlib
import os
import pathlib
import tempfile


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    The file is written, flushed to disk and renamed over ``path`` in one
    step (``os.replace``), so a reader sees the old file or the new one,
    never a part; if the block raises (or the process dies), the old file is
    untouched and the temporary one is removed (or, after a kill, left beside
    it with a ``.tmp`` suffix, never in its place).
    """
    path = pathlib.Path(path)
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
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


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
