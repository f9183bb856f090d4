"""Files for bench/tiff-zarr.bench.mjs (issue 23's targets), seeded:

  cog OUT.tif             a COG of 100 x 100 = 10,000 tiles (25,600 x 25,600 uint8, 256 x 256
                          deflate tiles, rasterio/GDAL's COG driver, no overviews so the tile
                          count is the target's)
  stack DIR N             N small GeoTIFFs t0000.tif … (256 x 256 float32, 64 x 64 deflate tiles,
                          one per time step, same grid), written by rasterio
  sharded OUT.zarr        a Zarr v3 group with an array `data` of 4,000 x 4,000 uint8 in 4 x 4 inner chunks (1,000,000)
                          grouped in 400 x 400 shards (100 shards), zstd inside, by zarr-python
                          (its first shard row; the other rows are copies of it, see below)

usage: tiff_zarr.py cog|stack|sharded OUT [N]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from datagen.common import rng  # noqa: E402


def cog(out):
    import rasterio.shutil
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    side, tile = 25_600, 256
    g = rng("tiff_zarr:cog")
    profile = dict(driver="GTiff", width=side, height=side, count=1, dtype="uint8", crs="EPSG:32633",
                   transform=from_origin(400_000, 5_000_000, 10, 10), tiled=True, blockxsize=tile,
                   blockysize=tile, compress="deflate")
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            # One row of tiles at a time keeps memory flat.
            for r in range(0, side, tile):
                dst.write(g.integers(0, 8, size=(tile, side), dtype=np.uint8), 1, window=Window(0, r, side, tile))
        with mem.open() as src:
            rasterio.shutil.copy(src, out, driver="COG", blocksize=tile, compress="DEFLATE", overviews="NONE")


def stack(out_dir, n):
    import rasterio
    from rasterio.transform import from_origin

    os.makedirs(out_dir, exist_ok=True)
    g = rng("tiff_zarr:stack")
    for t in range(n):
        data = g.normal(280, 5, size=(256, 256)).astype(np.float32)
        with rasterio.open(os.path.join(out_dir, f"t{t:04d}.tif"), "w", driver="GTiff", width=256, height=256,
                           count=1, dtype="float32", crs="EPSG:4326", transform=from_origin(10, 50, 0.01, 0.01),
                           tiled=True, blockxsize=64, blockysize=64, compress="deflate") as dst:
            dst.write(data, 1)


def sharded(out):
    import shutil

    import zarr

    g = rng("tiff_zarr:sharded")
    side, shard = 4000, 400
    # An array in a root group: VirtualiZarr's ZarrParser opens groups only (a root array fails
    # with ContainsArrayError).
    root = zarr.open_group(out, mode="w", zarr_format=3)
    arr = root.create_array("data", shape=(side, side), dtype="uint8", chunks=(4, 4), shards=(shard, shard),
                            compressors=zarr.codecs.ZstdCodec(level=1), dimension_names=["y", "x"])
    chunks = os.path.join(out, "data", "c")
    # zarr-python encodes ~10,000 inner chunks per shard at a few thousand a second: the first
    # row of 10 shards is written by it, the other rows are byte copies of that row (a shard's
    # index is relative to its own object, so each copy is a valid shard; the values repeat
    # every 400 rows, which indexing does not look at).
    arr[0:shard, :] = g.integers(0, 4, size=(shard, side), dtype=np.uint8)
    for r in range(1, side // shard):
        os.makedirs(os.path.join(chunks, str(r)), exist_ok=True)
        for c in range(side // shard):
            shutil.copyfile(os.path.join(chunks, "0", str(c)), os.path.join(chunks, str(r), str(c)))


if __name__ == "__main__":
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "cog":
        cog(out)
    elif kind == "stack":
        stack(out, int(sys.argv[3]))
    elif kind == "sharded":
        sharded(out)
    else:
        sys.exit(__doc__)
