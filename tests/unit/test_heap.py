"""Freezing long-lived objects out of the cyclic collector, and pausing it while they are built."""

import gc
import weakref

import pytest

from safeguarding.heap import collector_paused, settle


class Node:
    """An object that can sit in a reference cycle, which only the cyclic collector frees."""

    def __init__(self) -> None:
        self.partner: Node | None = None


def cycle() -> tuple[Node, weakref.ref]:
    node = Node()
    node.partner = Node()
    node.partner.partner = node
    return node, weakref.ref(node)


def tracked(obj: object) -> bool:
    """Whether a collection would traverse obj (frozen objects are left out of gc.get_objects())."""
    return any(o is obj for o in gc.get_objects())


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_paused_inside_the_block_and_resumes_after_it_even_on_an_error():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the build failed")
    assert gc.isenabled()


def test_a_collector_already_paused_stays_paused():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_settle_frees_cyclic_garbage_and_freezes_what_survives():
    _, dead = cycle()
    alive, _ = cycle()
    assert dead() is not None and tracked(alive)
    settle()
    assert dead() is None
    assert not tracked(alive) and gc.get_freeze_count() > 0


def test_what_an_earlier_settle_froze_is_freed_by_the_next_once_it_is_garbage():
    node, ref = cycle()
    settle()
    del node
    assert ref() is not None  # frozen: no collection reaches it
    gc.collect()
    assert ref() is not None
    settle()
    assert ref() is None
