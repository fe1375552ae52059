"""Configuration: found nearest-first, read into typed models, every problem reported at once.

``config.toml`` (``default_config.toml`` in the package) holds every default; a user's file is laid
over it (tables key by key; ``[[team]]``, ``[keymap]`` and ``[actions.abbreviations]`` replace the
defaults whole) and validated by the pydantic models below. Their errors are told in the catalogue's
words: the key, what was found and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from . import keymap as keymap_ids
from .i18n import t

APP_NAME = "less-tui"
LANGUAGES = ("sv", "en")
THEMES = ("dark", "light", "high-contrast")
INDICATOR_KEYS = ("one_doctor", "full_time", "coordinator_contact", "rehab_plan")


class ConfigError(Exception):
    """Raised with every problem found in a config file."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))

    def __str__(self) -> str:
        return "\n".join(f"{self.path}: {p}" for p in self.problems)


def default_text() -> str:
    return resources.files("less_tui").joinpath("default_config.toml").read_text(encoding="utf-8")


def defaults() -> dict[str, Any]:
    """The packaged defaults as a plain dict (what ``less-tui init`` writes)."""
    data = tomllib.loads(default_text())
    data.setdefault("keymap", {})
    return data


def user_config_dir() -> Path:
    import typer

    return Path(typer.get_app_dir(APP_NAME))


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def find_config(explicit: str | os.PathLike | None = None) -> Path | None:
    """--config, $LESS_TUI_CONFIG, ./config.toml, then the user config dir."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("LESS_TUI_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / "config.toml"
    if local.is_file():
        return local
    user = user_config_dir() / "config.toml"
    if user.is_file():
        return user
    return None


# ------------------------------------------------------------------ value checks
# Each raises a custom error whose type names the catalogue message (``cfg.<type>``) and whose
# context fills it; the key's name is added when the error is told (``_problem``).

def _one_of(choices: tuple[str, ...]):
    def check(v: str) -> str:
        if v not in choices:
            raise PydanticCustomError("one_of", "not one of the choices",
                                      {"choices": ", ".join(choices), "value": repr(v)})
        return v
    return AfterValidator(check)


def _between(low: int, high: int):
    def check(v: int) -> int:
        if not low <= v <= high:
            raise PydanticCustomError("between", "out of range", {"low": low, "high": high, "value": v})
        return v
    return AfterValidator(check)


def _at_least(low: int):
    def check(v):
        if v < low:
            raise PydanticCustomError("at_least", "too small", {"low": low, "value": v})
        return v
    return AfterValidator(check)


def _share(v: float) -> float:
    if not 0.0 <= v <= 1.0:
        raise PydanticCustomError("share", "not a share", {"value": v})
    return v


def _not_empty(v: str) -> str:
    if not v.strip():
        raise PydanticCustomError("not_empty", "empty", {})
    return v


def _name(v: str) -> str:
    if not v.strip():
        raise PydanticCustomError("not_empty", "empty", {})
    return v.strip()


def _abbreviations(v: dict[str, str]) -> dict[str, str]:
    if not all(k.strip() and x.strip() for k, x in v.items()):
        raise PydanticCustomError("not_empty", "empty", {})
    return v


# ------------------------------------------------------------------ the models

class Section(BaseModel):
    """A table of config.toml: its keys typed exactly (no conversions), unknown keys refused."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Clinic(Section):
    name: str
    unit: Annotated[str, AfterValidator(_not_empty)]


class TeamMember(Section):
    name: Annotated[str, AfterValidator(_name)]
    role: str = ""
    attendee: bool = True


class Actions(Section):
    catalogue: list[str]
    abbreviations: Annotated[dict[str, str], AfterValidator(_abbreviations)]


class Meeting(Section):
    length_minutes: Annotated[int, _at_least(1)]
    cadence_months: Annotated[int, _at_least(1)]


class Episodes(Section):
    max_gap_days: Annotated[int, _between(0, 90)]


Weight = Annotated[float, _at_least(0)]  # (a negative weight would rank a case lower for a reason to discuss it)


class QueueWeights(Section):
    several_doctors: Weight
    three_plus_doctors: Weight
    long: Weight
    full_time: Weight
    no_coordinator: Weight
    no_rehab_plan: Weight
    checkpoint: Weight

    def of(self, reason: str) -> float:
        """The weight of a queue reason (0 for a reason without one, such as a follow-up)."""
        return float(getattr(self, reason)) if reason in type(self).model_fields else 0.0


class QueueSettings(Section):
    max_cases: Annotated[int, _at_least(0)]  # (0: every case)
    min_days: Annotated[int, _at_least(0)]
    full_time_days: Annotated[int, _at_least(0)]
    contact_after_days: Annotated[int, _at_least(0)]
    plan_after_days: Annotated[int, _at_least(0)]
    checkpoint_window_days: Annotated[int, _at_least(0)]
    weights: QueueWeights


Share = Annotated[float, AfterValidator(_share)]


class Targets(Section):
    one_doctor: Share
    full_time: Share
    coordinator_contact: Share
    rehab_plan: Share


class Indicators(Section):
    diagnosis_chapters: list[str]
    targets: Targets


class ImportSettings(Section):
    max_unpacked_mb: Annotated[int, _at_least(1)]
    max_rows: Annotated[int, _at_least(1)]
    max_columns: Annotated[int, _at_least(1)]
    lock_wait_seconds: Annotated[int, _at_least(0)]


class Privacy(Section):
    mask_on_screen: bool


class Database(Section):
    url: str
    group: str


class Export(Section):
    folder: str


class UI(Section):
    theme: Annotated[str, _one_of(THEMES)]
    projector: bool


MEASURE_KEYS = ("key", "name", "kind", "target", "direction")


def _measure_key(v: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", v):
        raise PydanticCustomError("measure_key", "bad key", {})
    return v


def _measure_name(v: str) -> str:
    import re

    if not re.match(r"(Antal|Andel)\s+\S", v.strip()):
        raise PydanticCustomError("measure_name", "bad name", {})
    return v.strip()


class Measure(Section):
    """One of the team's own measures (``[[less.measures]]``), counted by hand at each meeting."""

    key: Annotated[str, AfterValidator(_measure_key)]
    name: Annotated[str, AfterValidator(_measure_name)]
    kind: Annotated[str, _one_of(("count", "share"))] = "count"
    target: float
    direction: Annotated[str, _one_of(("higher", "lower"))] = "higher"

    @model_validator(mode="after")
    def _target_fits(self) -> "Measure":
        if self.target < 0 or (self.kind == "share" and self.target > 1):
            raise PydanticCustomError("measure_target", "bad target", {})
        return self


class Less(Section):
    """The LESS work around the meeting: listed patients, comparison shares, supervision, own measures."""

    listed_patients: Annotated[int, _at_least(0)]
    region_sick_share: Annotated[float, AfterValidator(_share)]
    country_sick_share: Annotated[float, AfterValidator(_share)]
    supervision_weeks: Annotated[int, _between(1, 104)]
    measures: list[Measure] = []

    @model_validator(mode="after")
    def _keys_differ(self) -> "Less":
        seen: set[str] = set()
        for i, m in enumerate(self.measures, 1):
            if m.key in seen:
                raise PydanticCustomError("measure_duplicate", "duplicate key", {"i": i, "value": repr(m.key)})
            seen.add(m.key)
        return self


class Config(Section):
    """Every setting, typed: ``cfg.meeting.cadence_months``, ``cfg.queue.weights.long``, …"""

    language: Annotated[str, _one_of(LANGUAGES)]
    clinic: Clinic
    team: list[TeamMember]
    actions: Actions
    meeting: Meeting
    episodes: Episodes
    queue: QueueSettings
    indicators: Indicators
    import_: ImportSettings = Field(alias="import")
    privacy: Privacy
    database: Database
    export: Export
    ui: UI
    less: Less
    keymap: dict[str, str]

    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The file the settings were read from (None: the defaults)."""
        return self._path

    # shortcuts for what many places read
    @property
    def clinic_name(self) -> str:
        return self.clinic.name

    @property
    def unit(self) -> str:
        return self.clinic.unit

    @property
    def max_gap_days(self) -> int:
        return self.episodes.max_gap_days

    @property
    def chapters(self) -> list[str]:
        return self.indicators.diagnosis_chapters

    @property
    def targets(self) -> dict[str, float]:
        """The indicators' targets by indicator key."""
        return self.indicators.targets.model_dump()

    @property
    def import_limits(self):
        from .core.importer import Limits

        imp = self.import_
        return Limits(max_unpacked_mb=imp.max_unpacked_mb, max_rows=imp.max_rows, max_columns=imp.max_columns)

    @property
    def catalogue(self) -> list[str]:
        return self.actions.catalogue

    @property
    def abbreviations(self) -> dict[str, str]:
        return self.actions.abbreviations

    @property
    def measures(self) -> list[Measure]:
        """The team's own measures (``[[less.measures]]``)."""
        return self.less.measures

    def role_of(self, name: str) -> str:
        for m in self.team:
            if m.name == name:
                return m.role
        return ""


# ------------------------------------------------------------------ reading and telling problems

# tables a user's file replaces whole instead of key by key
_REPLACED = {("team",), ("keymap",), ("actions", "abbreviations")}

_TYPE_MESSAGES = {bool: "cfg.not_bool", int: "cfg.not_int", float: "cfg.not_number", str: "cfg.not_text"}


def _merge(default: Any, raw: Any, path: tuple[str, ...] = ()) -> Any:
    """``raw`` laid over ``default``: tables key by key (unknown keys kept, for the models to refuse)."""
    if path in _REPLACED or not isinstance(default, dict) or not isinstance(raw, dict):
        return raw
    out = dict(default)
    for k, v in raw.items():
        out[k] = _merge(default[k], v, path + (k,)) if k in default else v
    return out


def _at(data: Any, path: list[str]) -> Any:
    for p in path:
        data = data[p]
    return data


def _fields(cls: type[BaseModel]) -> dict[str, Any]:
    return {f.alias or n: f for n, f in cls.model_fields.items()}


def _problem(e: dict[str, Any], data: dict[str, Any]) -> str:
    """One pydantic error in the catalogue's words."""
    loc, kind = e["loc"], e["type"]
    if loc and loc[0] == "team":
        if len(loc) == 1:
            return t("cfg.team_list")
        i = int(loc[1]) + 1
        if len(loc) == 2:
            return t("cfg.team_table", i=i)
        if kind == "extra_forbidden":
            return t("cfg.team_unknown", name=loc[2], i=i)
        return t(f"cfg.team_{loc[2]}", i=i)
    if loc and loc[0] == "keymap":
        return t("cfg.keymap")
    if tuple(loc[:2]) == ("less", "measures"):
        return _measure_problem(e, data)
    if tuple(loc[:2]) == ("actions", "abbreviations"):
        return t("cfg.abbreviations", value=repr(_at(data, ["actions", "abbreviations"])))
    # walk the models down to the key the error is about
    cls: type[BaseModel] = Config
    path: list[str] = []
    field = None
    for part in loc:
        fields = _fields(cls)
        if part not in fields:  # an unknown key in the table at ``path``
            return t("cfg.unknown_key", name=".".join(path + [str(part)]), choices=", ".join(sorted(fields)))
        field = fields[part]
        path.append(str(part))
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            cls = ann
            continue
        break
    name = ".".join(path)
    ctx = e.get("ctx") or {}
    if kind in ("one_of", "between", "at_least", "share", "not_empty"):
        return t(f"cfg.{kind}", name=name, **ctx)
    ann = field.annotation if field is not None else None
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return t("cfg.not_table", name=name)
    value = repr(_at(data, path))
    if get_origin(ann) is list:
        return t("cfg.not_text_list", name=name, value=value)
    return t(_TYPE_MESSAGES.get(ann, "cfg.not_text"), name=name, value=value)


def _measure_problem(e: dict[str, Any], data: dict[str, Any]) -> str:
    """A problem of ``[[less.measures]]``, naming the measure by its number."""
    loc, kind = e["loc"], e["type"]
    if kind == "measure_duplicate":
        return t("cfg.measure_key", **(e.get("ctx") or {}))
    if len(loc) == 2:
        return t("cfg.measures_list")
    i = int(loc[2]) + 1
    if len(loc) == 3:
        if kind == "measure_target":
            return t("cfg.measure_target", i=i, value=repr(_at(data, ["less", "measures"])[i - 1].get("target")))
        return t("cfg.measure_table", i=i)
    field = str(loc[3])
    if kind == "extra_forbidden":
        return t("cfg.measure_unknown", i=i, name=field, choices=", ".join(MEASURE_KEYS))
    value = repr(_at(data, ["less", "measures"])[i - 1].get(field))
    if field == "target":
        return t("cfg.measure_target", i=i, value=value)
    return t(f"cfg.measure_{field}", i=i, value=value)


def _keymap_problems(keymap: dict[str, str]) -> list[str]:
    """An id that names no binding, or keys that are no key's name."""
    problems = []
    for binding_id, keys in keymap.items():
        name = f"keymap.{binding_id}"
        if binding_id not in keymap_ids.DEFAULTS:
            close = difflib.get_close_matches(binding_id, list(keymap_ids.DEFAULTS), n=1)
            problems.append(t("cfg.keymap_id", name=name, value=repr(binding_id),
                              hint=t("cfg.did_you_mean", id=close[0]) if close else "",
                              choices=", ".join(sorted(keymap_ids.DEFAULTS))))
            continue
        bad = keymap_ids.bad_key(keys)
        if bad is not None:
            problems.append(t("cfg.keymap_key", name=name, value=repr(keys), bad=repr(bad)))
    return problems


def validate(raw: dict[str, Any], path: str = "config.toml") -> Config:
    data = _merge(defaults(), copy.deepcopy(raw))
    problems: list[str] = []
    cfg = None
    try:
        cfg = Config.model_validate(data)
    except ValidationError as err:
        for e in err.errors():
            p = _problem(e, data)
            if p not in problems:
                problems.append(p)
    if isinstance(data.get("keymap"), dict):
        problems += _keymap_problems({k: v for k, v in data["keymap"].items() if isinstance(v, str)})
    if problems or cfg is None:
        raise ConfigError(path, problems)
    return cfg


# tomllib's messages (Python 3.11–3.13) and the catalogue's words for them; one not listed is shown as it is
_TOML_WORDS = [
    (r"Expected '\]' at the end of a table declaration", "toml.table_end"),
    (r"Expected '\]\]' at the end of an array declaration", "toml.array_table_end"),
    (r"Expected '=' after a key in a key/value pair", "toml.equals"),
    (r"Expected newline or end of document after a statement", "toml.line_end"),
    (r"Expected (?P<x>.+)", "toml.expected"),
    (r"Illegal character '\\n'", "toml.string_line"),
    (r"(?:Found invalid|Illegal) character (?P<x>.+)", "toml.character"),
    (r"Invalid statement", "toml.statement"),
    (r"Invalid value", "toml.value"),
    (r"Invalid initial character for a key part", "toml.key"),
    (r"Unterminated string", "toml.string"),
    (r"Unclosed inline table", "toml.inline_table"),
    (r"Unclosed array", "toml.array"),
    (r"Invalid date or datetime", "toml.date"),
    (r"Cannot declare (?P<x>.+) twice", "toml.twice"),
    (r"Cannot overwrite a value|Cannot redefine namespace|Cannot mutate immutable namespace|"
     r"Duplicate inline table key", "toml.again"),
    (r"Unescaped '\\' in a string|Invalid hex value|Escaped character is not a Unicode scalar value",
     "toml.escape"),
]


def toml_reason(e: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in the catalogue's words, with its line and column: "rad 1, kolumn 8: inte giltig
    TOML: ']' saknas i slutet av tabellrubriken" (tomllib says it in English)."""
    import re

    text = str(e)
    m = re.fullmatch(r"(?s)(?P<what>.*?) \((?:at line (?P<line>\d+), column (?P<col>\d+)|at end of document)\)", text)
    what = m["what"] if m else text
    words = what
    for pattern, key in _TOML_WORDS:
        w = re.fullmatch(pattern, what)
        if w:
            words = t(key, x=w.groupdict().get("x") or "")
            break
    where = (t("cfg.toml_at", line=m["line"], column=m["col"]) if m and m["line"]
             else t("cfg.toml_end") if m else "")
    return t("cfg.bad_toml", error=words, where=where)


def load(explicit: str | os.PathLike | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        cfg = validate({})
        return cfg
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [t("cfg.not_found")]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), [t("cfg.is_folder")]) from None
    except PermissionError:
        raise ConfigError(str(path), [t("cfg.no_access")]) from None
    except OSError as e:  # (another reason the file cannot be read: said, not a crash)
        raise ConfigError(str(path), [e.strerror or type(e).__name__]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), [toml_reason(e)]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [t("cfg.not_utf8")]) from None
    cfg = validate(raw, str(path))
    cfg._path = path
    return cfg


def declared_language(explicit: str | os.PathLike | None = None) -> str | None:
    """The ``language`` the config file asks for, read before the file is validated (its problems are
    then told in that language); None when there is no file, it cannot be read or names no language."""
    path = find_config(explicit)
    try:
        lang = tomllib.loads(path.read_text(encoding="utf-8")).get("language") if path else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return lang if lang in LANGUAGES else None


def starter_config(unit: str | None = None, name: str | None = None) -> dict[str, Any]:
    """The defaults as a plain dict for ``less-tui init`` to write, with the unit and name given."""
    data = defaults()
    if unit:
        data["clinic"]["unit"] = unit
    if name:
        data["clinic"]["name"] = name
    return data
