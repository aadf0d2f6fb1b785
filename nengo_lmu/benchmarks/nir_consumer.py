"""Running an exported graph in the consumer environment (``bench nir``'s two networks).

Norse runs in a second environment (``make nir-check`` creates ``.venv-nir``:
torch and TensorFlow cannot share a process), as the script
`nengo_lmu/benchmarks/nir_norse.py`; this module writes its input, runs it
and reads its output.
"""

import pathlib
import subprocess
import tempfile

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.utils.files import check_output_path

CONSUMER_SCRIPT = pathlib.Path(__file__).with_name("nir_norse.py")


def graph_path(args):
    """Where the graph is written (its folder made; a folder or unwritable place refused)."""
    return pathlib.Path(check_output_path(args.nir_file or f"plots/nir/{args.network}.nir",
                                          "--nir-file"))


def run_consumer(python, graph_path, inputs):
    """Run ``graph_path`` in Norse with ``python`` (the consumer environment)."""
    if not pathlib.Path(python).exists():
        raise ValidationError(
            f"No consumer environment at {python}: 'make nir-check' creates it",
            "consumer_python",
        )
    with tempfile.TemporaryDirectory() as folder:
        in_path, out_path = pathlib.Path(folder, "input.npy"), pathlib.Path(folder, "output.npy")
        np.save(in_path, inputs)
        # -P: the script's folder holds nir.py (the bench), which would hide the nir package
        command = [str(python), "-P", str(CONSUMER_SCRIPT), str(graph_path), str(in_path),
                   str(out_path)]
        try:
            subprocess.run(command, check=True)
        except subprocess.CalledProcessError as error:  # its traceback is on stderr
            raise OSError(
                f"The consumer run failed (exit status {error.returncode}): "
                f"{' '.join(command)}"
            ) from error
        return np.load(out_path)
