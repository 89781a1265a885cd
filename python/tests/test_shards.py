import numpy as np
import pyarrow as pa
import pytest

from skein_data import SkeinShards, open_rows


@pytest.mark.parametrize("name", ["concat", "pack", "pose", "utk"])
def test_random_access_equals_streaming(folders, name):
    shards = SkeinShards(folders[name], include_sources=True)
    rows = list(open_rows(folders[name], include_sources=True))
    assert len(rows) == len(shards) == shards.manifest.num_rows
    for i in [0, len(rows) // 2, len(rows) - 1, -1]:
        got = shards.row(i)
        assert got.keys() == rows[i].keys()
        for k, v in rows[i].items():
            assert (v == got[k]) if k == "doc_sources" else np.array_equal(v, got[k]), (name, i, k)
    with pytest.raises(IndexError, match="out of range"):
        shards.row(len(rows))


def test_columns_by_layout(folders):
    assert "loss_mask" in SkeinShards(folders["utk"]).row(0)
    pose = SkeinShards(folders["pose"]).row(0)
    assert pose["position_ids"].max() >= 256, "PoSE positions reach past the row length"
    assert "loss_mask" not in SkeinShards(folders["pack"]).row(0)


def test_rows_are_memory_mapped_not_loaded(folders):
    """Reading rows allocates nothing from Arrow's memory pool: the values are views of the mapped file."""
    before = pa.total_allocated_bytes()
    shards = SkeinShards(folders["concat"])
    ids = [shards.row(i)["input_ids"] for i in range(len(shards))]
    assert sum(a.size for a in ids) == shards.manifest.raw["totals"]["tokens"]
    assert pa.total_allocated_bytes() - before < 64 * 1024
    assert not ids[0].flags.owndata
