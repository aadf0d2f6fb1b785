"""Train an LMU cell on permuted sequential digits, then run it with spiking neurons.

The cell (a Legendre memory and a population of rectified-linear neurons) is
trained by backprop in NengoDL on psdigits (scikit-learn's 8x8 digits, one
permuted pixel per time step). The trained parameters are then loaded into
a network of *spiking* neurons firing ``rate_scale`` times faster with
proportionally smaller spikes, evaluated in NengoDL for several scales, and
the spiking model is run as a plain Nengo network on ``--backend`` (nengo,
dl or loihi-sim). For loihi-sim (and a board) the model is first deployed
for the chip (`nengo_lmu.training.deployment.deploy`: elements held for several steps,
firing rates the chip can produce), and that same deployed network is scored
in NengoDL beside the backend.

Run ``python examples/lmu_cell_training.py --help`` for the options; it
prints ``name=value`` metrics and saves ``lmu_cell_training.png``.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

from nengo_lmu import training  # noqa: E402
from nengo_lmu.datasets import psdigits  # noqa: E402
from nengo_lmu.simulator import resolve_backend  # noqa: E402
from nengo_lmu.training import deployment  # noqa: E402
from nengo_lmu.training.recipes import RECIPES  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default=None, help="nengo, dl or loihi-sim")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="lmu_cell_training.png")
    parser.add_argument("--fast", action="store_true", help="a short run, for tests")
    parser.add_argument("--load", default=None,
                        help="evaluate a model saved by --save instead of training")
    parser.add_argument("--steps-per-element", type=int, default=10,
                        help="on loihi-sim: steps each sequence element is held")
    parser.add_argument("--max-rate", type=float, default=200.0,
                        help="on loihi-sim: firing rate of the busiest hidden neuron (Hz)")
    parser.add_argument("--save", default=None, help="save the trained model (.npz)")
    parser.add_argument("--backend-sequences", type=int, default=100,
                        help="test sequences run on the backend (default: 100)")
    args = parser.parse_args(argv)
    backend = resolve_backend(args.backend)
    nengo.rc.set("decoder_cache", "enabled", "False")

    (x_train, y_train), (x_test, y_test) = psdigits(seed=args.seed)
    if args.fast:
        recipe = dict(RECIPES["psdigits"], units=32, order=16, epochs=6, learning_rate=1e-2)
        x_train, y_train = x_train[:256], y_train[:256]
        x_test, y_test = x_test[:64], y_test[:64]
        scales = [10.0, 1000.0]
        n_backend = 16
    else:
        recipe = dict(RECIPES["psdigits"])
        scales = [10.0, 100.0, 300.0, 1000.0, 10000.0]
        n_backend = args.backend_sequences

    if args.load:
        spec, params = training.load_model(args.load)
        rate_accuracy = training.accuracy(training.predict(spec, params, x_test), y_test)
    else:
        result = training.train_classifier(
            ((x_train, y_train), (x_test, y_test)), seed=args.seed, n_classes=10,
            progress_bar=not args.fast, **recipe
        )
        spec, params = result["spec"], result["params"]
        rate_accuracy = result["test_accuracy"]
        print(f"seconds_per_epoch={result['seconds_per_epoch']:.1f}")
        if args.save:
            training.save_model(args.save, spec, params)
    print(f"test_accuracy={rate_accuracy:.4f}")

    spiking = []
    for scale in scales:
        logits = training.predict(spec, params, x_test, neuron_type="spiking-relu",
                                  rate_scale=scale)
        spiking.append(training.accuracy(logits, y_test))
        print(f"spiking_test_accuracy_scale_{scale:g}={spiking[-1]:.4f}")

    # the spiking model as a plain network on the chosen backend
    scale = 1000.0
    x_run, y_run = x_test[:n_backend], y_test[:n_backend]
    if backend in ("loihi-sim", "loihi"):
        # the chip fires at most once per step: deploy the model for it first,
        # and compare with NengoDL's spiking evaluation of the same deployment
        deployed = deployment.evaluate(
            spec, params, x_train[:100], x_run, y_run, backends=[backend],
            steps_per_element=args.steps_per_element, max_rate=args.max_rate,
            progress_bar=not args.fast,
        )
        print(f"rate_scale_on_chip={deployed['rate_scale']:.1f}")
        dl_accuracy = deployed["deployed_spiking_test_accuracy"]
        backend_accuracy = deployed[f"{deployment.metric_name(backend)}_test_accuracy"]
        # (evaluate scores the backend's run but does not return its outputs)
        logits = training.predict(deployed["spec"], deployed["params"], x_run[:1])
        predicted_on = "NengoDL, deployed"
    else:
        dl_logits = training.predict(spec, params, x_run, neuron_type="spiking-relu",
                                     rate_scale=scale)
        logits = dl_logits if backend == "dl" else training.run_sequences(
            spec, params, x_run, backend=backend, neuron_type="spiking-relu",
            rate_scale=scale, progress_bar=not args.fast,
        )
        dl_accuracy = training.accuracy(dl_logits, y_run)
        backend_accuracy = training.accuracy(logits, y_run)
        predicted_on = backend
    print(f"backend_sequences={n_backend}")
    print(f"dl_spiking_accuracy_same_sequences={dl_accuracy:.4f}")
    print(f"backend_spiking_accuracy={backend_accuracy:.4f}")

    fig, (ax_acc, ax_seq) = plt.subplots(1, 2, figsize=(10, 4))
    ax_acc.semilogx(scales, spiking, "o-", label="spiking (NengoDL)")
    ax_acc.axhline(rate_accuracy, color="k", ls="--", label="rate (as trained)")
    ax_acc.set_xlabel("rate_scale (firing rate multiplier)")
    ax_acc.set_ylabel("test accuracy")
    ax_acc.set_title("psdigits: spiking evaluation")
    ax_acc.legend()
    ax_seq.imshow(np.asarray(x_test[0, :, 0]).reshape(8, 8), cmap="gray")
    ax_seq.set_title(f"a permuted digit (label {y_test[0]}), predicted "
                     f"{np.argmax(logits[0])} ({predicted_on})")
    fig.tight_layout()
    fig.savefig(args.plot)
    print(f"plot={args.plot}")


if __name__ == "__main__":
    main()
