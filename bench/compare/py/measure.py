"""Timing and memory of one measured operation in this process (one process per measurement).

An operation does its untimed setup (imports, building inputs), then runs the measured part
inside `with clock.measure():`; the peak RSS is read right after it, before any untimed
verification dump can raise it."""
import resource
import time
from contextlib import contextmanager


def current_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Clock:
    def __init__(self):
        self.seconds = None
        self.rss_start_mb = None
        self.peak_rss_mb = None
        self.parts = {}

    @contextmanager
    def measure(self):
        self.rss_start_mb = current_rss_mb()
        start = time.perf_counter()
        yield
        self.seconds = time.perf_counter() - start
        self.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    @contextmanager
    def part(self, name):
        """A named sub-interval of the measured operation (e.g. index vs combine)."""
        start = time.perf_counter()
        yield
        self.parts[name] = time.perf_counter() - start

    def result(self):
        return {"seconds": self.seconds, "peak_rss_mb": self.peak_rss_mb, "rss_start_mb": self.rss_start_mb,
                "parts": self.parts}
