"""GRIB2 files built from the ecCodes samples, re-gridded to a 0.25° global grid (1440 × 721):

* `big.grib2`: temperature on 11 pressure levels × N forecast steps, 24-bit simple packing
  (~3.1 MB a message; 352 messages ≈ 1.1 GB, over 1 GiB, at scale 1) — the scanning benchmark. One field
  per level is packed once; the steps are clones with a different forecastTime, so the file is
  quick to write and every message is a complete, independently decodable GRIB2 message.
* `decode_simple.grib2` / `decode_complex.grib2`: distinct fields in simple packing (16 bits)
  and complex packing with spatial differencing — the decoding benchmark against ecCodes.
"""
import os

import eccodes as ec
import numpy as np

from .common import import_fixture_module, rng

LEVELS = [1000, 925, 850, 700, 600, 500, 400, 300, 250, 200, 100]
NI, NJ = 1440, 721


def field(r, level):
    lat = np.linspace(90, -90, NJ)[:, None]
    lon = np.linspace(0, 359.75, NI)[None, :]
    base = 300 - 0.04 * (1000 - level) - 30 * np.abs(lat) / 90 + 3 * np.sin(np.radians(3 * lon))
    return (base + r.normal(0, 0.3, (NJ, NI))).ravel()


def base_handle():
    gen = import_fixture_module("gen_grib")
    h = gen.regular_ll(gen.sample("regular_ll_pl_grib2"), NI, NJ, 90.0, 0.0, 0.25, 0.25)
    ec.codes_set(h, "paramId", 130)
    ec.codes_set(h, "dataDate", 20240101)
    ec.codes_set(h, "dataTime", 0)
    return h


def packed(base, values, level, step, packing, bits):
    h = ec.codes_clone(base)
    ec.codes_set(h, "level", level)
    ec.codes_set(h, "forecastTime", step)
    if packing != "grid_simple":
        ec.codes_set(h, "packingType", packing)
    ec.codes_set(h, "bitsPerValue", bits)
    ec.codes_set_values(h, values)
    return h


def write_big(path, steps):
    r = rng("grib-big")
    base = base_handle()
    messages = 0
    with open(path, "wb") as out:
        per_level = [packed(base, field(r, lev), lev, 0, "grid_simple", 24) for lev in LEVELS]
        for s in range(steps):
            for h in per_level:
                if s == 0:
                    out.write(ec.codes_get_message(h))
                else:
                    c = ec.codes_clone(h)
                    ec.codes_set(c, "forecastTime", 6 * s)
                    out.write(ec.codes_get_message(c))
                    ec.codes_release(c)
                messages += 1
        for h in per_level:
            ec.codes_release(h)
    ec.codes_release(base)
    return messages


def write_decode(path, count, packing, tag):
    r = rng("grib-decode-" + tag)
    base = base_handle()
    with open(path, "wb") as out:
        for k in range(count):
            h = packed(base, field(r, LEVELS[k % len(LEVELS)]), LEVELS[k % len(LEVELS)], 6 * (k // len(LEVELS)), packing, 16)
            out.write(ec.codes_get_message(h))
            ec.codes_release(h)
    ec.codes_release(base)
    return count


def make(out, scale):
    steps = max(1, round(32 * scale))
    big = os.path.join(out, "big.grib2")
    messages = write_big(big, steps)
    # Decoding files: whole levels × steps (or a few levels of one step), so the messages
    # form one hypercube variable.
    count = max(2, round(22 * scale))
    if count >= len(LEVELS):
        count -= count % len(LEVELS)
    simple = os.path.join(out, "decode_simple.grib2")
    complex_ = os.path.join(out, "decode_complex.grib2")
    write_decode(simple, count, "grid_simple", "simple")
    write_decode(complex_, count, "grid_complex_spatial_differencing", "complex")
    return {
        "grib_big": {"path": big, "messages": messages, "bytes": os.path.getsize(big)},
        "grib_decode_simple": {"path": simple, "messages": count, "packing": "simple (5.0), 16 bits"},
        "grib_decode_complex": {"path": complex_, "messages": count, "packing": "complex + spatial differencing (5.3), 16 bits"},
    }
