"""``nengo-lmu bench loihi-deployment``: what a trained LMU loses on the Loihi emulator, and why.

One trained classifier (``--load``, or trained here with its data set's
recipe) is deployed (`nengo_lmu.training.deployment.deploy`) and the same
test sequences run through variants of the deployment, one chip effect added
or removed per row; every row is scored against the labels and against the
class NengoDL's spiking evaluation of the default deployment gives:

- **nengo, exact inputs**: the deployed network on nengo's simulator, where
  the host's values reach the hidden neurons exactly (no spikes) and the
  neurons are nengo's ``SpikingRectifiedLinear`` (any number of spikes per
  step, the overshoot kept);
- **before (issue 16)**: the deployment as it was: nengo-loihi's on/off input
  neurons (a spike per dimension and step), unfiltered on the chip;
- **+ input lowpass**: the chip filters its host inputs (``input_tau``,
  nengo-loihi's own 5 ms), and the window opens once the filter has settled;
- **+ rectified inputs** (the default): input neurons that spike in proportion
  to each value's magnitude (`nengo_lmu.loihi.model.rectified_input_neurons`);
- **weights not quantized**: the default on nengo-loihi's float emulator
  (``target="simreal"``): the chip's 8-bit weights and integer voltages cost
  the difference;
- **board input cap**: the default with at most 50 host-to-chip spikes a step
  (a board's default ``snip_max_spikes_per_step``; the rest dropped, as the
  board drops them);
- **window x2**: the default, read over twice the window (more spikes counted).

Each row prints its accuracy, agreement, seconds per sequence and the
host-to-chip spikes per step (mean and most). The chip footprint of the
default deployment (cores, compartments, synapse memory and axons against
nengo-loihi's per-core limits; whether it fits one chip) comes from
`nengo_lmu.loihi.loihi_mapping`.
"""

import copy
import sys
import time
import warnings

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import import_backend_module
from nengo_lmu.loihi.mapping import loihi_mapping
from nengo_lmu.training.deployment import deploy
from nengo_lmu.training.fit import train_classifier
from nengo_lmu.training.readout_window import check_windowed
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.training.sequences import (
    accuracy,
    chip_model_for,
    predict,
    run_sequences,
    sequence_model,
)
from nengo_lmu.training.spec import load_model
from nengo_lmu.utils.commands import (
    add_common,
    choice_list,
    format_table,
    positive_int,
    print_metrics,
)

#: a board's default host-to-chip spikes per step (nengo-loihi's snip_max_spikes_per_step)
BOARD_SPIKE_CAP = 50


def _before(spec):
    """The deployment as issue 16 left it: on/off inputs, unfiltered, no settling."""
    spec = copy.deepcopy(spec)
    spec["settle_steps"] = 0
    spec["deployment"].update(input_tau=0.0, input_encoding="on-off")
    return spec


def _on_off(spec):
    spec = copy.deepcopy(spec)
    spec["deployment"]["input_encoding"] = "on-off"
    return spec


def _longer_window(spec):
    return dict(copy.deepcopy(spec), readout_steps=2 * spec["readout_steps"])


#: row name -> (backend, emulator target, spec variant, host spike cap)
ROWS = {
    "nengo": ("nengo", None, None, None),
    "before": ("loihi-sim", "sim", _before, None),
    "lowpass": ("loihi-sim", "sim", _on_off, None),
    "default": ("loihi-sim", "sim", None, None),
    "float": ("loihi-sim", "simreal", None, None),
    "cap": ("loihi-sim", "sim", None, BOARD_SPIKE_CAP),
    "window": ("loihi-sim", "sim", _longer_window, None),
}
ROW_LABELS = {
    "nengo": "nengo, exact inputs",
    "before": "loihi-sim, before (on/off inputs, unfiltered)",
    "lowpass": "  + input lowpass (on/off inputs)",
    "default": "  + rectified inputs (the default)",
    "float": "  default, weights not quantized (simreal)",
    "cap": f"  default, board input cap ({BOARD_SPIKE_CAP}/step)",
    "window": "  default, window x2",
}


def run_row(name, spec, params, x, progress_bar=False):
    """Run one row's variant of the deployment ``(spec, params)`` on ``x``.

    Returns ``(logits, stats)``: stats as `nengo_lmu.training.run_sequences`
    fills them, plus ``seconds`` and ``seconds_per_sequence``.
    """
    backend, target, variant, cap = ROWS[name]
    spec = spec if variant is None else variant(spec)
    stats = {}
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logits = run_sequences(spec, params, x, backend=backend, stats=stats,
                               host_spike_cap=cap, float_emulator=target == "simreal",
                               progress_bar=progress_bar)
    stats["seconds"] = time.perf_counter() - start
    stats["seconds_per_sequence"] = stats["seconds"] / len(x)
    return logits, stats


def footprint(spec, params, x):
    """The chip resources of a deployment's network (one sequence's harness included)."""
    model, _ = sequence_model(spec, params, x[:1])
    import_backend_module("nengo_loihi").add_params(model.net)
    figures = loihi_mapping(model.net, dt=spec["dt"], model=chip_model_for(spec))
    figures["simulator"].close()
    limits = figures["limits"]
    return dict(
        chip_cores=figures["cores"],
        chip_fits_one_chip=figures["fits_one_chip"],
        chip_compartments=figures["neurons"],
        chip_compartments_per_core_max=int(figures["neurons_per_core"].max()),
        chip_compartments_per_core_limit=limits["compartments"],
        chip_synapse_memory_per_core_max=float(figures["synapse_bits_per_core"].max()),
        chip_in_axons_per_core_max=int(figures["in_axons_per_core"].max()),
        chip_in_axons_per_core_limit=limits["in_axons"],
        chip_out_axons_per_core_max=int(figures["out_axons_per_core"].max()),
        chip_out_axons_per_core_limit=limits["out_axons"],
        chip_weights=figures["weights"],
        chip_weight_rel_rms_error=figures["weight_rel_rms"],
    )


def run_decomposition(spec, params, x_calibration, x_test, y_test, rows=tuple(ROWS),
                      progress_bar=False, out=sys.stdout):
    """Deploy ``(spec, params)`` and score each row of `ROWS` on ``x_test``.

    Returns ``(metrics, table_rows)``: the metrics of the default deployment
    (``loihi_sim_test_accuracy``, ``loihi_sim_agreement_with_dl_spiking``,
    ``loihi_sim_seconds_per_sequence``, host-to-chip spikes per step, the
    NengoDL references) and one ``[row, accuracy, agreement, s/seq, spikes
    per step, most in a step]`` per row run.
    """
    unknown = set(rows) - set(ROWS)
    if unknown:
        raise ValidationError(f"Unknown rows {sorted(unknown)}; choose from {list(ROWS)}",
                              "rows")
    check_windowed(spec, 1)  # the rows vary the window and what reaches the chip in it
    dspec, dparams = deploy(spec, params, x_calibration)
    metrics = dict(eval_sequences=len(x_test),
                   readout_steps=dspec["readout_steps"],
                   settle_steps=dspec["settle_steps"],
                   input_tau=dspec["deployment"]["input_tau"],
                   input_encoding=dspec["deployment"]["input_encoding"])
    metrics["eval_rate_test_accuracy"] = accuracy(predict(spec, params, x_test), y_test)
    reference = predict(dspec, dparams, x_test)
    metrics["deployed_spiking_test_accuracy"] = accuracy(reference, y_test)
    print_metrics(metrics, file=out)
    table = []
    for name in rows:
        logits, stats = run_row(name, dspec, dparams, x_test, progress_bar=progress_bar)
        acc = accuracy(logits, y_test)
        agree = float(np.mean(np.argmax(logits, -1) == np.argmax(reference, -1)))
        spikes = stats.get("host_to_chip_spikes_per_step")
        table.append([
            ROW_LABELS[name], f"{acc:.4f}", f"{agree:.4f}",
            f"{stats['seconds_per_sequence']:.3f}",
            "-" if spikes is None else f"{spikes:.1f}",
            stats.get("host_to_chip_spikes_max", "-"),
        ])
        print(f"row={name} accuracy={acc:.4f} agreement={agree:.4f} "
              f"seconds_per_sequence={stats['seconds_per_sequence']:.3f}", file=out,
              flush=True)
        if name == "default":
            metrics.update(
                loihi_sim_test_accuracy=acc,
                loihi_sim_agreement_with_dl_spiking=agree,
                loihi_sim_minus_dl_spiking=acc - metrics["deployed_spiking_test_accuracy"],
                loihi_sim_seconds_per_sequence=stats["seconds_per_sequence"],
                host_to_chip_spikes_per_step=stats["host_to_chip_spikes_per_step"],
                host_to_chip_spikes_max=stats["host_to_chip_spikes_max"],
                host_spike_cap=dspec["deployment"]["host_spike_cap"],
            )
    metrics.update(footprint(dspec, dparams, x_test))
    return metrics, table


def run(args):
    data = load_dataset(args.dataset, perm_seed=args.perm_seed)
    (x_train, y_train), (x_test, y_test) = data
    if args.load:
        spec, params = load_model(args.load)
        print(f"loaded={args.load}")
    else:
        # read without a lowpass, so that the deployment reads it over a window
        recipe = dict(RECIPES[args.dataset], readout_synapse=None)
        result = train_classifier(data, seed=args.seed, progress_bar=True, **recipe)
        spec, params = result["spec"], result["params"]
        print(f"test_accuracy={result['test_accuracy']:.6g}")
    n = min(args.sequences, len(x_test))
    print(f"dataset={args.dataset}")
    print(f"seed={args.seed}")
    metrics, table = run_decomposition(
        spec, params, x_train[: args.calibration_sequences], x_test[:n], y_test[:n],
        rows=args.rows, progress_bar=True,
    )
    print(format_table(["deployment", "accuracy", "agreement with dl spiking", "s/seq",
                        "host spikes/step", "most in a step"], table))
    print_metrics(metrics)


def register(benches):
    """Add ``loihi-deployment`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "loihi-deployment",
        help="a trained classifier on loihi-sim: one row per chip effect (input spikes, "
        "their filter and encoding, weight quantization, a board's input cap, the "
        "window), its speed and its chip footprint",
    )
    add_common(sub)  # --backend is not used: every row names its own
    sub.add_argument("dataset", nargs="?", default="psdigits",
                     help="psdigits (default), psfashion or psmnist")
    sub.add_argument("--load", default=None,
                     help="a trained classifier read without a lowpass (.npz, from "
                     "nengo-lmu train --readout-synapse none --save); default: train the "
                     "data set's recipe so first")
    sub.add_argument("--perm-seed", type=int, default=0, help="pixel permutation seed")
    sub.add_argument("--sequences", type=positive_int, default=300,
                     help="test sequences scored (default: 300)")
    sub.add_argument("--calibration-sequences", type=positive_int, default=100,
                     help="training sequences that calibrate the deployment (default: 100)")
    sub.add_argument("--rows", type=choice_list(list(ROWS), "rows"), default=list(ROWS),
                     help=f"comma-separated rows (default: all): {','.join(ROWS)}")
    sub.set_defaults(func=run)
