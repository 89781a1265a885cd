"""PyTorch datasets over a skein folder: map-style :class:`SkeinDataset` and the resumable,
rank- and worker-aware :class:`SkeinIterableDataset`. Needs torch."""

from __future__ import annotations

from typing import Callable, Dict, Iterator, Optional

import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from .order import batch_indices, epoch_order, rank_share
from .shards import SkeinShards


class SkeinDataset(Dataset):
    """Map-style dataset: item ``i`` is row ``i`` of the folder as a dict of numpy arrays
    (``input_ids``, ``doc_lengths``, ``position_ids``, ``segment_ids``, ``loss_mask`` when the
    folder has one; see :class:`skein_data.SkeinShards`). Shards are memory-mapped, not loaded.

    Shuffling and sharding are the sampler's: ``DataLoader(ds, shuffle=True)``,
    ``DistributedSampler(ds, seed=…)`` or the transformers ``Trainer``. Batch with
    :class:`skein_data.SkeinCollator`.
    """

    def __init__(self, folder: str, include_sources: bool = False):
        self.shards = SkeinShards(folder, include_sources=include_sources)
        self.manifest = self.shards.manifest

    def __len__(self) -> int:
        return len(self.shards)

    def __getitem__(self, i: int) -> dict:
        return self.shards.row(int(i))


class SkeinIterableDataset(IterableDataset):
    """Iterable dataset with a seeded shuffle, rank and worker sharding and a resumable position.

    An epoch visits the rows in :func:`skein_data.order.epoch_order` (a permutation seeded by
    ``(seed, epoch)``; folder order with ``shuffle=False``); rank ``rank`` of ``world_size`` takes
    its share (:func:`skein_data.order.rank_share`; by default both come from
    ``torch.distributed`` when it is initialized). With ``batch_size``, items are batches built by
    ``collate_fn`` (give the DataLoader ``batch_size=None``); otherwise items are rows.

    DataLoader workers split the items round-robin: worker ``w`` of ``W`` yields items ``w, w+W,
    …``, which the DataLoader's in-order fetching puts back in order, so with batching in the
    dataset the batches are the same, in the same order, for any worker count.

    Resuming: ``state_dict()`` is ``{"epoch", "position", "seed", "world_size", "num_rows"}``, where
    ``position`` counts the items this rank has consumed in the epoch. The object counts the items
    it yields itself (exact with ``num_workers=0``); with workers, whose copies of the dataset do
    the yielding, pass the count you consumed: ``state_dict(consumed=steps)``. After
    ``load_state_dict(state)`` the next iteration starts at that item. Call :meth:`set_epoch`
    before each epoch (it resets the position).
    """

    def __init__(
        self,
        folder: str,
        shuffle: bool = True,
        seed: int = 0,
        batch_size: Optional[int] = None,
        collate_fn: Optional[Callable] = None,
        drop_last: bool = False,
        rank: Optional[int] = None,
        world_size: Optional[int] = None,
        include_sources: bool = False,
    ):
        self.shards = SkeinShards(folder, include_sources=include_sources)
        self.manifest = self.shards.manifest
        self.shuffle = shuffle
        self.seed = int(seed)
        self.batch_size = batch_size
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        dist = torch.distributed.is_available() and torch.distributed.is_initialized()
        self.world_size = world_size if world_size is not None else (torch.distributed.get_world_size() if dist else 1)
        self.rank = rank if rank is not None else (torch.distributed.get_rank() if dist else 0)
        self.epoch = 0
        self.position = 0
        if batch_size is not None and collate_fn is None:
            raise ValueError("batch_size needs a collate_fn (e.g. SkeinCollator(ds.manifest)) to build the batches")

    def _items(self) -> list:
        share = rank_share(epoch_order(len(self.shards), self.seed, self.epoch, self.shuffle), self.rank, self.world_size, self.drop_last)
        if self.batch_size is None:
            return list(share)
        return batch_indices(share, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        """Items (rows, or batches with ``batch_size``) of this rank in one epoch."""
        return len(self._items())

    def set_epoch(self, epoch: int) -> None:
        """Selects the epoch (and its permutation) and starts it from its first item."""
        self.epoch = int(epoch)
        self.position = 0

    def state_dict(self, consumed: Optional[int] = None) -> Dict[str, int]:
        """Where this rank is: the epoch and the items consumed (``consumed`` overrides the count)."""
        return {
            "epoch": self.epoch,
            "position": self.position if consumed is None else int(consumed),
            "seed": self.seed,
            "world_size": self.world_size,
            "num_rows": len(self.shards),
        }

    def load_state_dict(self, state: Dict[str, int]) -> None:
        """Continues from a :meth:`state_dict`; refuses one from another seed, world size or folder."""
        for key, mine in (("seed", self.seed), ("world_size", self.world_size), ("num_rows", len(self.shards))):
            if key in state and int(state[key]) != mine:
                raise ValueError(f"the saved state has {key} {state[key]} but this dataset has {mine}: the position would mean other rows")
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])

    def __iter__(self) -> Iterator:
        items = self._items()
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        start = self.position
        for k in range(start + worker, len(items), workers):
            item = items[k]
            if self.batch_size is None:
                out = self.shards.row(int(item))
            else:
                out = self.collate_fn([self.shards.row(int(i)) for i in item])
            if info is None:
                self.position = k + 1
            yield out
