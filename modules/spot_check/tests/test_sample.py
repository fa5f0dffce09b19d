"""The draw itself: same seed + same population = same sample, whatever order the population is
read in; another seed gives another sample; the fingerprint names the population."""

from __future__ import annotations

import random

from modules.spot_check import sample


def test_the_same_seed_and_population_give_the_same_sample_in_any_order():
    keys = [f"36010{i:05d}" for i in range(200)]
    first = sample.draw(keys, "20260331", 12)
    shuffled = keys[:]
    random.Random(7).shuffle(shuffled)
    assert sample.draw(shuffled, "20260331", 12) == first
    assert len(first) == len(set(first)) == 12 and set(first) <= set(keys)
    assert sample.draw(keys, "20260930", 12) != first  # another seed, another sample
    # a member's rank does not depend on the others: a smaller sample is a prefix of a larger one
    assert sample.draw(keys, "20260331", 5) == first[:5]


def test_the_draw_is_written_down_and_can_be_repeated_by_hand():
    """The published method: rank = SHA-256("<seed>|<key>"), lowest first."""
    import hashlib

    keys = [101, 202, 303, 404]
    by_hand = sorted(keys, key=lambda k: hashlib.sha256(f"abc|{k}".encode()).hexdigest())[:2]
    assert sample.draw(keys, "abc", 2) == by_hand


def test_the_fingerprint_changes_with_the_population_and_not_with_its_order():
    assert sample.fingerprint([3, 1, 2]) == sample.fingerprint([1, 2, 3]) != sample.fingerprint([1, 2])


def test_seeds():
    assert sample.valid_seed("20260331") and sample.valid_seed("spring-2026")
    assert not sample.valid_seed("") and not sample.valid_seed("a b") and not sample.valid_seed("x" * 33)
    assert not sample.valid_seed("２０２６")  # full-width digits are not a seed one can retype
    seed = sample.new_seed()
    assert sample.valid_seed(seed) and len(seed) == 8
