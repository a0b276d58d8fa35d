from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.tracking.gating import check_gate, chi2_gate, mahalanobis_matrix


def test_mahalanobis_matrix_matches_loop_with_angle_wrap():
    rng = np.random.default_rng(0)
    n, m = 4, 5
    zhat = rng.normal(size=(n, 3))
    zhat[:, 1] = np.pi - 0.01
    A = rng.normal(size=(n, 3, 3))
    HPH = A @ np.swapaxes(A, 1, 2)
    z = rng.normal(size=(m, 3))
    z[:, 1] = -np.pi + 0.02  # across the ±π cut: residual 0.03
    for R in (np.broadcast_to(np.eye(3), (m, 3, 3)), np.eye(3) * rng.uniform(0.5, 2.0, (m, 1, 1))):
        d2 = mahalanobis_matrix(zhat, HPH, z, R, (1,))
        for i in range(n):
            for j in range(m):
                nu = z[j] - zhat[i]
                nu[1] = (nu[1] + np.pi) % (2 * np.pi) - np.pi
                assert abs(nu[1]) < 0.1
                assert d2[i, j] == pytest.approx(nu @ np.linalg.solve(HPH[i] + R[j], nu))


def test_chi2_gate_and_bad_gates():
    assert chi2_gate(0.99, 2) == pytest.approx(-2 * np.log(0.01))
    with pytest.raises(InputError, match="gate_probability"):
        chi2_gate(1.5, 3)
    with pytest.raises(InputError, match="gate"):
        check_gate(-1.0)
