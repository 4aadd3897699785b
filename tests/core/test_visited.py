"""Back / forward through visited posts."""

from reader.core.visited import Visited


def test_back_and_forward() -> None:
    visited = Visited()
    assert visited.back() is None
    for post in "abc":
        visited.visit(post)
    visited.visit("c")  # showing the same post again adds nothing
    assert visited.back() == "b"
    assert visited.back() == "a"
    assert visited.back() is None
    assert visited.forward() == "b"
    visited.visit("d")  # a new visit drops the forward part ("c")
    assert visited.forward() is None
    assert visited.back() == "b"
    assert visited.back() == "a"
    visited.clear()
    assert visited.back() is None and visited.forward() is None
