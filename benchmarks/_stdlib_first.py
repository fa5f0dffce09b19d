"""Imported before ``import statistics`` by the benchmarks that use the standard library's.

A script's own folder comes first on ``sys.path``, and issue 16 names the statistics benchmark
``benchmarks/statistics.py``: without this, ``import statistics`` in another benchmark would load
that script instead of the standard library's module. This takes the benchmarks folder off the path.
"""

import os
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != HERE]
