"""FHIR R4 resources of a diary (plain dicts, as export.py streams them into a Bundle).

- a Patient: the display name only;
- an Observation per headache: its 0-10 intensity coded with LOINC 72514-3, the rest of what the
  patient said as components named in text;
- an Observation per soreness score (0-10, soreness after treatment): no standard code fits, so
  its code is text only;
- an Observation of a day's note and triggers, in text;
- a MedicationStatement per intake: the medicine by name, with its WHO ATC code where the
  catalogue (vocabulary.MEDICATION_CATALOGUE) names a single substance or a combination the ATC
  index lists (ATC_CODES below); text only otherwise;
- a Procedure per treatment session: techniques and muscles in text.

Codes only where their source can be named: LOINC (loinc.org) and the WHO ATC/DDD index
(www.whocc.no/atc_ddd_index). Everything else is text. Ids are stable (uuid5 of the patient
and the item), so two exports of an unchanged diary name the same resources.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import vocabulary as vocab

LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
# WHO ATC codes of the catalogue's medicines (WHO Collaborating Centre, ATC/DDD Index): single
# substances, and the combinations the index names as such. Left out, and so sent as text only:
# codeine alone (its ATC code is the cough medicine's), the caffeine combinations, Migraleve.
ATC_CODES = {
    "Paracetamol 500 mg": ("N02BE01", "paracetamol"),
    "Ibuprofen 200 mg": ("M01AE01", "ibuprofen"),
    "Ibuprofen 400 mg": ("M01AE01", "ibuprofen"),
    "Aspirin 300 mg": ("N02BA01", "acetylsalicylic acid"),
    "Naproxen 250 mg": ("M01AE02", "naproxen"),
    "Diclofenac 50 mg": ("M01AB05", "diclofenac"),
    "Sumatriptan 50 mg": ("N02CC01", "sumatriptan"),
    "Sumatriptan 100 mg": ("N02CC01", "sumatriptan"),
    "Rizatriptan 10 mg": ("N02CC04", "rizatriptan"),
    "Zolmitriptan 2.5 mg": ("N02CC03", "zolmitriptan"),
    "Naratriptan 2.5 mg": ("N02CC02", "naratriptan"),
    "Almotriptan 12.5 mg": ("N02CC05", "almotriptan"),
    "Eletriptan 40 mg": ("N02CC06", "eletriptan"),
    "Frovatriptan 2.5 mg": ("N02CC07", "frovatriptan"),
    "Ergotamine 1 mg": ("N02CA02", "ergotamine"),
    "Dihydrocodeine 30 mg": ("N02AA08", "dihydrocodeine"),
    "Tramadol 50 mg": ("N02AX02", "tramadol"),
    "Co-codamol 8/500": ("N02AJ06", "codeine and paracetamol"),
    "Co-codamol 30/500": ("N02AJ06", "codeine and paracetamol"),
    "Co-dydramol 10/500": ("N02AJ01", "dihydrocodeine and paracetamol"),
    "Rimegepant 75 mg (Vydura)": ("N02CD06", "rimegepant"),
    "Metoclopramide 10 mg (anti-sickness)": ("A03FA01", "metoclopramide"),
    "Prochlorperazine 5 mg (anti-sickness)": ("N05AB04", "prochlorperazine"),
}
_ATC_BY_NAME = {name.casefold(): code for name, code in ATC_CODES.items()}


def resource_id(patient_id: uuid.UUID, *parts: object) -> str:
    """A stable id for one resource of the patient's bundle."""
    return str(uuid.uuid5(patient_id, "/".join(str(p) for p in parts)))


def entry(resource: dict[str, Any]) -> dict[str, Any]:
    """A Bundle entry holding `resource`, named by its id."""
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def patient_resource(patient_id: uuid.UUID, display_name: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": str(patient_id), "name": [{"text": display_name}]}


def _subject(patient_id: uuid.UUID) -> dict[str, str]:
    return {"reference": f"urn:uuid:{patient_id}"}


def _when(day: str, clock: str | None, zone: ZoneInfo) -> str:
    """A day, or a day and time in the patient's zone with its offset (a FHIR dateTime)."""
    if not clock:
        return day
    instant = datetime.combine(date.fromisoformat(day), datetime.strptime(clock, "%H:%M").time(), zone)
    return instant.isoformat(timespec="seconds")


def _text_component(label: str, **value: Any) -> dict[str, Any]:
    return {"code": {"text": label}, **value}


def _words(words: list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(word, word) for word in words)


def _observation(patient_id: uuid.UUID, code: dict, when: str, *id_parts: object, **value: Any) -> dict:
    """An Observation the patient reported (category survey), with its value fields."""
    return {
        "resourceType": "Observation",
        "id": resource_id(patient_id, *id_parts),
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": _subject(patient_id),
        "effectiveDateTime": when,
        **value,
    }


def headache_observation(
    patient_id: uuid.UUID, day: dict, number: int, headache: dict, zone: ZoneInfo
) -> dict:
    """One headache: its intensity (LOINC 72514-3) and what else was said about it."""
    components = [_text_component("Headache type", valueString=vocab.HEADACHE_TYPES[headache["type"]])]
    if headache["duration_minutes"] is not None:
        components.append(
            _text_component(
                "Duration",
                valueQuantity={
                    "value": headache["duration_minutes"],
                    "unit": "min",
                    "system": UCUM,
                    "code": "min",
                },
            )
        )
    if headache["side"]:
        components.append(_text_component("Side of the head", valueString=vocab.SIDES[headache["side"]]))
    if headache["locations"]:
        components.append(
            _text_component("Where it hurt", valueString=_words(headache["locations"], vocab.LOCATIONS))
        )
    if headache["symptoms"]:
        components.append(
            _text_component("Symptoms", valueString=_words(headache["symptoms"], vocab.SYMPTOMS))
        )
    if headache["neck_provoked"] is not None:
        components.append(
            _text_component("Brought on by neck movement or posture", valueBoolean=headache["neck_provoked"])
        )
    return _observation(
        patient_id,
        {"coding": [PAIN_SEVERITY], "text": "Headache intensity (0-10)"},
        _when(day["date"], headache["start"], zone),
        "headache",
        day["date"],
        number,
        valueInteger=headache["intensity"],
        component=components,
    )


def soreness_observation(patient_id: uuid.UUID, day: dict) -> dict:
    """The day's soreness after treatment, 0 to 10 (text only: no standard code fits)."""
    code = {"text": "Soreness after treatment (0-10), reported by the patient"}
    return _observation(patient_id, code, day["date"], "soreness", day["date"], valueInteger=day["soreness"])


def medication_statement(patient_id: uuid.UUID, day: dict, number: int, intake: dict, zone: ZoneInfo) -> dict:
    """One medication taken: the medicine (with its ATC code where known), the doses, the relief."""
    medicine: dict[str, Any] = {"text": intake["name"]}
    if (known := _ATC_BY_NAME.get(intake["name"].casefold())) is not None:
        medicine["coding"] = [{"system": ATC, "code": known[0], "display": known[1]}]
    statement = {
        "resourceType": "MedicationStatement",
        "id": resource_id(patient_id, "medication", day["date"], number),
        "status": "completed",
        "category": {"text": vocab.DRUG_CLASS_NAMES[intake["drug_class"]]},
        "medicationCodeableConcept": medicine,
        "subject": _subject(patient_id),
        "effectiveDateTime": _when(day["date"], intake["time"], zone),
        "dosage": [{"text": f"{intake['doses']} dose{'s' if intake['doses'] != 1 else ''}"}],
    }
    if intake["relief"]:
        statement["note"] = [{"text": f"Relief: {vocab.RELIEF[intake['relief']]}"}]
    return statement


def day_note(patient_id: uuid.UUID, day: dict) -> dict:
    """What the patient wrote about the day, and the triggers they noted (text only)."""
    parts = [f"Possible triggers: {', '.join(day['triggers'])}."] if day["triggers"] else []
    parts += [day["notes"]] if day["notes"] else []
    code = {"text": "Headache diary note, written by the patient"}
    return _observation(patient_id, code, day["date"], "note", day["date"], valueString=" ".join(parts))


def day_resources(patient_id: uuid.UUID, day: dict, zone: ZoneInfo) -> list[dict]:
    """The resources of one day (as DaySchema dumps it)."""
    resources = [
        headache_observation(patient_id, day, number, headache, zone)
        for number, headache in enumerate(day["headaches"], start=1)
    ]
    if day["soreness"] is not None:
        resources.append(soreness_observation(patient_id, day))
    if day["notes"] or day["triggers"]:
        resources.append(day_note(patient_id, day))
    resources += [
        medication_statement(patient_id, day, number, intake, zone)
        for number, intake in enumerate(day["medications"], start=1)
    ]
    return resources


def session_procedure(patient_id: uuid.UUID, session: dict) -> dict:
    """One treatment session (as SessionSchema dumps it)."""
    techniques = _words(session["techniques"], vocab.TECHNIQUES)
    procedure: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": resource_id(patient_id, "session", session["id"]),
        "status": "completed",
        "code": {"text": f"Treatment session: {techniques}"},
        "subject": _subject(patient_id),
        "performedDateTime": session["date"],
    }
    if session["muscles"]:
        procedure["bodySite"] = [
            {"text": f"{vocab.muscle_label(m)} ({vocab.MUSCLE_SIDES.get(m.get('side'), m.get('side'))})"}
            for m in session["muscles"]
        ]
    if session["therapist"]:
        procedure["performer"] = [{"actor": {"display": session["therapist"]["display_name"]}}]
    if session["notes"]:
        procedure["note"] = [{"text": session["notes"]}]
    return procedure
