"""Independent reader of Megatron-core IndexedDataset pairs, for skein's tests.

Usage: python read_megatron.py PREFIX [PREFIX ...]

Written from the format as Megatron-core defines it (megatron/core/datasets/indexed_dataset.py in
NVIDIA/Megatron-LM: the _IndexWriter / _IndexReader layout), not from skein's writer:

PREFIX.idx: b"MMIDIDX\\x00\\x00", u64 version (1), u8 dtype code (1 uint8, 2 int8, 3 int16,
4 int32, 5 int64, 6 float64, 7 float32, 8 uint16), u64 sequence count N, u64 document-index
count D, then int32[N] sequence lengths, int64[N] sequence pointers (byte offsets into the .bin),
int64[D] document indices (starts at 0, ends at N). PREFIX.bin: the sequences' tokens back to
back. Everything little endian.

Checks every structural rule (magic, version, known dtype, exact .idx size, pointers = running sum
of lengths x item size, .bin size = total tokens x item size, document indices from 0 to N and
non-decreasing) and prints one JSON object: per pair its dtype, sequence and document counts;
over all pairs in order, the token count of every document, the sha256 of all tokens as int32
little endian, the largest token id and the last token of every document.
"""

import hashlib
import json
import os
import struct
import sys

import numpy as np

MAGIC = b"MMIDIDX\x00\x00"
DTYPES = {1: "u1", 2: "i1", 3: "<i2", 4: "<i4", 5: "<i8", 6: "<f8", 7: "<f4", 8: "<u2"}
NAMES = {1: "uint8", 2: "int8", 3: "int16", 4: "int32", 5: "int64", 6: "float64", 7: "float32", 8: "uint16"}


def fail(prefix, why):
    print(f"BAD {prefix}: {why}", file=sys.stderr)
    sys.exit(1)


def read_pair(prefix):
    with open(prefix + ".idx", "rb") as f:
        idx = f.read()
    if idx[:9] != MAGIC:
        fail(prefix, f"magic {idx[:9]!r}")
    (version,) = struct.unpack_from("<Q", idx, 9)
    if version != 1:
        fail(prefix, f"version {version}")
    code = idx[17]
    if code not in DTYPES:
        fail(prefix, f"dtype code {code}")
    n, d = struct.unpack_from("<QQ", idx, 18)
    at = 34
    expected = at + 4 * n + 8 * n + 8 * d
    if len(idx) != expected:
        fail(prefix, f".idx has {len(idx)} bytes, the header implies {expected}")
    lengths = np.frombuffer(idx, dtype="<i4", count=n, offset=at)
    pointers = np.frombuffer(idx, dtype="<i8", count=n, offset=at + 4 * n)
    docs = np.frombuffer(idx, dtype="<i8", count=d, offset=at + 12 * n)
    dtype = np.dtype(DTYPES[code])
    item = dtype.itemsize
    running = np.concatenate([[0], np.cumsum(lengths.astype(np.int64))[:-1]]) * item if n else np.zeros(0, np.int64)
    if not np.array_equal(pointers, running):
        fail(prefix, "sequence pointers are not the running sum of the lengths")
    if d < 1 or docs[0] != 0 or docs[-1] != n or np.any(np.diff(docs) < 0):
        fail(prefix, f"document indices {docs[:5].tolist()}... do not run from 0 to {n}")
    total = int(lengths.sum(dtype=np.int64))
    size = os.path.getsize(prefix + ".bin")
    if size != total * item:
        fail(prefix, f".bin has {size} bytes, the index implies {total * item}")
    tokens = np.fromfile(prefix + ".bin", dtype=dtype) if total else np.zeros(0, dtype)
    cum = np.concatenate([[0], np.cumsum(lengths.astype(np.int64))])
    doc_lengths = [int(cum[docs[k + 1]] - cum[docs[k]]) for k in range(d - 1)]
    return NAMES[code], code, n, d - 1, tokens.astype("<i4"), doc_lengths


def main():
    pairs = []
    sha = hashlib.sha256()
    all_lengths = []
    last_tokens = []
    max_id = -1
    for prefix in sys.argv[1:]:
        name, code, n, docs, tokens, doc_lengths = read_pair(prefix)
        pairs.append({"prefix": os.path.basename(prefix), "dtype": name, "code": code, "sequences": n, "documents": docs})
        sha.update(tokens.tobytes())
        all_lengths += doc_lengths
        ends = np.cumsum(doc_lengths) - 1
        last_tokens += tokens[ends].tolist() if len(doc_lengths) else []
        if tokens.size:
            max_id = max(max_id, int(tokens.max()))
    print(json.dumps({"pairs": pairs, "doc_lengths": all_lengths, "tokens_sha256": sha.hexdigest(), "max_id": max_id, "last_tokens": last_tokens}))


if __name__ == "__main__":
    main()
