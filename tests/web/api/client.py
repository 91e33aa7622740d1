"""A small client for /api/v1 calls made as one user."""

from dataclasses import dataclass

from tests.fixtures.ages import child_birth_date


@dataclass
class ApiClient:
    client: object
    headers: dict

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", headers=self.headers, query_string=params)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    def raw(self, method: str, path: str, data: bytes):
        return self.client.open(
            f"/api/v1{path}", method=method, headers=self.headers, data=data, content_type="application/json"
        )


def person_body(**changes) -> dict:
    return {"given_name": "Jayden", "family_name": "Okafor", "date_of_birth": child_birth_date(), **changes}


def case_body(person_id: str, **changes) -> dict:
    return {
        "subject": {"type": "person", "id": person_id},
        "concerns": ["cce"],
        "risk_level": "high",
        "summary": "Seen with older males near the station late at night",
        **changes,
    }
