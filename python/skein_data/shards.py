"""The rows of a skein folder, read from its Arrow IPC stream shards through memory maps.

Shards are never loaded whole: sequential reading (:meth:`SkeinShards.rows`) walks one record
batch at a time, and random access (:meth:`SkeinShards.row`) memory-maps the shard and slices the
record batch holding the row (the file is uncompressed, so nothing is copied until used).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Iterator, List, Optional

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from .manifest import KNOWN_COLUMNS, Manifest, SkeinFormatError, load_manifest
from .positions import reconstruct

_ARROW_TYPES = {"int32": pa.int32(), "uint8": pa.uint8(), "string": pa.string()}


def _check_schema(schema: pa.Schema, manifest: Manifest, path: str) -> None:
    for name in manifest.columns:
        i = schema.get_field_index(name)
        if i < 0:
            raise SkeinFormatError(f"shard {path} has no column {name}, which its manifest lists: the folder is inconsistent; rebuild it")
        t = schema.field(i).type
        want = _ARROW_TYPES[KNOWN_COLUMNS[name]]
        if not pa.types.is_list(t) or t.value_type != want:
            raise SkeinFormatError(f"shard {path}: column {name} has type {t}, expected list<{want}>")


class _Batch:
    """The columns of one record batch as zero-copy numpy offsets and values."""

    def __init__(self, batch: pa.RecordBatch, columns: List[str], path: str):
        self.num_rows = batch.num_rows
        self.lists: Dict[str, tuple] = {}
        self.sources: Optional[pa.ListArray] = None
        for name in columns:
            arr = batch.column(name)
            if arr.null_count:
                raise SkeinFormatError(f"shard {path}: column {name} has null rows, which skein never writes")
            if name == "doc_sources":
                self.sources = arr
                continue
            self.lists[name] = (arr.offsets.to_numpy(), arr.values.to_numpy())

    def get(self, name: str, r: int) -> np.ndarray:
        offsets, values = self.lists[name]
        return values[offsets[r] : offsets[r + 1]]


class SkeinShards:
    """A skein folder opened for reading: ``len()`` rows, :meth:`row` and :meth:`rows`.

    Each row is a dict of numpy arrays: ``input_ids`` (int32), ``doc_lengths`` (int32),
    ``position_ids`` and ``segment_ids`` (int32, reconstructed from the manifest's modes exactly as
    skein's reader does, see :mod:`skein_data.positions`), ``loss_mask`` (uint8, when the folder has
    one) and, with ``include_sources``, ``doc_sources`` (a list of str). Arrays may be views into
    the memory-mapped shard: copy them to keep them past the object's life.

    The object pickles without its open files (DataLoader workers reopen what they read).
    """

    def __init__(self, folder: str, include_sources: bool = False, max_open_shards: int = 8):
        self.manifest = load_manifest(folder)
        self.include_sources = include_sources and "doc_sources" in self.manifest.columns
        self.max_open_shards = max_open_shards
        self._starts = np.cumsum([0] + [s.rows for s in self.manifest.shards], dtype=np.int64)
        self._open: "OrderedDict[int, tuple]" = OrderedDict()

    def __len__(self) -> int:
        return int(self._starts[-1])

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_open"] = OrderedDict()
        return state

    def _make_row(self, b: _Batch, r: int, path: str, row_in_shard: int) -> dict:
        m = self.manifest
        ids = b.get("input_ids", r)
        lengths = b.get("doc_lengths", r)
        explicit = b.get("position_ids", r) if "position_ids" in b.lists else None
        try:
            pos, seg = reconstruct(lengths, ids.size, m.positions, m.attention, explicit)
        except ValueError as e:
            raise SkeinFormatError(f"shard {path} row {row_in_shard}: {e}") from None
        row = {"input_ids": ids, "doc_lengths": lengths, "position_ids": pos, "segment_ids": seg}
        if "loss_mask" in b.lists:
            row["loss_mask"] = b.get("loss_mask", r)
        if self.include_sources and b.sources is not None:
            row["doc_sources"] = b.sources[r].as_py()
        return row

    def shard_rows(self, k: int) -> Iterator[dict]:
        """The rows of shard ``k``, read one record batch at a time from a memory map."""
        entry = self.manifest.shards[k]
        n = 0
        with pa.memory_map(entry.path) as source:
            reader = ipc.open_stream(source)
            _check_schema(reader.schema, self.manifest, entry.path)
            for batch in reader:
                b = _Batch(batch, self.manifest.columns, entry.path)
                for r in range(b.num_rows):
                    yield self._make_row(b, r, entry.path, n)
                    n += 1
        if n != entry.rows:
            raise SkeinFormatError(f"shard {entry.path} holds {n} rows but the manifest says {entry.rows}: the file was changed; rebuild the folder")

    def rows(self) -> Iterator[dict]:
        """Every row, shards in manifest order, rows in file order (memory: one record batch)."""
        for k in range(len(self.manifest.shards)):
            yield from self.shard_rows(k)

    def _view(self, k: int) -> tuple:
        """Shard ``k``'s record batches over a memory map, and their first-row offsets (LRU-cached)."""
        if k in self._open:
            self._open.move_to_end(k)
            return self._open[k]
        entry = self.manifest.shards[k]
        # The batches keep the mapping alive; dropping the cache entry unmaps it when they go.
        source = pa.memory_map(entry.path)
        reader = ipc.open_stream(source)
        _check_schema(reader.schema, self.manifest, entry.path)
        batches = [_Batch(b, self.manifest.columns, entry.path) for b in reader if b.num_rows > 0]
        starts = np.cumsum([0] + [b.num_rows for b in batches], dtype=np.int64)
        if int(starts[-1]) != entry.rows:
            raise SkeinFormatError(f"shard {entry.path} holds {int(starts[-1])} rows but the manifest says {entry.rows}: the file was changed; rebuild the folder")
        view = (batches, starts)
        self._open[k] = view
        while len(self._open) > self.max_open_shards:
            self._open.popitem(last=False)
        return view

    def row(self, i: int) -> dict:
        """Row ``i`` of the folder (shards in manifest order)."""
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"row {i} out of range: the folder has {n} rows")
        k = int(np.searchsorted(self._starts, i, side="right")) - 1
        batches, starts = self._view(k)
        local = i - int(self._starts[k])
        j = int(np.searchsorted(starts, local, side="right")) - 1
        return self._make_row(batches[j], local - int(starts[j]), self.manifest.shards[k].path, local)


def open_rows(folder: str, include_sources: bool = False) -> Iterator[dict]:
    """Every row of a skein folder (see :class:`SkeinShards`), read sequentially."""
    return SkeinShards(folder, include_sources=include_sources).rows()
