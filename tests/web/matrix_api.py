"""Role x route rows for the casework API (/api/v1); see route_matrix.py.

Practitioners record and change; reads of personal data are open to safeguarding leads on the same terms (the
policy then decides per record); administrators never reach personal data.
"""

from tests.web.roles import LEADS, MANAGERS, PERSONAL_DATA, PRACTITIONERS, SIGNED_IN

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
    "api.list_places": PERSONAL_DATA,
    "api.list_groups": PERSONAL_DATA,
    "api.correct_place": PRACTITIONERS,
    "api.correct_group": PRACTITIONERS,
    "api.create_group": PRACTITIONERS,
    "api.get_group": PERSONAL_DATA,
    "api.list_group_members": PERSONAL_DATA,
    "api.create_relationship": PRACTITIONERS,
    "api.end_relationship": PRACTITIONERS,
    "api.review_membership": PRACTITIONERS,
    "api.open_case": PRACTITIONERS,
    "api.caseload": PERSONAL_DATA,
    "api.get_case": PERSONAL_DATA,
    "api.change_case_status": PRACTITIONERS,
    # Handing a case to another lead: team managers only (SPEC 1); the service checks it is their agency's case.
    "api.reassign_case_lead": MANAGERS,
    "api.approve_case_closure": PRACTITIONERS,
    "api.return_case_closure": PRACTITIONERS,
    "api.withdraw_case_closure": PRACTITIONERS,
    "api.case_members": PERSONAL_DATA,
    "api.add_case_member": PRACTITIONERS,
    "api.add_chronology_entry": PRACTITIONERS,
    "api.case_chronology": PERSONAL_DATA,
    "api.record_missing_episode": PRACTITIONERS,
    "api.missing_episodes": PERSONAL_DATA,
    "api.update_missing_episode": PRACTITIONERS,
    "api.move_missing_episode": PRACTITIONERS,
    "api.list_alerts": PERSONAL_DATA,
    # Referrals: only practitioners send and receive them; the service then checks the agency's part in each one.
    "api.send_referral": PRACTITIONERS,
    "api.list_referrals": PRACTITIONERS,
    "api.get_referral": PRACTITIONERS,
    "api.acknowledge_referral": PRACTITIONERS,
    "api.accept_referral": PRACTITIONERS,
    "api.decline_referral": PRACTITIONERS,
    "api.withdraw_referral": PRACTITIONERS,
    # Agencies are not personal data: everyone signed in may list them, to address a referral.
    "api.list_agencies": SIGNED_IN,
    # Context maps, their exports and graph analyses: read on the policy's terms; redaction does the rest.
    "api.person_context": PERSONAL_DATA,
    "api.place_context": PERSONAL_DATA,
    "api.group_context": PERSONAL_DATA,
    "api.export_person_context": PERSONAL_DATA,
    "api.export_place_context": PERSONAL_DATA,
    "api.export_group_context": PERSONAL_DATA,
    "api.shared_contexts": PERSONAL_DATA,
    "api.exposures": PERSONAL_DATA,
    "api.connection_paths": PERSONAL_DATA,
    "api.peer_groups": PERSONAL_DATA,
    "api.connectors": PERSONAL_DATA,
    "api.hotspots": PERSONAL_DATA,
    # Context work: practitioners record it; reads on the same terms as other personal data.
    "api.record_assessment": PRACTITIONERS,
    "api.place_assessments": PERSONAL_DATA,
    "api.group_assessments": PERSONAL_DATA,
    "api.record_weighting": PRACTITIONERS,
    "api.context_weightings": PERSONAL_DATA,
    "api.record_meeting": PRACTITIONERS,
    "api.person_meetings": PERSONAL_DATA,
    "api.place_meetings": PERSONAL_DATA,
    "api.group_meetings": PERSONAL_DATA,
    "api.rate_place": PRACTITIONERS,
    "api.safety_ratings": PERSONAL_DATA,
    "api.safety_heat_map": PERSONAL_DATA,
    # The audit log: safeguarding leads only (everyone else 403, audited).
    "api.audit_events": LEADS,
    "api.audit_verify": LEADS,
    # Partnership report: safeguarding leads only. Chronology CSV: on the chronology's terms.
    "api.partnership_report": LEADS,
    "api.case_chronology_csv": PERSONAL_DATA,
}
