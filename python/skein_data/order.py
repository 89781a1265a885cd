"""The order in which an epoch visits rows, and each rank's and DataLoader worker's share of it.

Pure numpy, so that it is the same with or without torch: an epoch's order is a permutation drawn
from numpy's PCG64 seeded with ``(seed, epoch)`` (or the folder order without shuffling); rank
``r`` of ``w`` takes every w-th entry starting at r, after padding the order by wrapping around
(as ``torch.utils.data.DistributedSampler`` does) or truncating it (``drop_last``) so that all
ranks get the same count.
"""

from __future__ import annotations

from typing import List

import numpy as np


def epoch_order(num_rows: int, seed: int, epoch: int, shuffle: bool) -> np.ndarray:
    """The row indices of one epoch, in visiting order (int64)."""
    if not shuffle:
        return np.arange(num_rows, dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(seed), int(epoch)])))
    return rng.permutation(num_rows).astype(np.int64)


def rank_share(order: np.ndarray, rank: int, world_size: int, drop_last: bool) -> np.ndarray:
    """Rank ``rank``'s part of an epoch order; every rank gets the same number of rows."""
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is not in [0, {world_size})")
    n = order.size
    if drop_last:
        order = order[: n - n % world_size]
    elif n % world_size:
        pad = world_size - n % world_size
        order = np.concatenate([order, np.resize(order, pad)]) if n else order
    return order[rank::world_size]


def batch_indices(indices: np.ndarray, batch_size: int, drop_last: bool) -> List[np.ndarray]:
    """Consecutive batches of ``batch_size`` indices (the last one shorter unless ``drop_last``)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    out = [indices[i : i + batch_size] for i in range(0, indices.size, batch_size)]
    if drop_last and out and out[-1].size < batch_size:
        out.pop()
    return out
