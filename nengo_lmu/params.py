"""Every parameter of nengo-lmu's functions, defined once, and the checks that use them.

Networks validate their arguments through class-level ``nengo.params``
descriptors. Functions have no instance to hang descriptors on, so they reuse
the same parameter objects through ``coerce(None, value)``: the errors are
the same ``ValidationError`` messages a nengo user already knows, naming the
offending argument.
"""

import nengo.params
import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import EnumParam


class NumberParam(nengo.params.NumberParam):
    """A `nengo.params.NumberParam` that rejects NaN, infinity and booleans.

    nengo 3.2 compares NaN badly (a ``TypeError`` from inside its check) and
    accepts infinity; every number of nengo-lmu is finite unless its parameter
    says ``allow_inf=True``.
    """

    def __init__(self, name, *args, allow_inf=False, **kwargs):
        self.allow_inf = allow_inf
        super().__init__(name, *args, **kwargs)

    def coerce(self, instance, num):
        if num is not None:
            reject_bool(self.name, num, obj=instance)
            if nengo.params.is_number(num) and not np.isfinite(num):
                if np.isnan(num) or not self.allow_inf:
                    raise ValidationError(
                        f"Must be a finite number (got {num})", attr=self.name, obj=instance
                    )
        return super().coerce(instance, num)


class IntParam(NumberParam, nengo.params.IntParam):
    """A `nengo.params.IntParam` that rejects NaN, infinity and booleans."""


ORDER = IntParam("order", low=1)
THETA = NumberParam("theta", low=0, low_open=True)
DT = NumberParam("dt", low=0, low_open=True)
N_STEPS = IntParam("n_steps", low=1)
SIZE_IN = IntParam("size_in", low=1)
DISCRETIZE_METHOD = EnumParam("method", values=("zoh", "euler"))
TAU = NumberParam("tau", low=0, low_open=True)
# numpy's RandomState takes seeds of 32 bits
SEED = IntParam("seed", low=0, high=2**32 - 1)
PERM_SEED = IntParam("perm_seed", low=0, high=2**32 - 1)
N_CLASSES = IntParam("n_classes", low=2)
# training: 0 epochs trains nothing and returns the initial parameters
UNITS = IntParam("units", low=1)
EPOCHS = IntParam("epochs", low=0)
BATCH_SIZE = IntParam("batch_size", low=1)
LEARNING_RATE = NumberParam("learning_rate", low=0, low_open=True)
RATE_SCALE = NumberParam("rate_scale", low=0, low_open=True)
MAX_BATCHES = IntParam("max_batches", low=1, optional=True)
STEPS_PER_ELEMENT = IntParam("steps_per_element", low=1)
# data sets and online-learning demos: the final fraction held out for testing
TEST_FRACTION = NumberParam("test_fraction", low=0, high=1, low_open=True, high_open=True)
# benchmarks: simulated seconds (None: each case's own), timed repetitions
DURATION = NumberParam("duration", low=0, low_open=True, optional=True)
REPEATS = IntParam("repeats", low=1)
# nengo-loihi's on-chip filter of host inputs; None keeps nengo-loihi's default
DECODE_TAU = NumberParam("decode_tau", low=0, optional=True)


def check_param(param, value, obj=None):
    """Validate ``value`` with the nengo parameter ``param``; return it coerced.

    Booleans are rejected where a number is expected (``True`` is an ``int`` in
    Python, but ``order=True`` is always a mistake).
    """
    if isinstance(param, NumberParam):
        reject_bool(param.name, value, obj=obj)
    return param.coerce(obj, value)


def reject_bool(name, value, obj=None):
    """Raise a ``ValidationError`` if ``value`` is a boolean."""
    if isinstance(value, (bool, np.bool_)):
        raise ValidationError(
            f"Must be a number, not a boolean (got {value})", attr=name, obj=obj
        )


def check_in_interval(name, values, low, high, obj=None):
    """Validate that every element of ``values`` lies in ``[low, high]``.

    Returns ``values`` as a float array (a scalar stays zero-dimensional).
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError(
            f"Must be a number or an array of numbers (got {values!r})",
            attr=name,
            obj=obj,
        ) from None
    if array.ndim > 1:
        raise ValidationError(
            f"Must be a scalar or a 1-D array (got shape {array.shape})",
            attr=name,
            obj=obj,
        )
    if not np.all(np.isfinite(array)):
        raise ValidationError("Must be finite", attr=name, obj=obj)
    outside = array[(array < low) | (array > high)]
    if outside.size > 0:
        raise ValidationError(
            f"Must lie in [{low:g}, {high:g}] (got {outside.ravel()[0]:g})",
            attr=name,
            obj=obj,
        )
    return array
