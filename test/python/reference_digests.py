"""Digests of every variable of a netCDF/HDF5 file as the reference libraries read them:
netCDF4-python for files that declare netCDF-4 (`_NCProperties`) or are netCDF-3, h5py
(+ hdf5plugin filters) otherwise. Prints {path: {shape, dtype, sha256}} as JSON."""
import json
import sys
import warnings

import numpy as np

from read_refs import digest

warnings.filterwarnings("ignore")


def with_netcdf4(path):
    import netCDF4

    out = {}

    def walk(g, prefix):
        for name, v in g.variables.items():
            v.set_auto_maskandscale(False)
            try:
                a = np.asarray(v[...])
            except Exception as e:  # noqa: BLE001
                out[prefix + name] = {"error": str(e)}
                continue
            entry = {"shape": list(a.shape), "dtype": a.dtype.str}
            if a.dtype.kind in "biufc":
                entry["sha256"] = digest(a)
            out[prefix + name] = entry
        for name, sub in g.groups.items():
            walk(sub, prefix + name + "/")

    with netCDF4.Dataset(path) as ds:
        walk(ds, "")
    return out


def with_h5py(path):
    import h5py
    import hdf5plugin  # noqa: F401  (registers the filters)

    out = {}

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset):
            return
        try:
            a = obj[()]
        except Exception as e:  # noqa: BLE001
            out[name] = {"error": str(e)}
            return
        a = np.asarray(a)
        entry = {"shape": list(a.shape), "dtype": a.dtype.str}
        if a.dtype.kind in "biufc":
            entry["sha256"] = digest(a)
        out[name] = entry

    # Soft links too: vzarr lists what they name under the link's path, as netCDF-C does.
    def visit_link(name, link, f):
        if isinstance(link, h5py.SoftLink):
            target = f.get(name)
            if isinstance(target, h5py.Dataset):
                visit(name, target)
            elif isinstance(target, h5py.Group):
                target.visititems_links(lambda sub, l: visit_link(name + "/" + sub, l, f))
        elif isinstance(link, h5py.HardLink):
            visit(name, f[name])

    with h5py.File(path, "r") as f:
        f.visititems_links(lambda name, link: visit_link(name, link, f))
    return out


def main(path):
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:3] == b"CDF":
        print(json.dumps(with_netcdf4(path)))
        return
    import h5py

    with h5py.File(path, "r") as f:
        netcdf = "_NCProperties" in f.attrs
    print(json.dumps(with_netcdf4(path) if netcdf else with_h5py(path)))


if __name__ == "__main__":
    main(sys.argv[1])
