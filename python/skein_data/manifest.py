"""A skein folder's manifest.json: read it, and refuse what this package does not understand."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

#: The manifest ``format`` and ``format_version`` this package reads.
MANIFEST_FORMAT = "skein-shards"
MANIFEST_FORMAT_VERSION = 1
#: The attention and positions modes of format version 1.
ATTENTION_MODES = ("causal", "document")
POSITIONS_MODES = ("continuous", "reset", "explicit")
#: Columns of format version 1, in schema order, with their numpy element type.
KNOWN_COLUMNS = {
    "input_ids": "int32",
    "doc_lengths": "int32",
    "position_ids": "int32",
    "loss_mask": "uint8",
    "doc_sources": "string",
}


class SkeinFormatError(ValueError):
    """A folder this package cannot read as it was meant: the message names the file and the fix."""


@dataclass(frozen=True)
class ShardEntry:
    """One shard listed by the manifest."""

    file: str
    path: str
    rows: int
    tokens: int


@dataclass(frozen=True)
class Manifest:
    """What a reader needs from manifest.json (``raw`` holds the whole parsed file)."""

    folder: str
    attention: str
    positions: str
    columns: List[str]
    shards: List[ShardEntry]
    raw: Dict[str, Any]

    @property
    def num_rows(self) -> int:
        """Rows in all shards."""
        return sum(s.rows for s in self.shards)

    @property
    def seq_len(self) -> Optional[int]:
        """The builder's row length (rows hold at most this many tokens)."""
        return (self.raw.get("builder") or {}).get("seq_len")

    @property
    def vocab_size(self) -> int:
        """Ids a model's embedding must cover: ``total_vocab_size`` (UtK markers) or ``vocab_size``."""
        tok = self.raw.get("tokenizer") or {}
        return int(tok.get("total_vocab_size") or tok["vocab_size"])


def load_manifest(folder: str) -> Manifest:
    """Reads and checks ``folder/manifest.json``.

    Raises :class:`SkeinFormatError` when the manifest is missing or not JSON, is not a skein
    manifest, has a format version other than 1, holds Megatron shards, names an attention or
    positions mode or a column this package does not know, or lists a shard whose file is missing.
    """
    path = os.path.join(folder, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise SkeinFormatError(f"no manifest at {path}: point to a folder written by `skein build`") from None
    except json.JSONDecodeError as e:
        raise SkeinFormatError(f"{path} is not valid JSON ({e}): rebuild the folder or restore the file") from None
    if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
        raise SkeinFormatError(f'{path} is not a skein manifest (no "format": "{MANIFEST_FORMAT}"): point to a folder written by `skein build`')
    version = raw.get("format_version")
    if version != MANIFEST_FORMAT_VERSION:
        raise SkeinFormatError(
            f"{path} has format_version {version!r}; this skein_data reads version {MANIFEST_FORMAT_VERSION}: "
            f"install the skein_data of the skein that wrote it ({raw.get('skein_version', 'unknown')})"
        )
    if raw.get("shard_format", "arrow") != "arrow":
        raise SkeinFormatError(
            f"{path}: the folder holds {raw['shard_format']} shards, not Arrow ones: "
            + ("point Megatron-LM's --data-path at its .bin/.idx prefixes" if raw["shard_format"] == "megatron" else "this skein_data reads Arrow shards only")
            + ", or build with output.format arrow"
        )
    attention, positions = raw.get("attention"), raw.get("positions")
    if attention not in ATTENTION_MODES:
        raise SkeinFormatError(f"{path}: unknown attention mode {attention!r} (this skein_data knows {', '.join(ATTENTION_MODES)}): upgrade skein_data")
    if positions not in POSITIONS_MODES:
        raise SkeinFormatError(f"{path}: unknown positions mode {positions!r} (this skein_data knows {', '.join(POSITIONS_MODES)}): upgrade skein_data")
    columns = raw.get("columns")
    shards = raw.get("shards")
    if not isinstance(columns, list) or not isinstance(shards, list):
        raise SkeinFormatError(f'{path} lacks its "columns" or "shards" list: the build did not finish; run it again to resume')
    unknown = [c for c in columns if c not in KNOWN_COLUMNS]
    if unknown:
        raise SkeinFormatError(f"{path}: unknown column(s) {', '.join(unknown)}: upgrade skein_data")
    for required in ("input_ids", "doc_lengths"):
        if required not in columns:
            raise SkeinFormatError(f"{path}: the columns lack {required}: rebuild the folder")
    if positions == "explicit" and "position_ids" not in columns:
        raise SkeinFormatError(f'{path} says positions "explicit" but lists no position_ids column: rebuild the folder')
    entries = []
    for s in shards:
        shard_path = os.path.join(folder, s["file"])
        if not os.path.isfile(shard_path):
            raise SkeinFormatError(f"shard {shard_path} listed in {path} is missing: restore it or rebuild the folder")
        entries.append(ShardEntry(file=s["file"], path=shard_path, rows=int(s["rows"]), tokens=int(s["tokens"])))
    return Manifest(folder=folder, attention=attention, positions=positions, columns=list(columns), shards=entries, raw=raw)
