"""Loads a .npy file and prints its shape and corpus digest as JSON."""
import json
import sys

import numpy as np

from read_refs import digest

a = np.load(sys.argv[1], allow_pickle=False)
print(json.dumps({"sha256": digest(a), "shape": list(a.shape)}))
