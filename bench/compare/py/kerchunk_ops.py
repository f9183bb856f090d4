"""kerchunk's side of each task (kerchunk 0.2.10 as users call it)."""
import warnings

import refs_dump
from synthetic import kerchunk_refs

warnings.filterwarnings("ignore")


def hdf5_index(clock, args):
    from kerchunk.hdf import SingleHdf5ToZarr

    with clock.measure():
        refs = SingleHdf5ToZarr(args["path"], inline_threshold=0).translate()
    return refs_dump.from_kerchunk(refs)


def netcdf3_index(clock, args):
    from kerchunk.netCDF3 import NetCDF3ToZarr

    with clock.measure():
        refs = NetCDF3ToZarr(args["path"], inline_threshold=0).translate()
    return refs_dump.from_kerchunk(refs)


def grib_scan(clock, args):
    from kerchunk.grib2 import scan_grib

    with clock.measure():
        messages = scan_grib(args["path"], inline_threshold=0)
    # One reference set per message; the message's data variable is its ≥ 2-D array.
    out = {}
    for k, refs in enumerate(messages):
        for name, arrays in refs_dump.from_kerchunk(refs).items():
            if len(arrays[0]) >= 2:
                out[f"message{k}/{name}"] = arrays
    return out


def mf_combine(clock, args):
    from kerchunk.combine import MultiZarrToZarr
    from kerchunk.hdf import SingleHdf5ToZarr

    with clock.measure():
        with clock.part("index"):
            singles = [SingleHdf5ToZarr(f, inline_threshold=0).translate() for f in args["files"]]
        with clock.part("combine"):
            combined = MultiZarrToZarr(singles, concat_dims=[args["concat_dim"]],
                                       identical_dims=args.get("identical_dims", [])).translate()
    return refs_dump.from_kerchunk(combined, only={args["variable"]})


def write_json(clock, args):
    import ujson

    refs = kerchunk_refs(args["synthetic"])
    with clock.measure():
        with open(args["out"], "w") as f:
            ujson.dump(refs, f)


def write_parquet(clock, args):
    from kerchunk.df import refs_to_dataframe

    refs = kerchunk_refs(args["synthetic"])
    with clock.measure():
        refs_to_dataframe(refs, args["out"], record_size=args["record_size"])


OPS = {
    "kerchunk.hdf5_index": hdf5_index,
    "kerchunk.netcdf3_index": netcdf3_index,
    "kerchunk.grib_scan": grib_scan,
    "kerchunk.mf_combine": mf_combine,
    "kerchunk.write_json": write_json,
    "kerchunk.write_parquet": write_parquet,
}
