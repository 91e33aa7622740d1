"""Role x route rows for the casework pages; see route_matrix.py."""

from tests.web.roles import LEADS, MANAGERS, PERSONAL_DATA, PRACTITIONERS, PUBLIC

PAGES_MATRIX: dict = {
    # People: search and read on the same terms for practitioners and leads; only practitioners record.
    "people.search": PERSONAL_DATA,
    "people.new": PRACTITIONERS,
    "people.person": PERSONAL_DATA,
    "people.edit": PRACTITIONERS,
    "people.break_glass": PERSONAL_DATA,
    "people.new_relationship": PRACTITIONERS,
    "people.end_relationship": PRACTITIONERS,
    "people.review_membership": PRACTITIONERS,
    "people.new_missing_episode": PRACTITIONERS,
    "people.update_missing_episode": PRACTITIONERS,
    "people.move_missing_episode": PRACTITIONERS,
    # Merging a duplicate: practitioners, as the API; the service then asks for lasting access to both records.
    "people.merge": PRACTITIONERS,
    "people.new_place": PRACTITIONERS,
    "people.place": PERSONAL_DATA,
    "people.places": PERSONAL_DATA,
    "people.groups": PERSONAL_DATA,
    "people.edit_place": PRACTITIONERS,
    "people.edit_group": PRACTITIONERS,
    "people.new_group": PRACTITIONERS,
    "people.group": PERSONAL_DATA,
    # Cases: read by whoever the policy lets read the case; only the team (practitioners) adds to it.
    "cases.new": PRACTITIONERS,
    "cases.new_about_place": PRACTITIONERS,
    "cases.new_about_group": PRACTITIONERS,
    "cases.caseload": PERSONAL_DATA,
    "cases.case": PERSONAL_DATA,
    "cases.add_member": PRACTITIONERS,
    "cases.remove_member": PRACTITIONERS,
    "cases.add_entry": PRACTITIONERS,
    "cases.add_action": PRACTITIONERS,
    "cases.complete_action": PRACTITIONERS,
    # Moving an entry to the case it belongs on: practitioners, as the API; the service asks for both teams.
    "cases.move_entry": PRACTITIONERS,
    # Closing, reopening and reassessing: practitioners; the policy then asks for the lead worker or the lead
    # agency's team manager on the team.
    "cases.close": PRACTITIONERS,
    "cases.reopen": PRACTITIONERS,
    "cases.reassess": PRACTITIONERS,
    # Changing the lead worker: team managers only (SPEC 1); the service checks it is their agency's case.
    "cases.reassign_lead": MANAGERS,
    "cases.approve_closure": MANAGERS,
    "cases.return_closure": MANAGERS,
    "cases.withdraw_closure": PRACTITIONERS,
    # Referrals: practitioners send and receive them; the service checks the agency's part in each one.
    "referrals.new": PRACTITIONERS,
    "referrals.received": PRACTITIONERS,
    "referrals.new_about_place": PRACTITIONERS,
    "referrals.new_about_group": PRACTITIONERS,
    "referrals.inbox": PRACTITIONERS,
    "referrals.outbox": PRACTITIONERS,
    "referrals.referral": PRACTITIONERS,
    "referrals.step": PRACTITIONERS,
    # Safeguarding leads see referrals past their decision time across agencies (never the reasons).
    "referrals.escalations": LEADS,
    # Alerts: on the policy's terms, as GET /api/v1/alerts (leads see all).
    "alerts.alerts_page": PERSONAL_DATA,
    # Context maps and their downloads: on the policy's terms (redacted per viewer); cytoscape.js is a public asset.
    "assets.cytoscape": PUBLIC,
    "contexts.person_map": PERSONAL_DATA,
    "contexts.place_map": PERSONAL_DATA,
    "contexts.group_map": PERSONAL_DATA,
    "contexts.export_person_map": PERSONAL_DATA,
    "contexts.export_place_map": PERSONAL_DATA,
    "contexts.export_group_map": PERSONAL_DATA,
    # Work on contexts: practitioners record it; the heat-map is counts only, read like other casework.
    "contexts.new_place_assessment": PRACTITIONERS,
    "contexts.new_group_assessment": PRACTITIONERS,
    "contexts.new_place_meeting": PRACTITIONERS,
    "contexts.new_group_meeting": PRACTITIONERS,
    "contexts.new_person_meeting": PRACTITIONERS,
    "contexts.weighting": PRACTITIONERS,
    "contexts.new_safety_rating": PRACTITIONERS,
    "contexts.heat_map": PERSONAL_DATA,
    "contexts.shared_contexts": PERSONAL_DATA,
    "contexts.exposures": PERSONAL_DATA,
    "people.memberships_to_review": PRACTITIONERS,
    "contexts.connections": PERSONAL_DATA,
    "contexts.analysis": PERSONAL_DATA,
    # The audit workspace: safeguarding leads only.
    "audit_pages.overview": LEADS,
    "audit_pages.person_access": LEADS,
    "audit_pages.user_activity": LEADS,
    "audit_pages.refused": LEADS,
    "audit_pages.break_glass": LEADS,
    "audit_pages.review": LEADS,
    "audit_pages.flagged": LEADS,
    "audit_pages.review_flagged": LEADS,
    "audit_pages.monitoring": LEADS,
    "audit_pages.export": LEADS,
    "audit_pages.checkpoint": LEADS,
    "audit_pages.kept_checkpoint": LEADS,
    # Partnership report and subject access: safeguarding leads only.
    "reports.partnership": LEADS,
    "reports.partnership_csv": LEADS,
    "reports.subject_access_start": LEADS,
    "reports.subject_access_reauthenticate": LEADS,
    "reports.subject_access_bundle": LEADS,
    # Chronology exports: whoever may read the case (the policy decides per case and per entry).
    "cases.chronology_csv": PERSONAL_DATA,
    "cases.chronology_print": PERSONAL_DATA,
}
