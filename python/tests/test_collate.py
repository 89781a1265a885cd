import numpy as np
import pytest
import torch

from skein_data import IGNORE_INDEX, SkeinCollator, SkeinShards, load_manifest, reconstruct, transformers_kwargs


def row(lengths, positions="reset", attention="document", mask=None, first=100):
    n = sum(lengths)
    pos, seg = reconstruct(lengths, n, positions, attention)
    r = {"input_ids": np.arange(first, first + n, dtype=np.int32), "doc_lengths": np.array(lengths, dtype=np.int32), "position_ids": pos, "segment_ids": seg}
    if mask is not None:
        r["loss_mask"] = np.array(mask, dtype=np.uint8)
    return r


@pytest.fixture
def document(folders):
    return load_manifest(folders["pack"])


@pytest.fixture
def causal(folders):
    return load_manifest(folders["concat"])


def test_labels_mask_loss_document_starts_and_padding(document):
    rows = [row([3, 4, 1], mask=[1, 1, 1, 1, 0, 1, 1, 1]), row([2], first=200)]
    b = SkeinCollator(document, attention="4d")(rows)
    X = IGNORE_INDEX
    assert b["labels"].tolist() == [[X, 101, 102, X, X, 105, 106, X], [X, 201, X, X, X, X, X, X]]
    assert b["input_ids"][1].tolist() == [200, 201, 0, 0, 0, 0, 0, 0]
    assert b["position_ids"].tolist() == [[0, 1, 2, 0, 1, 2, 3, 0], [0, 1, 0, 0, 0, 0, 0, 0]]


def test_causal_attention_keeps_cross_document_targets(causal):
    b = SkeinCollator(causal, attention="4d")([row([3, 4, 1], "continuous", "causal")])
    assert b["labels"].tolist() == [[IGNORE_INDEX, 101, 102, 103, 104, 105, 106, 107]]


def test_the_4d_mask_is_additive_and_exact(document):
    rows = [row([3, 4, 1]), row([2])]
    b = SkeinCollator(document, attention="4d", pad_to_multiple_of=16)(rows)
    mask = b["attention_mask"]
    assert mask.shape == (2, 1, 16, 16) and mask.dtype == torch.float32
    low = torch.finfo(torch.float32).min
    seg0 = [0, 0, 0, 1, 1, 1, 1, 2]
    for b_, (segs, n) in enumerate([(seg0, 8), ([0, 0], 2)]):
        for i in range(16):
            for j in range(16):
                if i < n and j < n:
                    allowed = j <= i and segs[i] == segs[j]
                else:
                    allowed = i == j  # a padding token sees only itself
                assert mask[b_, 0, i, j].item() == (0.0 if allowed else low), (b_, i, j)
    assert SkeinCollator(document, attention="4d", mask_dtype=torch.bfloat16)(rows)["attention_mask"].dtype == torch.bfloat16


def test_varlen_boundaries(document, causal):
    rows = [row([3, 4, 1]), row([2], first=200)]
    b = SkeinCollator(document, attention="varlen")(rows)
    assert b["cu_seqlens"].tolist() == [0, 3, 7, 8, 10] and b["cu_seqlens"].dtype == torch.int32
    assert b["max_seqlen"] == 4
    assert b["input_ids"].shape == (1, 10)
    X = IGNORE_INDEX
    assert b["labels"].tolist() == [[X, 101, 102, X, 104, 105, 106, X, X, 201]]
    c = SkeinCollator(causal, attention="varlen")([row([3, 4, 1], "continuous", "causal"), row([2], "continuous", "causal", first=200)])
    assert c["cu_seqlens"].tolist() == [0, 8, 10]
    assert c["labels"][0, 8].item() == X, "a row's first token is not predicted from the row before it"
    kw = transformers_kwargs(b)
    assert set(kw) == {"input_ids", "labels", "position_ids", "cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k"}


def test_position_ids_form(document, causal, folders):
    b = SkeinCollator(document, attention="position_ids")([row([3, 4, 1]), row([2])])
    assert b["position_ids"].tolist() == [[0, 1, 2, 0, 1, 2, 3, 0, 0, 1]]
    assert "attention_mask" not in b
    c = SkeinCollator(causal, attention="position_ids")([row([3, 4, 1], "continuous", "causal"), row([2], "continuous", "causal")])
    assert c["position_ids"].tolist() == [[0, 1, 2, 3, 4, 5, 6, 7, 0, 1]]
    with pytest.raises(ValueError, match=r"positions explicit, attention causal.*use attention='4d' or 'varlen'"):
        SkeinCollator(folders["pose"], attention="position_ids")


def test_real_rows(folders):
    shards = SkeinShards(folders["utk"])
    rows = [shards.row(i) for i in range(3)]
    b = SkeinCollator(shards.manifest, attention="varlen")(rows)
    masked = sum(int((r["loss_mask"] == 0).sum()) for r in rows)
    assert masked > 0, "UtK rows carry loss masks"
    # Masked tokens, the three row starts (causal attention): all ignored, nothing else.
    ignored = int((b["labels"] == IGNORE_INDEX).sum())
    starts_unmasked = sum(int(r["loss_mask"][0] == 1) for r in rows)
    assert ignored == masked + starts_unmasked


def test_bad_arguments(document):
    with pytest.raises(ValueError, match="attention must be one of 4d, varlen, position_ids"):
        SkeinCollator(document, attention="flash")
    with pytest.raises(ValueError, match="empty list"):
        SkeinCollator(document)([])
