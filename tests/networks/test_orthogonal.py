"""The orthogonal initializer of the LMU cell's recurrent hidden weights."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.networks import LMUCell
from nengo_lmu.networks.cell import Orthogonal


@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4)])
def test_orthogonal_samples(shape, rng, allclose):
    w = Orthogonal(scale=2.0).sample(*shape, rng=rng)
    assert w.shape == shape
    small = min(shape)
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    assert allclose(gram, 4.0 * np.eye(small), atol=1e-10)
    # random: another draw differs
    assert not np.allclose(w, Orthogonal(scale=2.0).sample(*shape, rng=rng))


def test_orthogonal_needs_a_matrix_shape():
    with pytest.raises(ValidationError):
        Orthogonal().sample(5)
    with pytest.raises(ValidationError):
        Orthogonal(scale=0)


def test_cell_recurrent_weights_start_orthogonal(seed, allclose):
    with nengo.Network(seed=seed):
        cell = LMUCell(units=12, order=4, theta=0.01, hidden_to_hidden=True)
    conn = cell.cell_connections["hidden_to_hidden"]
    assert isinstance(conn.transform.init, Orthogonal)
    w = conn.transform.sample(rng=np.random.RandomState(seed))
    assert allclose(w @ w.T, np.eye(12), atol=1e-10)
