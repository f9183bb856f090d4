"""The Python side of bench/hdf4.bench.mjs: kerchunk's HDF4ToZarr, which VirtualiZarr's
HDF4Parser runs underneath (virtualizarr 2.5.1 in .venv has no HDF4 parser yet; its newer
releases call `HDF4ToZarr(url).translate()` and convert the references).

Reads one request per stdin line (JSON {"path", "refs"}); answers one JSON line: the seconds
translate() took (timed in this process, imports done) and, when asked, every chunk
reference as {variable: {chunk key: [offset, length]}} for the equivalence check.
"""
import json
import sys
import time
import warnings

warnings.simplefilter("ignore")
from kerchunk.hdf4 import HDF4ToZarr  # noqa: E402

for line in sys.stdin:
    req = json.loads(line)
    t0 = time.perf_counter()
    refs = HDF4ToZarr(req["path"]).translate()
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds}
    if req.get("refs"):
        chunks = {}
        for key, value in refs.items():
            name, _, chunk = key.rpartition("/")
            if chunk.startswith(".") or not isinstance(value, list):
                continue
            chunks.setdefault(name, {})[chunk] = value[1:3]
        out["refs"] = chunks
    print(json.dumps(out), flush=True)
