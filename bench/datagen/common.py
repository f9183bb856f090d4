"""Helpers shared by the dataset generators: seeds and value digests."""
import hashlib
import os
import sys

import numpy as np

SEED = 20261123
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(REPO, "test", "fixtures")


def rng(tag):
    """One generator per dataset, so adding a dataset does not change the others."""
    digest = hashlib.sha256(f"{SEED}:{tag}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


class ValueDigest:
    """sha256 of an array's values as little-endian bytes, fed piece by piece in C order:
    the readers under test hash what they read the same way, so equal digests mean equal
    values."""

    def __init__(self):
        self._h = hashlib.sha256()

    def update(self, values):
        a = np.ascontiguousarray(values)
        self._h.update(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())

    def hexdigest(self):
        return self._h.hexdigest()


def import_fixture_module(name):
    """The test-fixture generators (test/fixtures/gen_*.py), reused rather than copied."""
    if FIXTURES not in sys.path:
        sys.path.insert(0, FIXTURES)
    return __import__(name)
