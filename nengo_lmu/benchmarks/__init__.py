"""The benchmarks of ``nengo-lmu bench NAME``: one module per benchmark, named after it.

Each module in `BENCHMARKS` has ``register(benches)``, which adds its
subcommand (and the function that runs it) to the ``bench`` subparsers.
The other modules hold what the benchmarks share: `memories` (the memories
the spiking-memory and loihi-mapping benchmarks compare, and their errors),
`backend_networks` and `batched` (the parts of ``bench backends``), `nir_cell`
and `nir_consumer` (``bench nir --network deployed-cell``, and running a graph
in the consumer environment; `nir_norse` is a script run there).
"""

from nengo_lmu.benchmarks import (
    backends,
    capacity,
    convolution,
    keras_lmu,
    keras_lmu_convert,
    loihi_deployment,
    loihi_mapping,
    mackey_glass,
    nir,
    online_learning,
    spiking_memory,
    throughput,
    training,
)

#: ``nengo-lmu bench NAME`` -> the module that registers and runs it
BENCHMARKS = {
    "capacity": capacity,
    "spiking-memory": spiking_memory,
    "keras-lmu": keras_lmu,
    "keras-lmu-convert": keras_lmu_convert,
    "backends": backends,
    "online-learning": online_learning,
    "loihi-mapping": loihi_mapping,
    "loihi-deployment": loihi_deployment,
    "training": training,
    "throughput": throughput,
    "convolution": convolution,
    "mackey-glass": mackey_glass,
    "nir": nir,
}
