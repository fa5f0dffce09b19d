"""An import pauses Python's cyclic garbage collector (web/excel/pipeline.py) and must give it back:
after the last of overlapping imports, after a failure, and never switch it on if it was off."""

from __future__ import annotations

import gc

import pytest

from web.excel.pipeline import _collector_paused


def test_the_collector_comes_back_after_overlapping_imports_and_failures() -> None:
    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
        with pytest.raises(RuntimeError):
            with _collector_paused():  # a second import that fails
                raise RuntimeError("bad file")
        assert not gc.isenabled(), "the first import still runs"
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
