import numpy as np
import pytest

from skein_data import position_ids, reconstruct, segment_ids


def test_the_documented_example():
    pos, seg = reconstruct([3, 4, 1], 8, "reset", "document")
    assert pos.tolist() == [0, 1, 2, 0, 1, 2, 3, 0]
    assert seg.tolist() == [0, 0, 0, 1, 1, 1, 1, 2]
    assert pos.dtype == np.int32 and seg.dtype == np.int32


def test_continuous_and_causal_ignore_boundaries():
    assert position_ids([3, 4, 1], "continuous", 8).tolist() == list(range(8))
    assert segment_ids([3, 4, 1], "causal").tolist() == [0] * 8


def test_explicit_positions_are_the_column():
    explicit = np.array([0, 1, 9, 10], dtype=np.int32)
    assert position_ids([4], "explicit", 4, explicit).tolist() == [0, 1, 9, 10]
    with pytest.raises(ValueError, match="2 entries but the row has 4"):
        position_ids([4], "explicit", 4, explicit[:2])


def test_zero_length_pieces_take_a_segment_number():
    assert segment_ids([2, 0, 1], "document").tolist() == [0, 0, 2]
    assert position_ids([2, 0, 1], "reset", 3).tolist() == [0, 1, 0]


@pytest.mark.parametrize("lengths,total,why", [([3, 4], 8, "sum to 7 but the row has 8"), ([5, -1, 4], 8, r"doc_lengths\[1\] = -1 is negative")])
def test_bad_lengths_are_refused(lengths, total, why):
    with pytest.raises(ValueError, match=why):
        position_ids(lengths, "reset", total)
