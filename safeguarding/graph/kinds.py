"""Relationship kinds (SPEC section 2), their families and the node type each kind may point at."""

from types import MappingProxyType

from models.context import RELATIONSHIP_KINDS, TARGET_TYPE_OF_KIND

# The lists themselves live with the Relationship model; here they are grouped for analysis.
FAMILY = RELATIONSHIP_KINDS["family"]
PEER = RELATIONSHIP_KINDS["peer"]
CONCERN = RELATIONSHIP_KINDS["concern"]
PLACE = RELATIONSHIP_KINDS["place"]
GROUP = RELATIONSHIP_KINDS["group"]
PROTECTIVE = RELATIONSHIP_KINDS["protective"]

FAMILIES = MappingProxyType(RELATIONSHIP_KINDS)
ALL_KINDS = frozenset(TARGET_TYPE_OF_KIND)
KIND_FAMILY = MappingProxyType({kind: family for family, kinds in FAMILIES.items() for kind in kinds})
# A relationship always starts at a person (SPEC section 2); the kind decides what it may point at.
TARGET_TYPE = MappingProxyType(TARGET_TYPE_OF_KIND)

RIVAL = "rival"
MEMBER_OF = "member_of"
SUSPICION_KINDS = frozenset({"exploitation_suspected"})
PROTECTIVE_KINDS = frozenset(PROTECTIVE)
# Kinds that put a person at a place for hotspots and location prompts; a guardian makes a place safer.
PRESENCE_KINDS = frozenset(PLACE)


def kinds_in(*families: str) -> frozenset[str]:
    """The kinds of the named families, e.g. kinds_in("peer", "group")."""
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown relationship families: {', '.join(sorted(unknown))}")
    return frozenset(kind for family in families for kind in FAMILIES[family])


def check_kind(kind: str, target_type: str) -> None:
    """Refuse an unknown kind or one pointing at the wrong type of node."""
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown relationship kind: {kind!r}")
    if TARGET_TYPE[kind] != target_type:
        raise ValueError(f"a {kind!r} relationship points at a {TARGET_TYPE[kind]}, not a {target_type}")
