"""astropy's view of a FITS file, and Python reading vzarr's output of it.

usage: fits_oracle.py COMMAND ARGS...   (prints one JSON document)
  describe FITS...                 per file, per variable as vzarr names it: shape, dtype and
                                   sha256 of the stored values (little-endian, C order), the
                                   header cards vzarr keeps, BSCALE/BZERO/BLANK
  kerchunk FITS=REFS...            vzarr's kerchunk JSON of FITS opened with fsspec + zarr
                                   (stored values, exact) and xarray (CF-decoded values against
                                   astropy's scaled data): per variable {"raw": bool, "decoded": bool}
  icechunk PREFIX FITS=REPO...     the same through Python icechunk (+ xarray)

Variable names (vzarr's convention, docs/formats/fits.md): astropy's HDU name (EXTNAME, or
PRIMARY), the HDU's index when it has none; a repeated name gets `_<EXTVER>` (or `_<index>`).
Only images with data are variables; compressed images are named by their own EXTNAME.
"""
import hashlib
import json
import os
import sys
import warnings

import numpy as np
from astropy.io import fits

warnings.simplefilter("ignore")
os.environ.setdefault("RUST_LOG", "error")

# Cards that describe the storage rather than the image (they differ between a compressed
# image's table and astropy's image view of it); compared elsewhere or not at all.
STRUCTURAL = {"SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "CHECKSUM", "DATASUM"}
COMMENTARY = {"COMMENT", "HISTORY", ""}


def le_sha(a):
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.dtype.str, hashlib.sha256(a.tobytes()).hexdigest()


def has_data(hdu):
    if not hdu.is_image or isinstance(hdu, fits.GroupsHDU):
        return False
    n = hdu.header.get("NAXIS", 0)
    return n > 0 and all(hdu.header.get(f"NAXIS{i}", 0) > 0 for i in range(1, n + 1))


def variable_names(hdul):
    """(index, name) of each image HDU with data, named as vzarr names them."""
    out, used = [], set()
    for i, hdu in enumerate(hdul):
        if not has_data(hdu):
            continue
        name = hdu.name or str(i)
        if name in used:
            ver = hdu.header.get("EXTVER")
            name = f"{name}_{ver}" if isinstance(ver, int) and f"{name}_{ver}" not in used else f"{name}_{i}"
        used.add(name)
        out.append((i, name))
    return out


def cards(header):
    out = {}
    for key in header:
        if key in STRUCTURAL or key.startswith("NAXIS") or key in COMMENTARY or key in out:
            continue
        value = header[key]
        if isinstance(value, (bool, int, float, str)):
            out[key] = value
    for key in ("COMMENT", "HISTORY"):
        if key in header:
            out[key] = "\n".join(str(c) for c in header[key])
    return out


def describe(path):
    entries = {}
    with fits.open(path, do_not_scale_image_data=True) as hdul:
        for i, name in variable_names(hdul):
            hdu = hdul[i]
            try:
                raw = hdu.data
            except Exception as e:  # noqa: BLE001 — astropy cannot decode it either
                entries[name] = {"error": f"{type(e).__name__}: {e}"}
                continue
            dtype, sha = le_sha(raw)
            h = hdu.header
            entries[name] = {
                "shape": list(raw.shape),
                "dtype": dtype,
                "sha256": sha,
                "attrs": cards(h),
                "cf": {k: h[k] for k in ("BSCALE", "BZERO", "BLANK") if k in h},
                "compression": getattr(hdu, "compression_type", None) if isinstance(hdu, fits.CompImageHDU) else None,
            }
        root = {}
        if not has_data(hdul[0]):
            root = cards(hdul[0].header)
    return {"variables": entries, "root_attrs": root}


def scaled_values(path):
    with fits.open(path) as hdul:
        return {name: np.asarray(hdul[i].data, dtype=np.float64) for i, name in variable_names(hdul)}


def compare(fits_path, group, open_dataset):
    expected_raw = describe(fits_path)["variables"]
    scaled = scaled_values(fits_path)
    out = {}
    for name, e in expected_raw.items():
        r = {}
        try:
            r["raw"] = le_sha(group[name][...])[1] == e["sha256"]
        except KeyError:
            out[name] = {"missing": True}
            continue
        except Exception as ex:  # noqa: BLE001
            r["raw_error"] = f"{type(ex).__name__}: {ex}"
        try:
            # One variable at a time: an array whose codec Python lacks fails alone. xarray
            # parses every array's metadata even when told to drop it, so where another array
            # of the group cannot be parsed, this one is CF-decoded by xarray from zarr's read.
            others = [n for n in expected_raw if n != name]
            try:
                got = open_dataset(others)[name].values
            except Exception:  # noqa: BLE001
                if "raw" not in r:
                    raise
                import xarray as xr

                arr = group[name]
                var = xr.Variable(tuple(arr.attrs.get("_ARRAY_DIMENSIONS", getattr(arr.metadata, "dimension_names", None) or ())), arr[...], dict(arr.attrs))
                got = xr.conventions.decode_cf_variable(name, var).values
                r["decoded_by"] = "decode_cf_variable"
            got = np.asarray(got, dtype=np.float64)
            r["decoded"] = bool(got.shape == scaled[name].shape and np.allclose(got, scaled[name], rtol=1e-6, atol=0, equal_nan=True))
        except Exception as ex:  # noqa: BLE001
            r["decoded_error"] = f"{type(ex).__name__}: {ex}"
        out[name] = r
    return out


def main():
    command, args = sys.argv[1], sys.argv[2:]
    result = {}
    if command == "describe":
        result = {p: describe(p) for p in args}
    elif command == "kerchunk":
        import fsspec
        import xarray as xr
        import zarr

        for pair in args:
            fits_path, refs = pair.split("=", 1)
            fs = fsspec.filesystem("reference", fo=refs)
            store = zarr.storage.FsspecStore(fs, read_only=True, path="")
            group = zarr.open_group(store, mode="r", zarr_format=2)
            result[fits_path] = compare(
                fits_path, group, lambda drop, s=store: xr.open_dataset(s, engine="zarr", consolidated=False, zarr_format=2, drop_variables=drop)
            )
    elif command == "icechunk":
        import icechunk
        import imagecodecs_zarr3

        imagecodecs_zarr3.register()  # RICE_1 is imagecodecs' Rcomp (README)
        import xarray as xr
        import zarr

        prefix = args[0]
        for pair in args[1:]:
            fits_path, repo_path = pair.split("=", 1)
            config = icechunk.RepositoryConfig.default()
            config.set_virtual_chunk_container(icechunk.VirtualChunkContainer(prefix, icechunk.local_filesystem_store(prefix)))
            creds = icechunk.containers_credentials({prefix: None})
            repo = icechunk.Repository.open(icechunk.local_filesystem_storage(repo_path), config, authorize_virtual_chunk_access=creds)
            session = repo.readonly_session("main")
            group = zarr.open_group(session.store, mode="r")
            result[fits_path] = compare(
                fits_path, group, lambda drop, s=session.store: xr.open_dataset(s, engine="zarr", consolidated=False, zarr_format=3, drop_variables=drop)
            )
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
