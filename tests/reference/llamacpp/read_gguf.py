"""Reads a GGUF file with llama.cpp's own gguf-py and prints what it finds as JSON: every key
with its type and element type (as GGUF numbers them), element count and (for scalars and strings) value, and every tensor with its
shape (GGUF order, innermost first), type, byte count and an FNV-1a checksum of its bytes.
Test tooling for tests/gguf_test.cpp; gguf-py is extracted by fetch.sh next to this file.

    /usr/bin/python3 read_gguf.py FILE.gguf
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gguf-py"))
from gguf import GGUFReader, GGUFValueType  # noqa: E402


def fnv1a(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def main() -> None:
    reader = GGUFReader(sys.argv[1])
    keys = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):  # the reader's own entries for the header
            continue
        entry = {"type": int(field.types[0])}
        if field.types[0] == GGUFValueType.ARRAY:
            # gguf-py keeps no element type for an empty array: None then.
            entry["element_type"] = int(field.types[1]) if len(field.types) > 1 else None
            entry["count"] = len(field.data)
        else:
            entry["element_type"] = int(field.types[0])
            entry["value"] = field.contents()
        keys[name] = entry
    tensors = {}
    for t in reader.tensors:
        tensors[t.name] = {
            "shape": [int(d) for d in t.shape],
            "type": t.tensor_type.name,
            "bytes": int(t.n_bytes),
            "checksum": fnv1a(t.data.tobytes()),
        }
    json.dump({"keys": keys, "tensors": tensors}, sys.stdout)


if __name__ == "__main__":
    main()
