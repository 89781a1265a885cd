"""Tokenizes a JSONL corpus the way the Python data-prep stacks do, for a side-by-side number.

    python3 bench/peers_tokenize.py CORPUS.jsonl TOKENIZER.json [--batch 256]
    python3 bench/peers_tokenize.py CORPUS.jsonl o200k_base

- a tokenizer.json: Hugging Face `tokenizers` (the Rust library datatrove's DocumentTokenizer
  and Megatron's preprocess_data use), `Tokenizer.encode_batch(texts, add_special_tokens=False)`
  over batches of documents (multi-threaded in Rust, as in those tools), special added tokens
  removed like skein does;
- an OpenAI encoding name: tiktoken's `encode_ordinary_batch` (multi-threaded).

Reading and JSON parsing are not timed (like skein's bare number); prints one JSON line:
{"engine", "tokens", "seconds", "tokensPerSec", "threads"}. Needs `pip install tokenizers tiktoken`.
"""

import json
import os
import sys
import time


def main() -> None:
    corpus, tok = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 256
    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
    if tok.endswith(".json"):
        import tokenizers

        spec = json.load(open(tok, encoding="utf-8"))
        spec["added_tokens"] = [t for t in spec.get("added_tokens", []) if not t.get("special")]
        enc = tokenizers.Tokenizer.from_str(json.dumps(spec))
        engine = f"tokenizers {tokenizers.__version__} (Python) encode_batch"

        def encode(chunk):
            return [len(e.ids) for e in enc.encode_batch(chunk, add_special_tokens=False)]
    else:
        import tiktoken

        enc = tiktoken.get_encoding(tok)
        engine = f"tiktoken {tiktoken.__version__} (Python) encode_ordinary_batch"

        def encode(chunk):
            return [len(ids) for ids in enc.encode_ordinary_batch(chunk)]

    encode(texts[:batch])  # warm-up
    tokens = 0
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        tokens += sum(encode(texts[i : i + batch]))
    seconds = time.perf_counter() - t0
    print(json.dumps({"engine": engine, "tokens": tokens, "seconds": round(seconds, 3), "tokensPerSec": round(tokens / seconds), "threads": os.cpu_count()}))


if __name__ == "__main__":
    main()
