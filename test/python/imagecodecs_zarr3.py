"""imagecodecs' Zarr 3 codecs (module imagecodecs.zarr, imagecodecs >= 2026.10) for the codecs
vzarr's Icechunk output names that virtual-tiff does not register: HDF5's LZ4, szip and LZF, and
FITS's Rice. Registered one by one, as the README shows, because `pip install imagecodecs-zarr`
registers every imagecodecs codec and so replaces virtual-tiff's TIFF codecs (deflate, LZW,
JPEG, ... with another codec kind), which vzarr's TIFF output relies on.
"""
import imagecodecs.zarr
import zarr.registry

CODECS = {
    "imagecodecs_lz4h5": imagecodecs.zarr.Lz4h5,
    "imagecodecs_szip": imagecodecs.zarr.Szip,
    "imagecodecs_lzf": imagecodecs.zarr.Lzf,
    "imagecodecs_rcomp": imagecodecs.zarr.Rcomp,
}


def register():
    for name, cls in CODECS.items():
        zarr.registry.register_codec(name, cls)
