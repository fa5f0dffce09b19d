"""An import sets the interpreter for itself (web/excel/pipeline._import_runtime: the cyclic
garbage collector off, a short GIL switch interval) and must give both back: after the last of
overlapping imports, after a failure, and never switch the collector on if it was off."""

from __future__ import annotations

import gc
import sys

import pytest

from web.excel.pipeline import SWITCH_INTERVAL, _import_runtime


def test_the_interpreter_comes_back_after_overlapping_imports_and_failures() -> None:
    assert gc.isenabled()
    before = sys.getswitchinterval()
    with _import_runtime():
        assert not gc.isenabled() and sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        with pytest.raises(RuntimeError):
            with _import_runtime():  # a second import that fails
                raise RuntimeError("bad file")
        assert not gc.isenabled(), "the first import still runs"
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    assert gc.isenabled()
    assert sys.getswitchinterval() == before


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with _import_runtime():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
