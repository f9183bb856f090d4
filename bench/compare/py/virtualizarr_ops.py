"""VirtualiZarr's side of each task (VirtualiZarr 2.5.1 with obstore, as its docs show)."""
import os
import shutil
import warnings

import refs_dump
from synthetic import virtual_dataset

warnings.filterwarnings("ignore")


def _registry():
    from obspec_utils.registry import ObjectStoreRegistry
    from obstore.store import LocalStore

    return ObjectStoreRegistry({"file://": LocalStore()})


def _url(path):
    return "file://" + os.path.abspath(path)


def _open(path, parser):
    from virtualizarr import open_virtual_dataset

    # loadable_variables=[]: pure indexing, as kerchunk and vzarr are timed (no coordinate reads).
    return open_virtual_dataset(_url(path), registry=_registry(), parser=parser, loadable_variables=[])


def hdf5_index(clock, args):
    from virtualizarr.parsers import HDFParser

    _registry()  # imports outside the timed part
    with clock.measure():
        ds = _open(args["path"], HDFParser())
    return refs_dump.from_virtual_dataset(ds)


def netcdf3_index(clock, args):
    from virtualizarr.parsers import NetCDF3Parser

    _registry()
    with clock.measure():
        ds = _open(args["path"], NetCDF3Parser())
    return refs_dump.from_virtual_dataset(ds)


def mf_combine(clock, args):
    from virtualizarr import open_virtual_mfdataset
    from virtualizarr.parsers import HDFParser

    registry = _registry()
    urls = [_url(f) for f in args["files"]]
    with clock.measure():
        # parallel=False: one process, as the target states (and dask is not installed).
        ds = open_virtual_mfdataset(urls, registry=registry, parser=HDFParser(), concat_dim=args["concat_dim"],
                                    combine="nested", parallel=False)
    return {args["variable"]: refs_dump.from_manifest(ds[args["variable"]].data.manifest)}


def write_kerchunk_json(clock, args):
    ds = virtual_dataset(args["synthetic"])
    with clock.measure():
        ds.vz.to_kerchunk(args["out"], format="json")


def write_kerchunk_parquet(clock, args):
    ds = virtual_dataset(args["synthetic"])
    shutil.rmtree(args["out"], ignore_errors=True)
    with clock.measure():
        ds.vz.to_kerchunk(args["out"], format="parquet", record_size=args["record_size"])


def write_icechunk(clock, args):
    import icechunk as ic

    ds = virtual_dataset(args["synthetic"])
    container = "file://" + args["synthetic"]["folder"].rstrip("/") + "/"
    shutil.rmtree(args["out"], ignore_errors=True)
    with clock.measure():
        config = ic.RepositoryConfig.default()
        config.set_virtual_chunk_container(ic.VirtualChunkContainer(container, ic.local_filesystem_store(container[7:])))
        repo = ic.Repository.create(ic.local_filesystem_storage(args["out"]), config=config)
        session = repo.writable_session("main")
        ds.vz.to_icechunk(session.store)
        session.commit("bench")


OPS = {
    "virtualizarr.hdf5_index": hdf5_index,
    "virtualizarr.netcdf3_index": netcdf3_index,
    "virtualizarr.mf_combine": mf_combine,
    "virtualizarr.write_kerchunk_json": write_kerchunk_json,
    "virtualizarr.write_kerchunk_parquet": write_kerchunk_parquet,
    "virtualizarr.write_icechunk": write_icechunk,
}
