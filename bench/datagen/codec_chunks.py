"""Chunks for the codec benchmark (bench/codecs.bench.mjs): one large chunk per codec the
core decodes, each written by the reference implementation of that codec.

HDF5 filters (deflate, LZ4, Bitshuffle+LZ4, LZF, szip) go through h5py + hdf5plugin and
`read_direct_chunk`, exactly as the fixture generator does (test/fixtures/gen_codecs.py,
reused); PNG is a GRIB2 message written by ecCodes (`grid_png`); LZW is imagecodecs' TIFF
LZW. The decoded bytes are stored too, so the benchmark checks every decoder's output.

Writes `codec-chunks/<case>.raw` and `<case>.expected`, and describes each case (codecs in
encode order, dtype, chunk shape) in the returned datasets entry `codec_chunks`.
"""
import json
import os

import numpy as np

from .common import import_fixture_module, rng


def field(n, dtype="<f4"):
    """A smooth 2-D-like field with noise: what compressed climate chunks look like."""
    r = rng("codec-chunks-" + dtype)
    x = np.linspace(0, 8 * np.pi, n)
    values = 280 + 20 * np.sin(x) * np.cos(x / 7) + np.round(r.normal(0, 0.5, n), 2)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return values.astype(dt)
    return np.round(values * 10).astype(dt)


def grib_png_message(side):
    import eccodes

    gid = eccodes.codes_grib_new_from_samples("regular_ll_sfc_grib2")
    try:
        eccodes.codes_set(gid, "Ni", side)
        eccodes.codes_set(gid, "Nj", side)
        eccodes.codes_set(gid, "latitudeOfFirstGridPointInDegrees", 89.0)
        eccodes.codes_set(gid, "latitudeOfLastGridPointInDegrees", -89.0)
        eccodes.codes_set(gid, "longitudeOfFirstGridPointInDegrees", 0.0)
        eccodes.codes_set(gid, "longitudeOfLastGridPointInDegrees", 359.0)
        eccodes.codes_set(gid, "packingType", "grid_png")
        eccodes.codes_set(gid, "bitsPerValue", 16)
        eccodes.codes_set_values(gid, field(side * side, "<f8"))
        message = eccodes.codes_get_message(gid)
        values = eccodes.codes_get_values(gid)
    finally:
        eccodes.codes_release(gid)
    return message, values.astype("<f8").tobytes()


def make(out, scale):
    import hdf5plugin
    import imagecodecs

    gen = import_fixture_module("gen_codecs")
    folder = os.path.join(out, "codec-chunks")
    os.makedirs(folder, exist_ok=True)
    n = max(4096, int(1_048_576 * scale))  # 4 MiB of float32 at scale 1
    cases = []

    def hdf5_case(name, data, **filters):
        case = gen.make_case(name, data, data.shape, **filters)
        raw = __import__("base64").b64decode(case.pop("raw"))
        expected = __import__("base64").b64decode(case.pop("expected"))
        add(name, raw, expected, case["codecs"], case["dtype"], case["chunk_shape"])

    def add(name, raw, expected, codecs, dtype, chunk_shape):
        with open(os.path.join(folder, name + ".raw"), "wb") as f:
            f.write(raw)
        with open(os.path.join(folder, name + ".expected"), "wb") as f:
            f.write(expected)
        cases.append({"name": name, "codecs": codecs, "dtype": dtype, "chunk_shape": chunk_shape,
                      "raw_bytes": len(raw), "decoded_bytes": len(expected)})

    data = field(n)
    hdf5_case("deflate_f4", data, compression="gzip", compression_opts=4)
    hdf5_case("deflate_shuffle_f4", data, compression="gzip", compression_opts=4, shuffle=True)
    hdf5_case("lz4_shuffle_f4", data, shuffle=True, **hdf5plugin.LZ4())
    hdf5_case("bitshuffle_lz4_f4", data, **hdf5plugin.Bitshuffle(cname="lz4"))
    hdf5_case("lzf_shuffle_f4", data, compression="lzf", shuffle=True)
    hdf5_case("szip_i4", field(n, "<i4"), compression="szip", compression_opts=("nn", 32))

    side = max(64, int(1024 * scale ** 0.5))
    message, values = grib_png_message(side)
    add("grib_png_f8", message, values, [{"name": "vzarr.grib", "configuration": {}}], "<f8", [side * side])

    # TIFF's LZW (imagecodecs' numcodecs id), the codec TIFF sources need.
    lzw_data = field(n, "<u2")
    add("lzw_u2", imagecodecs.lzw_encode(lzw_data.tobytes()), lzw_data.tobytes(),
        [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "imagecodecs_lzw", "configuration": {}}],
        "<u2", [n])

    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    return {"codec_chunks": {"folder": folder, "cases": cases}}
