"""Independent check that a skein output folder is what Python trainers expect.

Usage: python3 check_hf.py DIR EXPECTATION_JSON

EXPECTATION_JSON: {"rows": int, "columns": [name, ...], "dtypes": {name: "int32"|"uint8"|"string"},
"shards": [{"file": str, "rows": int}], "values": [{"row": int, "column": str, "value": [...]}]}

Opens DIR with datasets.load_from_disk and every shard with pyarrow.ipc.open_stream, checks row
counts, column names, Arrow types (list<item: T>, nullable, no dictionary), features, that
datasets did not have to cast (zero-copy memory map) and the given values. Prints "OK ..." and
exits 0, or prints every mismatch and exits 1.
"""

import json
import os
import sys

import datasets
import pyarrow as pa

ARROW = {"int32": pa.int32(), "uint8": pa.uint8(), "string": pa.string()}


def main() -> int:
    root, exp = sys.argv[1], json.loads(sys.argv[2])
    errors = []

    def check(ok, what):
        if not ok:
            errors.append(what)

    expected_schema = pa.schema(
        [pa.field(n, pa.list_(pa.field("item", ARROW[exp["dtypes"][n]], True)), True) for n in exp["columns"]]
    )

    ds = datasets.load_from_disk(root)
    check(isinstance(ds, datasets.Dataset), f"load_from_disk gave {type(ds).__name__}, not Dataset")
    check(ds.num_rows == exp["rows"], f"load_from_disk rows {ds.num_rows} != {exp['rows']}")
    check(ds.column_names == exp["columns"], f"columns {ds.column_names} != {exp['columns']}")
    for name in exp["columns"]:
        feat = ds.features.get(name)
        kind = type(feat).__name__
        inner = getattr(feat, "feature", None)
        check(kind in ("List", "Sequence"), f"feature {name} is {kind}, not a List/Sequence")
        check(getattr(inner, "dtype", None) == exp["dtypes"][name], f"feature {name} dtype {getattr(inner, 'dtype', None)} != {exp['dtypes'][name]}")
    check(ds.data.schema.equals(expected_schema, check_metadata=False), f"dataset schema {ds.data.schema} != {expected_schema}")
    # One shard: a MemoryMappedTable; several: a ConcatenationTable of them (one block per file).
    blocks = [t for row in ds.data.blocks for t in row] if hasattr(ds.data, "blocks") else [ds.data]
    check(len(blocks) == len(exp["shards"]), f"{len(blocks)} table blocks != {len(exp['shards'])} shards")
    for b in blocks:
        check(type(b).__name__ == "MemoryMappedTable", f"a table block is {type(b).__name__}, not memory-mapped")
        casts = [r for r in getattr(b, "replays", []) if r[0] == "cast"]
        check(not casts, f"datasets had to cast the table on load (not zero-copy): {casts}")

    total = 0
    for shard in exp["shards"]:
        path = os.path.join(root, shard["file"])
        with pa.memory_map(path) as source:
            reader = pa.ipc.open_stream(source)
            schema = reader.schema
            check(schema.equals(expected_schema, check_metadata=False), f"{shard['file']}: schema {schema} != {expected_schema}")
            meta = (schema.metadata or {}).get(b"huggingface")
            check(meta is not None, f"{shard['file']}: no huggingface schema metadata")
            if meta is not None:
                feats = json.loads(meta)["info"]["features"]
                check(list(feats) == exp["columns"], f"{shard['file']}: metadata features {list(feats)} != {exp['columns']}")
            table = reader.read_all()
        check(table.num_rows == shard["rows"], f"{shard['file']}: {table.num_rows} rows != {shard['rows']}")
        total += table.num_rows
    check(total == exp["rows"], f"shards hold {total} rows != {exp['rows']}")

    for v in exp["values"]:
        got = ds[v["row"]][v["column"]]
        check(got == v["value"], f"row {v['row']} {v['column']}: {got!r} != {v['value']!r}")

    if errors:
        for e in errors:
            print(f"MISMATCH: {e}", file=sys.stderr)
        return 1
    print(f"OK rows={ds.num_rows} shards={len(exp['shards'])} columns={','.join(exp['columns'])} datasets={datasets.__version__} pyarrow={pa.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
