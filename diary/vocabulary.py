"""The words the diary understands: API values with the plain labels patients see."""

from typing import NamedTuple

from .clinical import overuse
from .clinical.overuse import CLASS_DAY_LIMITS, MULTIPLE_CLASSES_ACUTE_DAYS

HEADACHE_TYPES = {
    "tension": "Tension-type",
    "migraine": "Migraine",
    "cluster": "Cluster",
    "sinus": "Sinus",
    "other": "Other",
    "unsure": "Not sure",
}
SIDES = {"left": "Left", "right": "Right", "both": "Both sides"}
LOCATIONS = {
    "forehead": "Forehead",
    "temples": "Temples",
    "behind_eyes": "Behind the eyes",
    "top_of_head": "Top of head",
    "back_of_head": "Back of head",
    "neck": "Neck",
    "shoulders": "Shoulders",
    "jaw": "Jaw",
    "face": "Face",
}
SYMPTOMS = {
    "nausea": "Nausea",
    "vomiting": "Vomiting",
    "light_sensitivity": "Light hurts",
    "sound_sensitivity": "Noise hurts",
    "aura": "Aura",
    "neck_stiffness": "Stiff neck",
    "sudden": "Came on suddenly, worst within a minute",
}
# Each drug class of the rules (clinical.ALL_CLASSES, in order) has three labels and no other:
# DRUG_CLASSES for the patient's form, DRUG_CLASS_PLAIN_NAMES for the patient's charts, and
# DRUG_CLASS_NAMES for the therapist's figures, charts and summaries (docs/words.md).
DRUG_CLASSES = {
    "non_opioid_analgesic": "Simple painkiller (paracetamol, ibuprofen, aspirin, naproxen...)",
    "triptan": "Triptan",
    "ergot": "Ergotamine",
    "opioid": "Opioid (codeine, tramadol...)",
    "combination_analgesic": "Combination painkiller (co-codamol, with caffeine...)",
    "other_acute": "Other migraine medicine (rimegepant, lasmiditan...)",
    "other": "Other (preventive, anti-sickness...)",
}
DRUG_CLASS_NAMES = {
    "non_opioid_analgesic": "Non-opioid painkillers",
    "triptan": "Triptans",
    "ergot": "Ergots",
    "opioid": "Opioids",
    "combination_analgesic": "Combination painkillers",
    "other_acute": "Other migraine medicines",
    "other": "Other medicines",
}
DRUG_CLASS_PLAIN_NAMES = {
    "non_opioid_analgesic": "Simple painkillers",
    "triptan": "Triptans",
    "ergot": "Ergotamine",
    "opioid": "Opioids",
    "combination_analgesic": "Mixed painkillers (co-codamol...)",
    "other_acute": "Other migraine medicines",
    "other": "Other medicines",
}
# Why a period is overuse (ICHD-3 8.2), in words built from the limits of the rules.
OVERUSE_REASONS = {
    **{
        drug_class: f"{DRUG_CLASS_NAMES[drug_class].lower()} on {limit} or more days"
        for drug_class, limit in CLASS_DAY_LIMITS.items()
    },
    "multiple_classes": f"several acute classes together on {MULTIPLE_CLASSES_ACUTE_DAYS} or more days",
}
RELIEF = {"none": "No relief", "partial": "Some relief", "pain_free": "Pain gone"}
COMMON_TRIGGERS = (
    "stress",
    "poor_sleep",
    "screen_time",
    "posture",
    "missed_meal",
    "dehydration",
    "alcohol",
    "caffeine",
    "period",
    "weather",
    "exercise",
    "bright_light",
)

# Common UK acute headache medications and their class (docs/clinical-rules.md section 3).
MEDICATION_CATALOGUE = (
    ("Paracetamol 500 mg", "non_opioid_analgesic"),
    ("Ibuprofen 200 mg", "non_opioid_analgesic"),
    ("Ibuprofen 400 mg", "non_opioid_analgesic"),
    ("Aspirin 300 mg", "non_opioid_analgesic"),
    ("Naproxen 250 mg", "non_opioid_analgesic"),
    ("Diclofenac 50 mg", "non_opioid_analgesic"),
    ("Sumatriptan 50 mg", "triptan"),
    ("Sumatriptan 100 mg", "triptan"),
    ("Rizatriptan 10 mg", "triptan"),
    ("Zolmitriptan 2.5 mg", "triptan"),
    ("Naratriptan 2.5 mg", "triptan"),
    ("Almotriptan 12.5 mg", "triptan"),
    ("Eletriptan 40 mg", "triptan"),
    ("Frovatriptan 2.5 mg", "triptan"),
    ("Ergotamine 1 mg", "ergot"),
    ("Codeine 30 mg", "opioid"),
    ("Dihydrocodeine 30 mg", "opioid"),
    ("Tramadol 50 mg", "opioid"),
    ("Co-codamol 8/500", "combination_analgesic"),
    ("Co-codamol 30/500", "combination_analgesic"),
    ("Co-dydramol 10/500", "combination_analgesic"),
    ("Paracetamol and caffeine (Panadol Extra)", "combination_analgesic"),
    ("Aspirin, paracetamol and caffeine (Anadin Extra)", "combination_analgesic"),
    ("Migraleve (paracetamol, codeine, buclizine)", "combination_analgesic"),
    ("Rimegepant 75 mg (Vydura)", "other_acute"),
    ("Metoclopramide 10 mg (anti-sickness)", "other"),
    ("Prochlorperazine 5 mg (anti-sickness)", "other"),
)

# Treatment sessions (docs/clinical-rules.md section 6).
TECHNIQUES = {
    "dry_needling": "Dry needling",
    "soft_tissue_work": "Soft-tissue work",
    "mobilisation": "Mobilisation",
    "exercise_prescription": "Exercise prescription",
    "education": "Education",
    "other": "Other",
}
MUSCLES = {
    "upper_trapezius": "Upper trapezius",
    "suboccipitals": "Suboccipitals",
    "sternocleidomastoid": "Sternocleidomastoid",
    "levator_scapulae": "Levator scapulae",
    "temporalis": "Temporalis",
    "masseter": "Masseter",
    "splenius_capitis": "Splenius capitis",
    "other": "Other",
}
MUSCLE_SIDES = {"left": "Left", "right": "Right", "both": "Both"}
OTHER_MUSCLE = "other"  # a muscle not in MUSCLES: the therapist writes its name
MUSCLE_NAME_MAX = 60


def muscle_label(item: dict) -> str:
    """A treated muscle's name as pages show it: the vocabulary's, or an other muscle's own."""
    if item.get("muscle") == OTHER_MUSCLE and item.get("name"):
        return item["name"]
    return MUSCLES.get(item.get("muscle", ""), item.get("muscle", ""))


class Badge(NamedTuple):
    words: str
    tone: str  # ok, warn or alert: the badge's colour (static/css)


# The therapist's badge for each medication-overuse status (clinical/overuse.py).
OVERUSE_BADGES = {
    overuse.STATUS_NONE: Badge("No overuse", "ok"),
    overuse.STATUS_APPROACHING: Badge("Approaching the limit", "warn"),
    overuse.STATUS_OVERUSE: Badge("Overuse", "alert"),
    overuse.STATUS_ICHD3_PATTERN: Badge("Overuse, 3 months (ICHD-3)", "alert"),
    overuse.STATUS_NOT_ENOUGH_DIARY: Badge("Not enough diary to tell", "warn"),
}
