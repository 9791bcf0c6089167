"""The baseline file and the comparison with it (`gpumarket.bench.baseline`), and the fixed
inputs of the gas measurement (`gpumarket.bench.gas`): no chain needed."""

import json

import pytest

from gpumarket.bench.baseline import (
    Comparison,
    compare,
    dump_gas,
    format_delta,
    load_baseline,
)
from gpumarket.bench.gas import forged_commitment, per_job
from gpumarket.pogemm import merkle, spec


@pytest.mark.parametrize(
    "gas, regressed, improved",
    [(1_050, False, False), (1_051, True, False), (950, False, False), (949, False, True)],
    ids=["5%-over", "over-5%", "5%-under", "under-5%"],
)
def test_comparison_flags_changes_beyond_5_percent_only(gas, regressed, improved):
    row = Comparison("postJob[gmkt]", gas, 1_000)

    assert (row.regressed, row.improved) == (regressed, improved)


def test_comparison_delta_is_relative_to_the_baseline():
    assert Comparison("op", 1_100, 1_000).delta == pytest.approx(0.1)
    assert format_delta(Comparison("op", 900, 1_000).delta) == "-10.00%"


def test_an_operation_missing_on_one_side_is_neither_regressed_nor_improved():
    rows = compare({"new": 10}, {"old": 20})

    assert rows == [Comparison("new", 10, None), Comparison("old", None, 20)]
    assert [(r.delta, r.regressed, r.improved) for r in rows] == [(None, False, False)] * 2
    assert format_delta(None) == "-"


def test_dump_gas_writes_sorted_keys_one_per_line():
    text = dump_gas({"b": 2, "a": 1})

    assert text == '{\n  "a": 1,\n  "b": 2\n}\n'


def test_load_baseline_reads_what_dump_gas_wrote(tmp_path):
    path = tmp_path / "gas.json"
    path.write_text(dump_gas({"vote.first[gmkt]": 54_900, "cancel[gmkt]": 59_207}))

    assert load_baseline(path) == {"cancel[gmkt]": 59_207, "vote.first[gmkt]": 54_900}


@pytest.mark.parametrize("content", [[1, 2], {"op": "12"}, {"op": 1.5}, {"op": True}])
def test_load_baseline_rejects_anything_but_names_to_integer_gas(tmp_path, content):
    path = tmp_path / "gas.json"
    path.write_text(json.dumps(content))

    with pytest.raises(ValueError, match="operation names to integer gas"):
        load_baseline(path)


def test_committed_baseline_is_in_dump_format(baseline_path):
    text = baseline_path.read_text()

    assert dump_gas(load_baseline(baseline_path)) == text


def test_forged_commitment_proves_its_row_against_its_root():
    forged = forged_commitment()
    leaf = spec.leaf(0, forged.row, [v - 256 if v > 127 else v for v in forged.values])

    assert len(forged.values) == 64 and len(forged.proof) == 9
    assert all(v <= 7 or v >= 256 - 8 for v in forged.values)
    assert merkle.verify_proof(forged.root, leaf, forged.row, list(forged.proof), 5 * 64)


def test_forged_commitment_is_the_same_on_every_call():
    assert forged_commitment() == forged_commitment()


@pytest.mark.parametrize("total, jobs, share", [(300, 10, 30), (301, 10, 31), (31, 32, 1)])
def test_per_job_share_rounds_up(total, jobs, share):
    assert per_job(total, jobs) == share
