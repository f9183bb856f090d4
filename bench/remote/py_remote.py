"""The Python peers' side of bench/remote.bench.mjs, one operation per process:

    python py_remote.py virtualizarr|kerchunk|kerchunk-grib ARGS_JSON

prints {"seconds": wall of the timed part, "cpu": its CPU seconds, "chunks": references to the
main variable, "bytes": the bytes they reference} on its last line. VirtualiZarr reads through
obstore's HTTPStore with a thread pool (`parallel=ThreadPoolExecutor`), kerchunk through fsspec's
HTTP filesystem (aiohttp) from a thread pool of the same size — each as its documentation shows.
"""
import json
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

warnings.filterwarnings("ignore")


class Timed:
    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0


def virtualizarr(a):
    from obspec_utils.registry import ObjectStoreRegistry
    from obstore.store import HTTPStore
    from virtualizarr import open_virtual_mfdataset
    from virtualizarr.parsers import HDFParser

    # allow_http: the latency server is plain HTTP on 127.0.0.1.
    registry = ObjectStoreRegistry({a["base"]: HTTPStore.from_url(a["base"], client_options={"allow_http": True})})
    with Timed() as t:
        ds = open_virtual_mfdataset(a["urls"], registry=registry, parser=HDFParser(), concat_dim="time",
                                    combine="nested", parallel=ThreadPoolExecutor)
    m = ds[a["variable"]].data.manifest
    lengths = m._lengths
    return t, int((lengths > 0).sum()), int(lengths.sum())


def kerchunk(a):
    import fsspec
    from kerchunk.combine import MultiZarrToZarr
    from kerchunk.hdf import SingleHdf5ToZarr

    fs = fsspec.filesystem("http")

    def one(url):
        with fs.open(url, "rb") as f:
            # Coordinates (time: 8 KB) inlined while the file is open, so MultiZarrToZarr needs no
            # second fetch; the t2m chunks (~14 KB) stay references.
            return SingleHdf5ToZarr(f, url, inline_threshold=9000).translate()

    with Timed() as t:
        with ThreadPoolExecutor(a["threads"]) as pool:
            parts = list(pool.map(one, a["urls"]))
        refs = MultiZarrToZarr(parts, remote_protocol="http", remote_options={"skip_instance_cache": True}, concat_dims=["time"], identical_dims=["lat", "lon"]).translate()
    chunks = [v for k, v in refs["refs"].items() if k.startswith(a["variable"] + "/") and isinstance(v, list)]
    return t, len(chunks), int(sum(v[2] for v in chunks))


def kerchunk_grib(a):
    from kerchunk.grib2 import scan_grib

    with Timed() as t:
        messages = scan_grib(a["url"])
    return t, len(messages), 0


OPS = {"virtualizarr": virtualizarr, "kerchunk": kerchunk, "kerchunk-grib": kerchunk_grib}

if __name__ == "__main__":
    t, chunks, nbytes = OPS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps({"seconds": t.seconds, "cpu": t.cpu, "chunks": chunks, "bytes": nbytes}))
