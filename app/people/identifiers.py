"""The reference numbers a person form offers (NHS number, PNC ID, unique pupil number), checked as typed so that
a slip of one digit does not attach a child to someone else's health or police record."""

import re

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import ValidationError

IDENTIFIER_LABELS = {
    "nhs_number": "NHS number",
    "pnc": "Police National Computer (PNC) ID",
    "upn": "Unique pupil number (UPN)",
}
PNC_ID = re.compile(r"\d{2}/\d{1,7}[A-Z]")  # year, serial number, check letter: 12/345678A
UPN = re.compile(r"[A-Z]\d{11}[0-9A-Z]")  # a check letter, then 12 characters (the last a letter when temporary)


def nhs_number(text: str) -> str:
    """An NHS number as GOV.UK and the NHS write it (485 777 3456), once its modulus 11 check digit holds."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("Enter an NHS number of 10 digits, like 485 777 3456")
    check = 11 - sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    if check == 10 or check % 11 != int(digits[9]):
        raise ValidationError("Enter a valid NHS number: check it against the letter or record it came from")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def pnc_id(text: str) -> str:
    value = re.sub(r"\s", "", text).upper()
    if not PNC_ID.fullmatch(value):
        raise ValidationError("Enter a PNC ID as the police write it, like 12/345678A")
    return value


def upn(text: str) -> str:
    value = re.sub(r"\s", "", text).upper()
    if not UPN.fullmatch(value):
        raise ValidationError("Enter a unique pupil number of 13 characters: a letter then 12 digits")
    return value


NORMALISERS = {"nhs_number": nhs_number, "pnc": pnc_id, "upn": upn}


class IdentifierField(StringField):
    """An optional reference number, normalised to how it is written once it is valid."""

    def __init__(self, code: str, **kwargs):
        super().__init__(f"{IDENTIFIER_LABELS[code]} (optional)", widget=GovTextInput(), **kwargs)
        self.code = code

    def pre_validate(self, form):
        if self.data:
            self.data = NORMALISERS[self.code](self.data)
