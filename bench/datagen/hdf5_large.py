"""The million-chunk HDF5 files: netCDF-C with a v1 B-tree, and h5py libver='latest' with an
extensible array (one unlimited dimension) and a v2 B-tree (two). Written by the test
fixture generator's own functions (test/fixtures/gen_hdf5.py), scaled by side length."""
import math
import os

from .common import import_fixture_module


def side_for(scale):
    return max(10, round(1000 * math.sqrt(scale)))


def make(out, scale):
    gen = import_fixture_module("gen_hdf5")
    side = side_for(scale)
    files = {
        "nc4_1m": ("nc4_1m_chunks.nc", lambda p: gen.nc4_1m(p, side)),
        "h5_ea_1m": ("h5_ea_1m_chunks.h5", lambda p: gen.h5_1m(p, (None,), side)),
        "h5_bt2_1m": ("h5_bt2_1m_chunks.h5", lambda p: gen.h5_1m(p, (None, None), side)),
    }
    described = {}
    for key, (name, write) in files.items():
        path = os.path.join(out, name)
        write(path)
        described[key] = {"path": path, "variable": "v", "chunks": side * side}
    return described
