#!/usr/bin/env python3
"""VirtualiZarr's side of bench/dmrpp.bench.mjs: one DMRPPParser parse per line read on stdin
(the sidecar's path), answering with the seconds it took and the chunks it found, so the
two parsers run interleaved in one benchmark without interpreter start-up in the timings."""
import json
import sys
import time
import warnings

from obspec_utils.registry import ObjectStoreRegistry
from obstore.store import LocalStore
from virtualizarr.parsers import DMRPPParser

registry = ObjectStoreRegistry({"file://": LocalStore()})
warnings.simplefilter("ignore")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    path = line.strip()
    start = time.perf_counter()
    store = DMRPPParser()(f"file://{path}", registry)
    seconds = time.perf_counter() - start
    chunks = sum(len(a.manifest.dict()) for a in store._group.arrays.values()) if "--count" in sys.argv else None
    print(json.dumps({"seconds": seconds, "chunks": chunks}), flush=True)
