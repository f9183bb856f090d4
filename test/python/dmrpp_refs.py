#!/usr/bin/env python3
"""Chunk refs of DMR++ sidecars as VirtualiZarr's DMRPPParser reads them.

    dmrpp_refs.py SIDECAR...   → JSON {sidecar: {variable path: [[key, offset, length], ...]}}

DMRPPParser reads one group per call; every group the document declares is read. A group
or variable it cannot read is left out (its warnings go to stderr).
"""
import json
import os
import sys
import warnings
from xml.etree import ElementTree as ET

from obspec_utils.registry import ObjectStoreRegistry
from obstore.store import LocalStore
from virtualizarr.parsers import DMRPPParser

DAP = "{http://xml.opendap.org/ns/DAP/4.0#}"


def group_paths(element, prefix=""):
    for g in element.findall(f"{DAP}Group"):
        path = f"{prefix}/{g.get('name')}"
        yield path
        yield from group_paths(g, path)


def refs_of(sidecar):
    sidecar = os.path.abspath(sidecar)
    registry = ObjectStoreRegistry({"file://": LocalStore()})
    root = ET.parse(sidecar).getroot()
    out = {}
    for group in ["/", *group_paths(root)]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                store = DMRPPParser(group=group)(f"file://{sidecar}", registry)
        except Exception as e:  # noqa: BLE001 -- reported, not fatal
            print(f"{sidecar} {group}: {e}", file=sys.stderr)
            continue
        prefix = group.strip("/")
        for name, arr in store._group.arrays.items():
            entries = arr.manifest.dict()
            out[f"{prefix}/{name}" if prefix else name] = sorted(
                [k, v["offset"], v["length"]] for k, v in entries.items()
            )
    return out


if __name__ == "__main__":
    json.dump({p: refs_of(p) for p in sys.argv[1:]}, sys.stdout, sort_keys=True)
