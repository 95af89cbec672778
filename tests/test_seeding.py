"""crudeflow.seeding: the one place random streams come from. The streams must stay the ones the published
figures were drawn with, so these pin them to the formulas each caller used before the helper existed."""

from __future__ import annotations

import hashlib
import zlib

import numpy as np

from crudeflow.seeding import Restarter, philox_key, philox_stream, stream


def test_stream_is_the_seed_sequence_of_seed_and_keys() -> None:
    expected = np.random.default_rng(np.random.SeedSequence([4, 2, 1, zlib.crc32(b"kuryk")])).random(8)
    assert np.array_equal(stream(4, 2, 1, "kuryk").random(8), expected)
    assert np.array_equal(stream(0).random(8), np.random.default_rng(0).random(8))


def test_streams_differ_by_any_key() -> None:
    first = stream(1, 2, "a").random(4)
    assert not np.array_equal(first, stream(1, 3, "a").random(4))
    assert not np.array_equal(first, stream(1, 2, "b").random(4))
    assert not np.array_equal(first, stream(2, 2, "a").random(4))


def test_philox_key_is_blake2b_of_the_keys() -> None:
    digest = hashlib.blake2b(b"11:7:cpc-court", digest_size=16).digest()
    assert np.array_equal(philox_key(11, 7, "cpc-court"), np.frombuffer(digest, dtype=np.uint64))


def test_restart_gives_a_fresh_stream_whatever_was_drawn_before() -> None:
    streams = Restarter()
    streams.restart(1, 0, "other").random(3)  # leaves a partly used buffer behind
    streams.rng.integers(0, 10, size=5)
    again = streams.restart(1, 7, "cpc-court")
    assert np.array_equal(again.random(6), philox_stream(1, 7, "cpc-court").random(6))
    assert np.array_equal(streams.restart(1, 7, "cpc-court").poisson(3.0, 6),
                          philox_stream(1, 7, "cpc-court").poisson(3.0, 6))
