"""Role x route rows for the casework pages; see route_matrix.py."""

from tests.web.roles import PERSONAL_DATA, PRACTITIONERS

PAGES_MATRIX: dict = {
    # People: search and read on the same terms for practitioners and leads; only practitioners record.
    "people.search": PERSONAL_DATA,
    "people.new": PRACTITIONERS,
    "people.person": PERSONAL_DATA,
    "people.break_glass": PERSONAL_DATA,
    "people.new_relationship": PRACTITIONERS,
    "people.new_missing_episode": PRACTITIONERS,
    "people.new_place": PRACTITIONERS,
    "people.place": PERSONAL_DATA,
    "people.new_group": PRACTITIONERS,
    "people.group": PERSONAL_DATA,
    # Cases: read by whoever the policy lets read the case; only the team (practitioners) adds to it.
    "cases.new": PRACTITIONERS,
    "cases.case": PERSONAL_DATA,
    "cases.add_member": PRACTITIONERS,
    "cases.add_entry": PRACTITIONERS,
    "cases.add_action": PRACTITIONERS,
    "cases.complete_action": PRACTITIONERS,
}
