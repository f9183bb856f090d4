"""An HDF4 file for bench/hdf4.bench.mjs, written with pyhdf (seeded): MODIS-like uint8 and
int16 data sets chunked and deflate-compressed, with many chunks, plus attributes.

usage: hdf4_chunked.py OUT.hdf SIDE CHUNK   (SIDE x SIDE data sets in CHUNK x CHUNK chunks)
pyhdf has no binding for SDsetchunk; it is called through ctypes in the library pyhdf loads
(as test/fixtures/gen_hdf4.py does).
"""
import ctypes
import glob
import os
import sys

import numpy as np
import pyhdf
from pyhdf.SD import SD, SDC

_libs = os.path.join(os.path.dirname(pyhdf.__file__), "..", "pyhdf.libs")
MFHDF = ctypes.CDLL(glob.glob(os.path.join(_libs, "libmfhdf-*.so*"))[0])


class ChunkDef(ctypes.Structure):
    _fields_ = [("lengths", ctypes.c_int32 * 32), ("comp_type", ctypes.c_int32), ("model_type", ctypes.c_int32),
                ("cinfo", ctypes.c_int32 * 16)]


MFHDF.SDsetchunk.argtypes = [ctypes.c_int32, ChunkDef, ctypes.c_int32]


def main():
    out, side, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = np.random.default_rng(8)
    sd = SD(out, SDC.WRITE | SDC.CREATE | SDC.TRUNC)
    sd.title = "vzarr HDF4 bench"
    for name, sdc, dtype in [("fire mask", SDC.UINT8, "u1"), ("algorithm QA", SDC.INT16, "i2")]:
        v = sd.create(name, sdc, (side, side))
        d = ChunkDef()
        d.lengths[0] = d.lengths[1] = chunk
        d.comp_type, d.cinfo[0] = 4, 6
        if MFHDF.SDsetchunk(v._id, d, 3) != 0:
            raise RuntimeError("SDsetchunk failed")
        v[:] = rng.integers(0, 10, size=(side, side), dtype=dtype)
        v.long_name = name
        v.endaccess()
    sd.end()


if __name__ == "__main__":
    main()
