"""One measurement in a fresh process: `python bench/compare/py/run.py OP 'JSON ARGS' | @ARGS.json`.

Prints one JSON line: the clock's figures, plus what the operation returned. Operations that
return chunk references have them written as a canonical dump when ARGS has "dump" (after the
measured part, so neither time nor peak RSS include it)."""
import json
import os
import sys

import kerchunk_ops
import read_ops
import refs_dump
import virtualizarr_ops
from measure import Clock

OPS = {**kerchunk_ops.OPS, **virtualizarr_ops.OPS, **read_ops.OPS}


def main():
    op, raw = sys.argv[1], sys.argv[2]
    if raw.startswith("@"):  # long argument lists (a thousand file names) come in a file
        with open(raw[1:]) as f:
            raw = f.read()
    args = json.loads(raw)
    clock = Clock()
    returned = OPS[op](clock, args)
    out = clock.result()
    if isinstance(returned, dict) and returned and all(isinstance(v, tuple) for v in returned.values()):
        if args.get("dump"):
            refs_dump.write(args["dump"], returned)
        out["variables"] = sorted(returned)
    elif returned is not None:
        out["info"] = returned
    print(json.dumps(out), flush=True)
    # icechunk's native runtime sometimes crashes while the interpreter shuts down under load
    # (test/python/icechunk_oracle.py); the answer is complete, so skip the finalization.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
