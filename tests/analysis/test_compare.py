"""``hoplon.analysis.compare``: variants, common random numbers, paired differences."""

from __future__ import annotations

import pandas as pd
import pytest

from hoplon.analysis.compare import compare, paired_differences, variant_spec, with_sharing
from hoplon.errors import InputError
from hoplon.scenario import load


def test_variants_set_every_defending_force() -> None:
    shared = load("two_partner")
    national = with_sharing(shared, "none")
    assert national.network == load("two_partner_national").network
    label, spec = variant_spec(shared, "shared")
    assert label == "shared"
    assert {k: v.policy for k, v in spec.network.sharing.items()} == {"blue": "all", "green": "all"}
    label, spec = variant_spec(None, "two_partner_national")
    assert label == "two_partner_national" and spec.network == national.network
    # a force with no sharing entry gets one; the attacker gets none
    single = with_sharing(load("single_battery"), "none")
    assert set(single.network.sharing) == {"blue"}
    with pytest.raises(InputError, match="policy"):
        with_sharing(shared, "some")
    with pytest.raises(InputError, match="base scenario"):
        variant_spec(None, "shared")


def test_paired_differences_match_by_trial() -> None:
    a = pd.DataFrame(
        {
            "trial": [0, 1, 2, 3],
            "leakers": [0, 0, 1, 0],
            "interceptors_fired": [4, 5, 6, 4],
            "value_lost": [0, 0, 5.0, 0],
        }
    )
    b = pd.DataFrame(
        {
            "trial": [3, 2, 1, 0],
            "leakers": [1, 1, 0, 1],
            "interceptors_fired": [3, 3, 3, 3],
            "value_lost": [5.0, 5.0, 0, 5.0],
        }
    )
    d = paired_differences(a, b)
    assert d["p_no_leak"]["value"] == pytest.approx(0.75 - 0.25)
    assert d["mean_leakers"]["value"] == pytest.approx(0.25 - 0.75)
    assert d["mean_interceptors"]["value"] == pytest.approx(4.75 - 3.0)
    lo, hi = d["p_no_leak"]["ci"]
    assert -1 <= lo <= 0.5 <= hi <= 1
    with pytest.raises(InputError, match="no trial in common"):
        paired_differences(a, b.assign(trial=[7, 8, 9, 10]))


def test_compare_single_force_shares_nothing(small_spec, tmp_path) -> None:
    """With one defending force sharing cannot matter: same seeds give zero differences."""
    res = compare(
        small_spec,
        ["shared", "national"],
        trials=2,
        seed=4,
        workers=1,
        out_dir=tmp_path,
        progress=False,
    )
    assert res.labels == ["shared", "national"]
    for key in ("mean_leakers", "mean_interceptors", "mean_value_lost"):
        assert res.differences[key]["value"] == 0.0
    a, b = (c.trials for c in res.campaigns)
    assert list(a.seed) == list(b.seed)  # common random numbers
    assert (tmp_path / "shared" / "campaign.json").exists()
    d = res.to_dict()
    assert d["paired"] and d["difference"]["of"] == "shared - national"
    assert set(d["variants"]) == {"shared", "national"}
    with pytest.raises(InputError, match="two variants"):
        compare(small_spec, ["shared"], trials=1, progress=False)


@pytest.mark.slow
def test_compare_two_partner_uses_remote_tracks_only_when_shared() -> None:
    res = compare(load("two_partner"), trials=2, seed=1, workers=1, progress=False)
    shared, national = (c.trials for c in res.campaigns)
    assert (national.interceptors_remote == 0).all()
    assert shared.interceptors_remote.sum() > 0
    assert set(res.differences) >= {
        "p_no_leak",
        "mean_leakers",
        "mean_interceptors",
        "mean_value_lost",
    }
