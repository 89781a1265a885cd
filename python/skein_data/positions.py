"""Per-token position ids and segment ids of a row: the reconstruction skein's own reader uses.

skein's TypeScript reader (src/shards/positions.ts) and this module follow the same rules, which
are Megatron-LM's ``reset_position_ids`` / ``reset_attention_mask`` semantics
(``get_ltor_masks_and_position_ids``); a test compares the two on every row of real builds:

- ``doc_lengths`` are the lengths of the consecutive document pieces of a row; a piece includes
  its own end-of-document token (the EOD belongs to the piece it ends).
- positions ``continuous``: ``0 … L-1`` over the row; ``reset``: restart at 0 at every piece;
  ``explicit``: the row's ``position_ids`` column as it is (PoSE, RandPos, LongRecipe).
- attention ``causal``: every token in segment 0, token i sees token j iff j <= i;
  ``document``: the segment of a token is the ordinal of its piece, token i sees j iff j <= i and
  ``segment[i] == segment[j]``.

Example: ``doc_lengths = [3, 4, 1]`` gives reset positions ``0 1 2 0 1 2 3 0`` and document
segments ``0 0 0 1 1 1 1 2``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np


def check_lengths(doc_lengths: np.ndarray, total: int) -> None:
    """Raises ValueError unless ``doc_lengths`` has no negative entry and sums to ``total``."""
    if doc_lengths.size and int(doc_lengths.min()) < 0:
        i = int(np.argmin(doc_lengths))
        raise ValueError(f"doc_lengths[{i}] = {int(doc_lengths[i])} is negative")
    s = int(doc_lengths.sum(dtype=np.int64))
    if s != total:
        raise ValueError(f"doc_lengths sum to {s} but the row has {total} tokens")


def position_ids(doc_lengths, mode: str, total: int, explicit: Optional[np.ndarray] = None) -> np.ndarray:
    """Position ids (int32) of a row of ``total`` tokens under positions ``mode``."""
    lengths = np.asarray(doc_lengths, dtype=np.int64)
    check_lengths(lengths, total)
    if mode == "explicit":
        if explicit is None:
            raise ValueError('positions "explicit" needs the row\'s position_ids')
        out = np.asarray(explicit, dtype=np.int32)
        if out.shape != (total,):
            raise ValueError(f"position_ids has {out.size} entries but the row has {total} tokens")
        return out
    if mode == "continuous":
        return np.arange(total, dtype=np.int32)
    if mode == "reset":
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        return (np.arange(total, dtype=np.int64) - starts).astype(np.int32)
    raise ValueError(f"unknown positions mode {mode!r}")


def segment_ids(doc_lengths, attention: str) -> np.ndarray:
    """Segment ids (int32): all 0 under ``causal``, the piece ordinal under ``document``."""
    lengths = np.asarray(doc_lengths, dtype=np.int64)
    total = int(lengths.sum(dtype=np.int64))
    check_lengths(lengths, total)
    if attention == "causal":
        return np.zeros(total, dtype=np.int32)
    if attention == "document":
        return np.repeat(np.arange(lengths.size, dtype=np.int32), lengths)
    raise ValueError(f"unknown attention mode {attention!r}")


def reconstruct(doc_lengths, total: int, positions: str, attention: str, explicit=None) -> Tuple[np.ndarray, np.ndarray]:
    """``(position_ids, segment_ids)`` of one row, both int32 numpy arrays."""
    return position_ids(doc_lengths, positions, total, explicit), segment_ids(doc_lengths, attention)
