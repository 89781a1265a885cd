import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from skein_data import SkeinCollator, SkeinDataset, SkeinIterableDataset, SkeinShards


def first_tokens(items):
    """A row's identity for order checks: its first 8 token ids."""
    return [tuple(r["input_ids"][:8].tolist()) for r in items]


def test_map_style_dataset_is_the_folder(folders):
    ds = SkeinDataset(folders["pack"])
    shards = SkeinShards(folders["pack"])
    assert len(ds) == len(shards)
    for i in (0, 7, len(ds) - 1):
        assert np.array_equal(ds[i]["input_ids"], shards.row(i)["input_ids"])
    loader = DataLoader(ds, batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(0), collate_fn=SkeinCollator(ds, attention="varlen"), num_workers=2)
    seen = sum(int(b["cu_seqlens"][-1]) for b in loader)
    assert seen == ds.manifest.raw["totals"]["tokens"]


def test_seeded_shuffle_is_deterministic_and_a_permutation(folders):
    n = len(SkeinShards(folders["concat"]))
    a = first_tokens(SkeinIterableDataset(folders["concat"], seed=1))
    assert first_tokens(SkeinIterableDataset(folders["concat"], seed=1)) == a
    assert first_tokens(SkeinIterableDataset(folders["concat"], seed=2)) != a
    ordered = first_tokens(SkeinIterableDataset(folders["concat"], shuffle=False))
    assert ordered == first_tokens(SkeinShards(folders["concat"]).rows())
    assert sorted(a) == sorted(ordered) and len(a) == n
    ds = SkeinIterableDataset(folders["concat"], seed=1)
    ds.set_epoch(1)
    assert first_tokens(ds) != a, "another epoch, another order"


@pytest.mark.parametrize("world,drop_last", [(3, False), (3, True), (4, False)])
def test_ranks_partition_an_epoch(folders, world, drop_last):
    n = len(SkeinShards(folders["concat"]))
    shares = [[int(i) for i in SkeinIterableDataset(folders["concat"], seed=5, rank=r, world_size=world, drop_last=drop_last)._items()] for r in range(world)]
    assert len({len(s) for s in shares}) == 1, "every rank gets as many rows"
    flat = [i for s in shares for i in s]
    if drop_last:
        assert len(flat) == n - n % world and len(set(flat)) == len(flat)
    else:
        assert set(flat) == set(range(n)) and len(flat) == -(-n // world) * world


def test_dataloader_workers_keep_the_batch_order(folders):
    def batches(workers):
        collate = SkeinCollator(folders["pack"], attention="varlen")
        ds = SkeinIterableDataset(folders["pack"], seed=3, batch_size=4, collate_fn=collate)
        return [b["input_ids"] for b in DataLoader(ds, batch_size=None, num_workers=workers)]

    one = batches(0)
    two = batches(2)
    assert len(one) == len(two) > 2
    assert all(torch.equal(a, b) for a, b in zip(one, two))


def test_resume_continues_exactly_where_it_stopped(folders):
    full = first_tokens(SkeinIterableDataset(folders["concat"], seed=9))
    ds = SkeinIterableDataset(folders["concat"], seed=9)
    it = iter(ds)
    head = first_tokens(next(it) for _ in range(11))
    state = ds.state_dict()
    assert state["position"] == 11
    resumed = SkeinIterableDataset(folders["concat"], seed=9)
    resumed.load_state_dict(state)
    assert head + first_tokens(resumed) == full
    # With DataLoader workers the count comes from the training loop.
    assert ds.state_dict(consumed=4)["position"] == 4
    other = SkeinIterableDataset(folders["concat"], seed=10)
    with pytest.raises(ValueError, match="seed 9 but this dataset has 10"):
        other.load_state_dict(state)


def test_batch_size_needs_a_collate_fn(folders):
    with pytest.raises(ValueError, match="needs a collate_fn"):
        SkeinIterableDataset(folders["concat"], batch_size=2)
