"""Read a skein shard folder in Python with the same position/segment reconstruction as skein's reader.

    python3 docs/examples/skein_reader.py shards/          # prints a summary of the first rows

Or import it:

    from skein_reader import open_rows
    for row in open_rows("shards/"):
        row["input_ids"], row["position_ids"], row["segment_ids"], row.get("loss_mask")

Rules (design.md §4, Megatron-LM's get_ltor_masks_and_position_ids):
- positions "continuous": 0..L-1 over the row; "reset": restart at 0 at every document piece;
  "explicit": the row's position_ids column.
- attention "causal": every token is in segment 0; "document": the segment of a token is the
  ordinal of its document piece. Token i may attend to token j iff j <= i and
  segment[i] == segment[j].
"""

import json
import os
import sys

import numpy as np
import pyarrow.ipc as ipc


def reconstruct(doc_lengths, total, positions_mode, attention, explicit=None):
    """Per-token position ids and segment ids of one row (numpy int32 arrays)."""
    doc_lengths = np.asarray(doc_lengths, dtype=np.int64)
    if int(doc_lengths.sum()) != total:
        raise ValueError(f"doc_lengths sum to {int(doc_lengths.sum())}, row has {total} tokens")
    seg = np.repeat(np.arange(len(doc_lengths), dtype=np.int32), doc_lengths)
    if positions_mode == "explicit":
        pos = np.asarray(explicit, dtype=np.int32)
    elif positions_mode == "reset":
        starts = np.repeat(np.cumsum(doc_lengths) - doc_lengths, doc_lengths)
        pos = (np.arange(total) - starts).astype(np.int32)
    else:
        pos = np.arange(total, dtype=np.int32)
    if attention == "causal":
        seg = np.zeros(total, dtype=np.int32)
    return pos, seg


def open_rows(folder):
    """Yields every row of a skein folder as a dict of numpy arrays, shards in manifest order."""
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    for shard in manifest["shards"]:
        with ipc.open_stream(os.path.join(folder, shard["file"])) as reader:
            for batch in reader:
                cols = batch.to_pydict()
                for i in range(batch.num_rows):
                    ids = np.asarray(cols["input_ids"][i], dtype=np.int32)
                    pos, seg = reconstruct(
                        cols["doc_lengths"][i], len(ids), manifest["positions"], manifest["attention"],
                        cols["position_ids"][i] if "position_ids" in cols else None,
                    )
                    row = {"input_ids": ids, "doc_lengths": np.asarray(cols["doc_lengths"][i], dtype=np.int32),
                           "position_ids": pos, "segment_ids": seg}
                    if "loss_mask" in cols:
                        row["loss_mask"] = np.asarray(cols["loss_mask"][i], dtype=np.uint8)
                    if "doc_sources" in cols:
                        row["doc_sources"] = cols["doc_sources"][i]
                    yield row


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "shards"
    for n, row in enumerate(open_rows(folder)):
        if n == 3:
            break
        print(n, len(row["input_ids"]), "tokens, pieces", row["doc_lengths"].tolist(),
              "positions", row["position_ids"][:4].tolist(), "...", "segments", row["segment_ids"][-4:].tolist())
