"""The ``nengo-lmu convert`` command: a model from another format saved as a nengo-lmu model."""

import sys

from nengo_lmu.convert.keras_lmu import from_keras_lmu, load_keras_model
from nengo_lmu.training.spec import save_model
from nengo_lmu.utils.commands import add_common, check_output_path, positive_float, positive_int


def cmd_convert_keras_lmu(args):
    check_output_path(args.save, "--save")
    model = load_keras_model(args.model)
    spec, params = from_keras_lmu(model, n_steps=args.n_steps, dt=args.dt, seed=args.seed)
    save_model(args.save, spec, params)
    for key in ("task", "n_steps", "size_in", "size_out", "units", "order", "theta",
                "neuron_type", "readout_bias", "cell_kwargs"):
        print(f"{key}={spec.get(key)}")
    print(f"Saved the converted model to {args.save}; evaluate it with "
          f"'nengo-lmu train DATASET --load {args.save}'", file=sys.stderr)


def register(subparsers):
    """Add the ``convert`` command to the ``nengo-lmu`` subparsers."""
    sub = subparsers.add_parser(
        "convert", help="convert a trained model from another format into a nengo-lmu model")
    formats = sub.add_subparsers(dest="format", required=True)
    keras = formats.add_parser(
        "keras-lmu", help="a saved Keras model with a KerasLMU layer (needs keras-lmu)")
    add_common(keras)  # the seed is the converted model's (its other random choices)
    keras.add_argument("model", help="the saved Keras model (.keras, .h5 or SavedModel folder)")
    keras.add_argument("--save", required=True, metavar="PATH",
                       help="where to save the nengo-lmu model (.npz)")
    keras.add_argument("--n-steps", type=positive_int, default=None,
                       help="steps per sequence, if the model's input has no fixed length")
    keras.add_argument("--dt", type=positive_float, default=0.001,
                       help="seconds per step (the window is KerasLMU's theta times dt)")
    keras.set_defaults(func=cmd_convert_keras_lmu)
