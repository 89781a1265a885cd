"""Batches of skein rows for PyTorch / transformers training, in the attention form you ask for.

Every form gives ``input_ids``, ``labels`` and ``position_ids`` (int64). ``labels`` is
``input_ids`` with -100 (ignored by the loss) where the row's ``loss_mask`` is 0, at the first
token of every segment (under document attention a document's first token would be predicted
from the previous document; in the flattened forms a row's first token from the previous row),
and at padding. transformers' causal-LM loss shifts ``labels`` by one itself, as skein's
label-aligned ``loss_mask`` expects.

Segments are the attention units: the document pieces of a row under the manifest's
``attention: document``, the whole row under ``causal``.

Forms (``attention=``):

``"4d"``
    Rows padded to the longest (``pad_to_multiple_of`` rounds up), ``position_ids`` [B, L] and an
    *additive float* ``attention_mask`` [B, 1, L, L]: 0 where token i may see token j (j <= i, same
    segment), the dtype's most negative value elsewhere; each padding token sees only itself, so no
    softmax row is empty. transformers uses a 4D mask as given, with eager and sdpa attention. Pass
    ``mask_dtype`` = the model's dtype (e.g. torch.bfloat16). Memory grows as B·L²: for long rows
    use ``"varlen"``.

    Pitfall: a *boolean* 4D mask is wrong under ``attn_implementation="eager"``: transformers adds
    the mask to the scores, so True/False become +1/+0 and nothing is masked (sdpa reads booleans
    correctly). The float mask is right under both.

``"varlen"``
    All rows concatenated into one sequence, batch size 1, no padding: ``input_ids`` [1, T],
    ``position_ids`` [1, T], ``cu_seqlens`` (int32, the segment boundaries 0 … T) and
    ``max_seqlen`` (int): what ``flash_attn_varlen_func(q, k, v, cu_seqlens, cu_seqlens,
    max_seqlen, max_seqlen, causal=True)`` takes. For transformers with
    ``attn_implementation="flash_attention_2"``, pass :func:`transformers_kwargs` (batch), which
    names them ``cu_seq_lens_q/k`` and ``max_length_q/k``. Works for every folder, explicit
    positions (PoSE, RandPos, LongRecipe) included.

``"position_ids"``
    transformers' packed form (what ``DataCollatorWithFlattening`` gives): rows concatenated into
    [1, T] with ``position_ids`` restarting at 0 at each segment and no attention mask;
    transformers finds the sequences where ``position_ids`` do not go up by one. Only for folders
    whose segments are numbered ``0 … n-1`` (reset positions with document attention, or
    continuous positions with causal attention); others are refused.

    Pitfall: transformers (5.x) builds the packed mask only when no cache is passed; with
    ``use_cache=True`` (the config default of most models, in ``model.train()`` too unless
    gradient checkpointing is on) the forward pass creates a cache, the packing is ignored, and
    documents attend to each other without an error. Call the model with ``use_cache=False`` (or
    set ``model.config.use_cache = False``).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch

from .manifest import Manifest, load_manifest

IGNORE_INDEX = -100
FORMS = ("4d", "varlen", "position_ids")


def _labels(row: dict, starts: np.ndarray) -> np.ndarray:
    labels = np.asarray(row["input_ids"], dtype=np.int64).copy()
    mask = row.get("loss_mask")
    if mask is not None:
        labels[np.asarray(mask) == 0] = IGNORE_INDEX
    labels[starts] = IGNORE_INDEX
    return labels


class SkeinCollator:
    """Collates rows of a skein folder (dicts from :class:`SkeinDataset` /
    :class:`SkeinShards`) into model inputs; see the module documentation for the three forms,
    what each key holds and the pitfalls they avoid.

    ``source``: the folder, its :class:`Manifest`, or a dataset with a ``manifest``.
    """

    def __init__(
        self,
        source: Union[str, Manifest, object],
        attention: str = "4d",
        pad_token_id: int = 0,
        pad_to_multiple_of: Optional[int] = None,
        mask_dtype: torch.dtype = torch.float32,
    ):
        if isinstance(source, Manifest):
            manifest = source
        elif isinstance(source, str):
            manifest = load_manifest(source)
        else:
            manifest = getattr(source, "manifest")
        if attention not in FORMS:
            raise ValueError(f"attention must be one of {', '.join(FORMS)}, got {attention!r}")
        if attention == "position_ids":
            ok = (manifest.positions, manifest.attention) in (("reset", "document"), ("continuous", "causal"))
            if not ok:
                raise ValueError(
                    f"attention='position_ids' cannot express this folder (positions {manifest.positions}, attention {manifest.attention}): "
                    "transformers starts a new sequence wherever position_ids do not go up by one, which matches the rows only for "
                    "reset positions with document attention or continuous positions with causal attention; use attention='4d' or 'varlen'"
                )
        self.manifest = manifest
        self.form = attention
        self.document = manifest.attention == "document"
        self.pad_token_id = pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of
        self.mask_dtype = mask_dtype

    def segments(self, row: dict) -> np.ndarray:
        """Lengths of the attention segments of a row: its pieces (document attention) or the row."""
        if self.document:
            lengths = np.asarray(row["doc_lengths"], dtype=np.int64)
            return lengths[lengths > 0]
        return np.array([len(row["input_ids"])], dtype=np.int64)

    def __call__(self, rows: Sequence[dict]) -> Dict[str, torch.Tensor]:
        if len(rows) == 0:
            raise ValueError("cannot collate an empty list of rows")
        segs = [self.segments(r) for r in rows]
        starts = [np.cumsum(s) - s for s in segs]
        labels = [_labels(r, st) for r, st in zip(rows, starts)]
        if self.form == "4d":
            return self._padded(rows, segs, labels)
        return self._flat(rows, segs, labels)

    def _padded(self, rows, segs, labels) -> Dict[str, torch.Tensor]:
        lengths = [len(r["input_ids"]) for r in rows]
        L = max(lengths)
        if self.pad_to_multiple_of:
            L = -(-L // self.pad_to_multiple_of) * self.pad_to_multiple_of
        B = len(rows)
        ids = torch.full((B, L), self.pad_token_id, dtype=torch.long)
        lab = torch.full((B, L), IGNORE_INDEX, dtype=torch.long)
        pos = torch.zeros((B, L), dtype=torch.long)
        # Segment ids per token; each padding token gets a segment of its own (negative ids).
        seg = -1 - torch.arange(L, dtype=torch.long).repeat(B, 1)
        for b, (row, s, n) in enumerate(zip(rows, segs, lengths)):
            ids[b, :n] = torch.from_numpy(np.asarray(row["input_ids"], dtype=np.int64))
            lab[b, :n] = torch.from_numpy(labels[b])
            pos[b, :n] = torch.from_numpy(np.asarray(row["position_ids"], dtype=np.int64))
            seg[b, :n] = torch.repeat_interleave(torch.arange(len(s)), torch.from_numpy(s))
        causal = torch.ones((L, L), dtype=torch.bool).tril()
        allowed = causal & (seg[:, :, None] == seg[:, None, :])
        mask = torch.zeros((B, 1, L, L), dtype=self.mask_dtype)
        mask.masked_fill_(~allowed[:, None], torch.finfo(self.mask_dtype).min)
        return {"input_ids": ids, "labels": lab, "position_ids": pos, "attention_mask": mask}

    def _flat(self, rows, segs, labels) -> Dict[str, torch.Tensor]:
        ids = np.concatenate([np.asarray(r["input_ids"], dtype=np.int64) for r in rows])
        lab = np.concatenate(labels)
        all_segs = np.concatenate(segs)
        if self.form == "position_ids":
            pos = np.concatenate([np.arange(n, dtype=np.int64) for n in all_segs]) if all_segs.size else np.zeros(0, np.int64)
            given = np.concatenate([np.asarray(r["position_ids"], dtype=np.int64) for r in rows])
            if not np.array_equal(pos, given):
                raise ValueError("a row's position_ids do not restart at 0 at each segment: this folder cannot use attention='position_ids'")
        else:
            pos = np.concatenate([np.asarray(r["position_ids"], dtype=np.int64) for r in rows])
        out = {
            "input_ids": torch.from_numpy(ids)[None],
            "labels": torch.from_numpy(lab)[None],
            "position_ids": torch.from_numpy(pos)[None],
        }
        if self.form == "varlen":
            cu = np.zeros(all_segs.size + 1, dtype=np.int32)
            np.cumsum(all_segs, out=cu[1:])
            out["cu_seqlens"] = torch.from_numpy(cu)
            out["max_seqlen"] = int(all_segs.max()) if all_segs.size else 0
        return out


def transformers_kwargs(batch: Dict[str, torch.Tensor]) -> Dict[str, object]:
    """A collated batch as keyword arguments of a transformers model: the varlen form's
    ``cu_seqlens`` / ``max_seqlen`` become ``cu_seq_lens_q``, ``cu_seq_lens_k``, ``max_length_q``,
    ``max_length_k`` (what ``attn_implementation="flash_attention_2"`` reads); other forms pass as
    they are."""
    out = dict(batch)
    if "cu_seqlens" in out:
        cu = out.pop("cu_seqlens")
        m = out.pop("max_seqlen")
        out.update(cu_seq_lens_q=cu, cu_seq_lens_k=cu, max_length_q=m, max_length_k=m)
    return out


