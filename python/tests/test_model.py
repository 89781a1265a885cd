"""A tiny random LlamaForCausalLM trained on the collated batches: finite loss, and documents that
cannot see each other under every attention form the collator offers.

flash-attn does not install here (no CUDA), so the varlen form runs through transformers'
flash-attention call path with a reference attention registered under AttentionInterface: it
reads the same ``cu_seq_lens_q`` / ``cu_seq_lens_k`` keyword arguments flash_attention_2 reads and
computes exact causal attention segment by segment. Its logits must equal the 4D-mask path's.
"""

import numpy as np
import pytest
import torch
from transformers import AttentionInterface, LlamaConfig, LlamaForCausalLM

from skein_data import SkeinCollator, SkeinShards, transformers_kwargs

VARLEN = "skein_varlen_reference"
#: The model's vocabulary: token ids are folded into it (id % VOCAB), because logits over the real
#: 128K-entry vocabularies would cost gigabytes per batch; attention does not look at ids.
VOCAB = 4096


def varlen_reference(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    """Causal attention inside each [cu[i], cu[i+1]) segment of a [1, heads, T, dim] batch."""
    cu = kwargs["cu_seq_lens_q"].tolist()
    assert query.shape[0] == 1 and attention_mask is None
    rep = query.shape[1] // key.shape[1]
    k = key.repeat_interleave(rep, dim=1)
    v = value.repeat_interleave(rep, dim=1)
    out = torch.empty_like(query)
    for s, e in zip(cu[:-1], cu[1:]):
        out[:, :, s:e] = torch.nn.functional.scaled_dot_product_attention(query[:, :, s:e], k[:, :, s:e], v[:, :, s:e], is_causal=True, scale=scaling)
    return out.transpose(1, 2).contiguous(), None


AttentionInterface.register(VARLEN, varlen_reference)


def tiny_llama(impl):
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096)
    model = LlamaForCausalLM(cfg).eval()
    model.config._attn_implementation = impl
    return model


def rows_of(folder, n=2):
    """The n rows with the most document pieces (the hardest case for isolation), ids folded into VOCAB."""
    rows = sorted(SkeinShards(folder).rows(), key=lambda r: -len(r["doc_lengths"]))
    out = [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in r.items()} for r in rows[:n]]
    for r in out:
        r["input_ids"] = r["input_ids"] % VOCAB
    return out


def forward(model, collator, rows, boolean_mask=False, **call):
    batch = collator(rows)
    kw = transformers_kwargs(batch) if collator.form == "varlen" else dict(batch)
    if boolean_mask:
        kw["attention_mask"] = kw["attention_mask"] == 0
    with torch.no_grad():
        return model(**kw, **call)


def token_logits(out, collator, rows):
    """Logits per row, padding removed: a list of [len(row), vocab] tensors."""
    if collator.form == "4d":
        return [out.logits[b, : len(r["input_ids"])] for b, r in enumerate(rows)]
    sizes = [len(r["input_ids"]) for r in rows]
    return list(torch.split(out.logits[0], sizes))


FORMS = {
    "concat": [("4d", "sdpa"), ("4d", "eager"), ("varlen", VARLEN), ("position_ids", "sdpa")],
    "pack": [("4d", "sdpa"), ("4d", "eager"), ("varlen", VARLEN), ("position_ids", "sdpa"), ("position_ids", "eager")],
    "pose": [("4d", "sdpa"), ("varlen", VARLEN)],
    "utk": [("4d", "sdpa"), ("varlen", VARLEN)],
}
CASES = [(name, form, impl) for name, forms in FORMS.items() for form, impl in forms]


@pytest.mark.parametrize("name", list(FORMS))
def test_the_embedding_size_covers_every_id(folders, name):
    """manifest vocab_size (total_vocab_size when UtK added markers) is what a model must embed."""
    shards = SkeinShards(folders[name])
    top = max(int(r["input_ids"].max()) for r in shards.rows())
    assert top < shards.manifest.vocab_size
    if name == "utk":
        # Llama-3 has reserved special tokens: the markers are those, so no embedding resize.
        augment = shards.manifest.raw["augment"][0]
        assert augment["marker_source"] == "reserved"
        assert shards.manifest.vocab_size == shards.manifest.raw["tokenizer"]["vocab_size"]
        markers = np.array(sorted(augment["marker_ids"].values()))
        assert any(np.isin(r["input_ids"], markers).any() for r in shards.rows()), "the rows hold UtK markers"


@pytest.mark.parametrize("name,form,impl", CASES)
def test_finite_loss(folders, name, form, impl):
    collator = SkeinCollator(folders[name], attention=form)
    model = tiny_llama(impl)
    out = forward(model, collator, rows_of(folders[name]), use_cache=False)
    assert torch.isfinite(out.loss) and out.loss.item() > 0
    assert torch.isfinite(out.logits).all()


def change_first_document(rows, document, vocab):
    """A copy of the rows where every token of the first segment of row 0 is another id; its size."""
    changed = [dict(r) for r in rows]
    ids = changed[0]["input_ids"].astype(np.int64)
    n = int(changed[0]["doc_lengths"][0]) if document else ids.size
    ids[:n] = (ids[:n] + 1 + np.arange(n) % 97) % vocab
    changed[0]["input_ids"] = ids.astype(np.int32)
    assert (changed[0]["input_ids"][:n] != rows[0]["input_ids"][:n]).all()
    return changed, n


def leak(folders, name, form, impl, boolean_mask=False, **call):
    """Largest logit change outside the first document (causal folders: outside row 0) when every
    token of it changes, and the largest change inside it."""
    collator = SkeinCollator(folders[name], attention=form)
    document = collator.manifest.attention == "document"
    model = tiny_llama(impl)
    rows = rows_of(folders[name])
    changed, n = change_first_document(rows, document, VOCAB)
    a = token_logits(forward(model, collator, rows, boolean_mask, **call), collator, rows)
    b = token_logits(forward(model, collator, changed, boolean_mask, **call), collator, changed)
    outside = max([(a[0][n:] - b[0][n:]).abs().max().item() if a[0].shape[0] > n else 0.0] + [(x - y).abs().max().item() for x, y in zip(a[1:], b[1:])])
    inside = (a[0][:n] - b[0][:n]).abs().max().item()
    return outside, inside


@pytest.mark.parametrize("name,form,impl", [c for c in CASES if c[0] in ("concat", "pack")])
def test_changing_a_document_changes_no_other_logit(folders, name, form, impl):
    outside, inside = leak(folders, name, form, impl, use_cache=False)
    assert inside > 1e-3, "the changed document's own logits change (the test can see a change)"
    assert outside == 0.0, f"{form}/{impl}: other documents' logits moved by {outside}"


def test_pitfall_position_ids_with_use_cache(folders):
    """transformers ignores position_ids packing when a cache is in use: documents attend to each other."""
    for impl in ("sdpa", "eager"):
        outside, _ = leak(folders, "pack", "position_ids", impl, use_cache=True)
        assert outside > 1e-3, f"{impl}: use_cache=True no longer leaks ({outside}); update the docs"
    # The config default (use_cache=True) applies in train() mode too.
    collator = SkeinCollator(folders["pack"], attention="position_ids")
    model = tiny_llama("sdpa").train()
    rows = rows_of(folders["pack"])
    changed, n = change_first_document(rows, True, VOCAB)
    a = token_logits(model(**collator(rows)), collator, rows)
    b = token_logits(model(**collator(changed)), collator, changed)
    assert (a[0][n:] - b[0][n:]).abs().max().item() > 1e-3


def test_pitfall_boolean_4d_mask_under_eager(folders):
    outside, _ = leak(folders, "pack", "4d", "eager", boolean_mask=True, use_cache=False)
    assert outside > 1e-3, f"a boolean 4D mask under eager attention no longer leaks ({outside}); update the docs"
    outside, _ = leak(folders, "pack", "4d", "sdpa", boolean_mask=True, use_cache=False)
    assert outside == 0.0, "sdpa reads a boolean mask correctly"


@pytest.mark.parametrize("name", ["concat", "pack", "pose", "utk"])
def test_varlen_equals_the_4d_mask_path(folders, name):
    rows = rows_of(folders[name], 3)
    four = SkeinCollator(folders[name], attention="4d")
    var = SkeinCollator(folders[name], attention="varlen")
    a = forward(tiny_llama("sdpa"), four, rows, use_cache=False)
    b = forward(tiny_llama(VARLEN), var, rows, use_cache=False)
    for x, y in zip(token_logits(a, four, rows), token_logits(b, var, rows)):
        assert torch.allclose(x, y, atol=1e-5, rtol=0), (x - y).abs().max().item()
    assert abs(a.loss.item() - b.loss.item()) < 1e-5


def test_cu_seqlens_attention_equals_the_4d_mask_attention(folders):
    """At the attention level, without a model: per-segment attention over cu_seqlens equals
    scaled_dot_product_attention with the collator's 4D mask, token for token."""
    rows = rows_of(folders["pack"], 3)
    four = SkeinCollator(folders["pack"], attention="4d")(rows)
    var = SkeinCollator(folders["pack"], attention="varlen")(rows)
    torch.manual_seed(1)
    B, L = four["input_ids"].shape
    q, k, v = (torch.randn(B, 4, L, 16) for _ in range(3))
    masked = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=four["attention_mask"])
    lengths = [len(r["input_ids"]) for r in rows]
    flat = lambda t: torch.cat([t[b, :, :n] for b, n in enumerate(lengths)], dim=1)[None]
    fq, fk, fv = flat(q), flat(k), flat(v)
    cu = var["cu_seqlens"].tolist()
    assert cu[-1] == sum(lengths) and len(cu) - 1 == sum(len(r["doc_lengths"]) for r in rows)
    per = torch.cat([torch.nn.functional.scaled_dot_product_attention(fq[:, :, s:e], fk[:, :, s:e], fv[:, :, s:e], is_causal=True) for s, e in zip(cu[:-1], cu[1:])], dim=2)
    assert torch.allclose(flat(masked), per, atol=1e-6, rtol=0)
