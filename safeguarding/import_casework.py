"""The import's casework sections: cases with their teams, chronology entries, missing episodes and referrals with
the history the old system dated (SPEC section 10)."""

from collections import defaultdict

from sqlalchemy import select

from models.base import new_id
from models.case import Case, CaseMember, ChronologyEntry
from models.referral import STATE_STEP, Referral, ReferralTransition
from models.safeguarding_events import MissingEpisode
from safeguarding.import_referrals import imported_status, imported_times, kept_progress
from safeguarding.import_rows import Plan, chunks, updated_ids
from safeguarding.validation import start_of_day


class CaseworkSections:
    """Section writers of ImportWriter, built on its look-ups (id_of, kind_of, _owner_key_ids, _stored, _load_keys,
    _seal), its statements (_apply, _insert) and what it holds (session, users, key_ids, case_subjects)."""

    def _write_cases(self, plan: Plan) -> None:
        subjects = defaultdict(set)
        for item, _, is_new in plan:
            if is_new:
                subjects[self.kind_of(item["subject"])].add(self.id_of(item["subject"]))
        owners = {}
        for kind, ids in subjects.items():
            owners |= self._owner_key_ids(kind, ids)
        stored_ids = updated_ids(plan)
        stored = self._stored(Case, stored_ids, Case.data_key_id, Case.lead_worker_id)
        members = defaultdict(set)
        for batch in chunks(stored_ids):
            for case_id, user_id in self.session.execute(
                select(CaseMember.case_id, CaseMember.user_id).where(CaseMember.case_id.in_(batch))
            ):
                members[case_id].add(user_id)
        new_members = []

        def build(item, record_id, is_new):
            subject_type, subject_id = self.kind_of(item["subject"]), self.id_of(item["subject"])
            team = [self.users[name] for name in item["members"]]
            key_id, lead = (owners[subject_id], None) if is_new else stored[record_id]
            self.key_ids[record_id] = key_id
            self.case_subjects[record_id] = subject_id if subject_type == "person" else None
            added_at = start_of_day(item["opened_on"])
            for user_id in dict.fromkeys(team):
                if user_id not in members[record_id]:
                    members[record_id].add(user_id)
                    new_members.append({"id": new_id(), "case_id": record_id, "user_id": user_id, "added_at": added_at})
            row = {
                "subject_person_id": subject_id if subject_type == "person" else None,
                "subject_place_id": subject_id if subject_type == "place" else None,
                "subject_group_id": subject_id if subject_type == "group" else None,
                "lead_agency_id": self.id_of(item["agency"]),
                "opened_on": item["opened_on"],
                "closed_on": item["closed_on"],
                "concerns": list(item["concerns"]),
                "risk_level": item["risk_level"],
                "status": "closed" if item["closed_on"] else "open",
                "closed_reason": None,  # the import has no reason; one from the app was for another closing
                "lead_worker_id": lead or (team[0] if team else None),
            }
            return {"id": record_id, "data_key_id": key_id, **row} if is_new else row

        self._apply(Case, plan, build, "cases")
        self._insert(CaseMember, new_members)

    def _write_chronology(self, plan: Plan) -> None:
        cases = {self.id_of(item["case"]) for item, _, _ in plan}
        unknown = [case_id for case_id in cases if case_id not in self.case_subjects]
        for case_id, (key_id, subject) in self._stored(Case, unknown, Case.data_key_id, Case.subject_person_id).items():
            self.key_ids[case_id], self.case_subjects[case_id] = key_id, subject
        stored = self._stored(ChronologyEntry, updated_ids(plan), ChronologyEntry.data_key_id)
        self._load_keys([self.key_ids[case_id] for case_id in cases] + [key_id for (key_id,) in stored.values()])

        def build(item, record_id, is_new):
            case_id = self.id_of(item["case"])
            key_id = stored[record_id][0] if record_id in stored else self.key_ids[case_id]
            row = {
                "person_id": self.case_subjects[case_id],
                "agency_id": self.id_of(item["agency"]),
                "occurred_on": item["occurred_on"],
                "category": item["category"],
                "sensitivity": item["sensitivity"],
                "summary": self._seal(ChronologyEntry, "summary", item["summary"], record_id, key_id),
            }
            return {"id": record_id, "case_id": case_id, "data_key_id": key_id, **row} if is_new else row

        self._apply(ChronologyEntry, plan, build)

    def _write_missing_episodes(self, plan: Plan) -> None:
        def build(item, record_id, is_new):
            row = {
                "reporting_agency_id": self.id_of(item["agency"]),
                "found_at_place_id": self.id_of(item["found_at"]),
                "reported_at": item["reported_at"],
                "returned_at": item["returned_at"],
                "return_interview_offered_at": item["return_interview_offered_at"],
            }
            return {"id": record_id, "person_id": self.id_of(item["person"]), **row} if is_new else row

        self._apply(MissingEpisode, plan, build, "missing_episodes")

    def _write_referrals(self, plan: Plan) -> None:
        # A referral is sealed under its subject's key: a person's, or a place's or group's (SPEC 3, "or a context").
        about = {record_id: item["person"] or item["subject"] for item, record_id, is_new in plan if is_new}
        by_kind, owners = defaultdict(set), {}
        for ref in about.values():
            by_kind[self.kind_of(ref)].add(self.id_of(ref))
        for kind, ids in by_kind.items():
            owners |= self._owner_key_ids(kind, ids)
        stored = self._stored(Referral, updated_ids(plan), Referral.data_key_id, Referral.status)
        self._load_keys(list(owners.values()) + [key_id for key_id, _ in stored.values()])
        transitions = []

        def build(item, record_id, is_new):
            subject_id = self.id_of(about[record_id]) if is_new else None
            key_id = owners[subject_id] if is_new else stored[record_id][0]
            row = {
                "from_agency_id": self.id_of(item["from_agency"]),
                "to_agency_id": self.id_of(item["to_agency"]),
                "urgency": item["urgency"],
                "reason": self._seal(Referral, "reason", item["reason"], record_id, key_id),
                "sent_at": item["sent_at"],
            }
            status, times = imported_status(item), imported_times(item)
            progress = {
                "acknowledged_at": times["acknowledged_at"],
                "decided_at": times["decided_at"],
                "decline_reason": self._seal(Referral, "decline_reason", item["decline_reason"], record_id, key_id),
                "status": status,
            }
            if is_new:
                transitions.extend(self._transitions(record_id, key_id, item))
                kind = self.kind_of(about[record_id])
                subject = {f"{name}_id": subject_id if name == kind else None for name in ("person", "place", "group")}
                return {"id": record_id, **subject, "data_key_id": key_id, **row, **progress}
            before = stored[record_id][1]
            if STATE_STEP[status] > STATE_STEP[before]:  # the steps it had keep their times; the new ones are added
                steps = self._transitions(record_id, key_id, item)
                transitions.extend(t for t in steps if STATE_STEP[t["to_status"]] > STATE_STEP[before])
            # A referral only moves forward: one moved on here since (or otherwise decided) keeps its own progress.
            kept = kept_progress(before, status)
            return row | {name: value for name, value in progress.items() if name not in kept}

        self._apply(Referral, plan, build)
        self._insert(ReferralTransition, transitions)

    def _transitions(self, referral_id: str, key_id: str, item: dict) -> list[dict]:
        """The referral's history as the old system dated it: sent, acknowledged, decided."""
        acknowledged = "acknowledged" if item["acknowledged_at"] else "submitted"
        steps = [
            (None, "submitted", item["sent_at"]),
            ("submitted", "acknowledged", item["acknowledged_at"]),
            (acknowledged, item["outcome"], item["decided_at"]),
        ]
        rows = [
            {"id": new_id(), "referral_id": referral_id, "at": at, "from_status": source, "to_status": target}
            | {"actor_id": None, "data_key_id": key_id}
            for source, target, at in steps
            if target and at
        ]
        for row in rows:
            row["note"] = self._seal(ReferralTransition, "note", "Imported", row["id"], key_id)
        return rows
