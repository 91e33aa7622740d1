"""Role x route rows for the casework API (/api/v1); see route_matrix.py.

Practitioners record and change; reads of personal data are open to safeguarding leads on the same terms (the
policy then decides per record); administrators never reach personal data.
"""

from tests.web.roles import PERSONAL_DATA, PRACTITIONERS

API_MATRIX: dict = {
    "api.create_person": PRACTITIONERS,
    "api.merge_person": PRACTITIONERS,
    "api.move_entry": PRACTITIONERS,
    "api.search_people": PERSONAL_DATA,
    "api.get_person": PERSONAL_DATA,
    "api.update_person": PRACTITIONERS,
    "api.break_glass_person": PERSONAL_DATA,
    "api.create_place": PRACTITIONERS,
    "api.get_place": PERSONAL_DATA,
    "api.create_group": PRACTITIONERS,
    "api.get_group": PERSONAL_DATA,
    "api.create_relationship": PRACTITIONERS,
    "api.end_relationship": PRACTITIONERS,
    "api.open_case": PRACTITIONERS,
    "api.get_case": PERSONAL_DATA,
    "api.case_members": PERSONAL_DATA,
    "api.add_case_member": PRACTITIONERS,
    "api.add_chronology_entry": PRACTITIONERS,
    "api.case_chronology": PERSONAL_DATA,
    "api.record_missing_episode": PRACTITIONERS,
    "api.missing_episodes": PERSONAL_DATA,
    "api.update_missing_episode": PRACTITIONERS,
    "api.list_alerts": PERSONAL_DATA,
}
