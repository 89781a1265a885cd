"""The package refuses folders it does not understand, with a message naming the file and the fix."""

import json
import shutil

import pytest

from skein_data import SkeinFormatError, SkeinShards, load_manifest


@pytest.fixture
def copy(folders, tmp_path):
    """A fresh copy of the pack build whose manifest a test may edit."""

    def make(edit=None):
        target = tmp_path / "ds"
        shutil.copytree(folders["pack"], target)
        if edit:
            path = target / "manifest.json"
            m = json.loads(path.read_text())
            edit(m)
            path.write_text(json.dumps(m))
        return str(target)

    return make


def test_reads_a_real_build(folders):
    m = load_manifest(folders["pack"])
    assert (m.attention, m.positions) == ("document", "reset")
    assert m.columns == ["input_ids", "doc_lengths", "doc_sources"]
    assert m.num_rows == sum(s.rows for s in m.shards) > 0
    assert m.vocab_size == 128256


def test_added_marker_tokens_widen_the_embedding(copy):
    """UtK markers past the vocabulary (tokenizers without reserved tokens) make total_vocab_size the size to embed."""

    def added(m):
        m["tokenizer"]["added_tokens"] = {"<knot>": 128256, "<sort>": 128257}
        m["tokenizer"]["total_vocab_size"] = 128258

    assert load_manifest(copy(added)).vocab_size == 128258


def test_missing_manifest(tmp_path):
    with pytest.raises(SkeinFormatError, match=r"no manifest at .*manifest\.json: point to a folder written by `skein build`"):
        load_manifest(str(tmp_path))


def test_not_json(copy):
    folder = copy()
    with open(f"{folder}/manifest.json", "w") as f:
        f.write("{")
    with pytest.raises(SkeinFormatError, match="is not valid JSON"):
        load_manifest(folder)


@pytest.mark.parametrize(
    "edit,why",
    [
        (lambda m: m.update(format="other"), 'not a skein manifest'),
        (lambda m: m.update(format_version=2), r"format_version 2; this skein_data reads version 1"),
        (lambda m: m.update(shard_format="megatron"), r"holds megatron shards, not Arrow ones: point Megatron-LM's --data-path"),
        (lambda m: m.update(attention="sliding"), r"unknown attention mode 'sliding'"),
        (lambda m: m.update(positions="alibi"), r"unknown positions mode 'alibi'"),
        (lambda m: m["columns"].append("weights"), r"unknown column\(s\) weights"),
        (lambda m: m.update(positions="explicit"), r'says positions "explicit" but lists no position_ids column'),
        (lambda m: m["shards"].append({"file": "shard-99999.arrow", "rows": 1, "tokens": 1}), r"shard .*shard-99999\.arrow listed in .* is missing"),
        (lambda m: m.pop("shards"), r'lacks its "columns" or "shards" list'),
    ],
)
def test_refusals(copy, edit, why):
    with pytest.raises(SkeinFormatError, match=why):
        load_manifest(copy(edit))


def test_a_shard_that_does_not_match_its_manifest_is_refused(copy):
    def fewer(m):
        m["shards"][0]["rows"] -= 1

    shards = SkeinShards(copy(fewer))
    with pytest.raises(SkeinFormatError, match="holds .* rows but the manifest says"):
        list(shards.rows())
    with pytest.raises(SkeinFormatError, match="holds .* rows but the manifest says"):
        shards.row(0)
