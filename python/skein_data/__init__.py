"""Read skein shard folders in Python and train on them with PyTorch / transformers.

- :func:`load_manifest`, :class:`SkeinShards`, :func:`open_rows`: the rows of a folder with their
  position and segment ids reconstructed exactly as skein's own reader does (pyarrow + numpy).
- :class:`SkeinDataset` (map-style) and :class:`SkeinIterableDataset` (seeded shuffle, rank and
  worker sharding, resumable position): torch datasets over the memory-mapped shards.
- :class:`SkeinCollator`: batches with labels and the attention form you ask for (4D additive
  mask, flash-attention varlen ``cu_seqlens``, or transformers' packed ``position_ids``).

The torch parts are imported on first use, so the rest works without torch.
"""

from .manifest import Manifest, SkeinFormatError, load_manifest
from .positions import position_ids, reconstruct, segment_ids
from .shards import SkeinShards, open_rows

__version__ = "0.1.0"

_TORCH_NAMES = {
    "SkeinDataset": "datasets",
    "SkeinIterableDataset": "datasets",
    "SkeinCollator": "collate",
    "transformers_kwargs": "collate",
    "IGNORE_INDEX": "collate",
}

__all__ = [
    "Manifest",
    "SkeinFormatError",
    "load_manifest",
    "position_ids",
    "reconstruct",
    "segment_ids",
    "SkeinShards",
    "open_rows",
    *_TORCH_NAMES,
]


def __getattr__(name):
    if name in _TORCH_NAMES:
        import importlib

        module = importlib.import_module(f".{_TORCH_NAMES[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'skein_data' has no attribute {name!r}")
