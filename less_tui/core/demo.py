"""Synthetic, realistic certificate data for demos and benchmarks (no real person)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any, Sequence, TypeVar

from . import pnr as pnrmod
from .importer import Row

# women's first names first, then men's: the personnummer's ninth digit agrees (even: woman, odd: man)
FIRST = ["Anna", "Maria", "Eva", "Karin", "Sara", "Lena", "Emma", "Ida", "Johanna", "Malin", "Elin",
         "Sofia", "Linnea", "Hanna", "Fatima", "Amira", "Lars", "Erik", "Johan", "Anders", "Per", "Mikael",
         "Karl", "Peter", "Jonas", "Fredrik", "Daniel", "Ali", "Mohammed", "Omar", "Nils", "Oskar",
         "Gustav", "Björn", "Åsa", "Ulla", "Birgitta", "Ingrid", "Kerstin", "Leila"]
# 20 and 16 names: the lengths the generator has always drawn from, so a seed gives the same clinic
WOMEN = FIRST[:16] + ["Åsa", "Ulla", "Birgitta", "Ingrid"]
MEN = FIRST[16:32]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg",
        "Lindqvist", "Öberg", "Åkesson", "Hassan", "Ahmed", "Ali", "Mohammadi", "Berg", "Holm", "Lind",
        "Sandberg", "Ström", "Forsberg", "Sjöberg", "Wallin", "Engström", "Danielsson", "Håkansson"]
DOCTORS = [("Jessica Bylund", True), ("Niran El Kouni", True), ("Anna Berg", True), ("Sven Åkerlund", True),
           ("Maja Lind", True), ("Omid Rahimi", True), ("Karin Holm", True), ("Peter Wiik", False),
           ("Hyrläkare Nordin", False), ("Hyrläkare Falk", False), ("ST-läkare Ekman", True),
           ("Hyrläkare Sundqvist", False)]
# (code, text, weight): chapter mix after seed 004 (about two thirds F, M, R)
DIAGNOSES = [
    ("F43.8A", "Utmattningssyndrom", 14), ("F32.1", "Medelsvår depressiv episod", 9),
    ("F41.1", "Generaliserat ångestsyndrom", 6), ("F43.2", "Anpassningsstörning", 7),
    ("F41.9", "Ångestsyndrom, ospecificerat", 3), ("M54.5", "Lumbago", 8),
    ("M75.1", "Rotatorkuffsyndrom", 4), ("M79.7", "Fibromyalgi", 2), ("M17.1", "Primär gonartros", 3),
    ("M51.1", "Diskbråck med radikulopati", 3), ("R53.9", "Sjukdomskänsla och trötthet", 3),
    ("R52.9", "Smärta, ospecificerad", 2), ("S82.2", "Fraktur på skaftet av skenbenet", 6),
    ("C50.9", "Bröstcancer", 4), ("I21.9", "Akut hjärtinfarkt", 3), ("J18.9", "Pneumoni", 5),
    ("S52.5", "Fraktur på nedre delen av strålbenet", 5), ("G35.9", "Multipel skleros", 2),
    ("O26.8", "Graviditetsrelaterat tillstånd", 5), ("K50.9", "Crohns sjukdom", 2),
]


_W = TypeVar("_W", bound=tuple[Any, ...])


def _weighted(rng: random.Random, items: Sequence[_W]) -> _W:
    total = sum(w for *_, w in items)
    x = rng.uniform(0, total)
    for it in items:
        x -= it[-1]
        if x <= 0:
            return it
    return items[-1]


def _length(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.40:
        return rng.randint(7, 30)
    if r < 0.70:
        return rng.randint(31, 90)
    if r < 0.90:
        return rng.randint(91, 365)
    return rng.randint(366, 700)


def _personnummer(birth: dt.date, serial3: int, female: bool, used: set[str]) -> str:
    """A Luhn-valid personnummer not in ``used`` whose ninth digit (the serial's last) says the
    gender: even for a woman, odd for a man (the serial moves up to the next that fits)."""
    n = serial3
    while True:
        if n % 2 == (0 if female else 1):
            pnr = pnrmod.make(birth, n)
            if pnr not in used:
                return pnr
        n = n + 1 if n < 999 else 100


def generate(today: dt.date, seed: int = 1, episodes: int = 1010, unit: str | None = None,
             serial_base: int = 0) -> list[Row]:
    """Certificate rows for about ``episodes`` sick-leave episodes started in the last two years.

    With about 930 episodes the clinic has some 155 ongoing at ``today``, about two thirds
    in chapters F, M and R, around 40 % with more than one doctor and around half full-time.
    """
    rng = random.Random(seed)
    rows: list[Row] = []
    used: set[str] = set()
    serial = serial_base
    line = 1
    span = 760
    for _ in range(episodes):
        # a new patient
        while True:
            birth = dt.date(rng.randint(1960, 2003), rng.randint(1, 12), rng.randint(1, 28))
            serial += 1
            if pnrmod.make(birth, 100 + serial % 880) not in used:
                break
        female = rng.random() < 0.62
        pnr = _personnummer(birth, 100 + serial % 880, female, used)
        used.add(pnr)
        name = f"{rng.choice(WOMEN if female else MEN)} {rng.choice(LAST)}"
        code, text, _ = _weighted(rng, DIAGNOSES)
        length = _length(rng)
        start = today - dt.timedelta(days=rng.randint(0, span))
        # a patient's usual doctor; locums and rotations make changes
        doctors = [d for d in DOCTORS]
        usual = rng.choice(doctors[:7])
        changer = rng.random() < 0.55
        degree = 100 if rng.random() < 0.72 else rng.choice([50, 50, 75, 25])
        occupation = rng.choice(["Nuvarande arbete"] * 6 + ["Arbetssökande", "Studier", "Föräldraledighet"])
        cur = start
        end_all = start + dt.timedelta(days=length - 1)
        doctor = usual
        first = True
        while cur <= end_all and cur <= today:
            piece = min(rng.choice([14, 14, 21, 28, 30, 30, 45, 60]), (end_all - cur).days + 1)
            if not first:
                if changer and rng.random() < 0.6:
                    doctor = rng.choice(doctors)
                if degree == 100 and rng.random() < 0.05:
                    degree = rng.choice([75, 50])
                elif degree < 100 and rng.random() < 0.08:
                    degree = max(25, degree - 25)
            line += 1
            c_end = cur + dt.timedelta(days=piece - 1)
            rows.append(Row(
                line=line, pnr=pnr, name=name, diagnosis_code=code, diagnosis_text=text,
                start=cur, end=c_end, degree=degree, doctor=doctor[0],
                doctor_id=f"SE2321000016-{1000 + DOCTORS.index(doctor):04d}" if doctor[1] else None,
                signed=cur, occupation=occupation if first else None, unit=unit,
            ))
            first = False
            cur = c_end + dt.timedelta(days=1 + (rng.randint(1, 3) if rng.random() < 0.1 else 0))
    rows.sort(key=lambda r: (r.start, r.pnr))
    return rows


def write_csv(rows: list[Row], path: str | Path, delimiter: str = ";", encoding: str = "utf-8") -> None:
    import csv

    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(["Personnummer", "Namn", "Diagnos", "Startdatum", "Slutdatum", "Grad", "Läkare",
                    "Läkare_id", "Signeringsdatum", "Sysselsättning", "Rekostatus", "Rehabplan", "Vårdenhet"])
        for r in rows:
            w.writerow([r.pnr, r.name, f"{r.diagnosis_code} {r.diagnosis_text}".strip(), r.start.isoformat(),
                        r.end.isoformat(), f"{r.degree}%", r.doctor, r.doctor_id or "",
                        r.signed.isoformat() if r.signed else "", r.occupation or "",
                        r.coordinator_status or "", r.rehab_plan or "", r.unit or ""])
