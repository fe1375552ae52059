"""Configuration: found nearest-first, validated with every problem reported at once."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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


_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}


def _check(prefix: str, value: Any, default: Any, problems: list[str]) -> Any:
    if isinstance(default, dict):
        if not isinstance(value, dict):
            problems.append(t("cfg.not_table", name=prefix))
            return default
        out = copy.deepcopy(default)
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else k
            if k not in default:
                problems.append(t("cfg.unknown_key", name=key, choices=", ".join(sorted(default))))
                continue
            out[k] = _check(key, v, default[k], problems)
        return out
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(t("cfg.not_bool", name=prefix, value=repr(value)))
            return default
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(t("cfg.not_number", name=prefix, value=repr(value)))
            return default
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(t("cfg.not_int", name=prefix, value=repr(value)))
            return default
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            problems.append(t("cfg.not_text", name=prefix, value=repr(value)))
            return default
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            problems.append(t("cfg.not_text_list", name=prefix, value=repr(value)))
            return default
        return value
    return value


@dataclass
class Config:
    data: dict[str, Any]
    path: Path | None = None
    problems: list[str] = field(default_factory=list)

    # convenient accessors
    @property
    def language(self) -> str:
        return self.data["language"]

    @property
    def clinic_name(self) -> str:
        return self.data["clinic"]["name"]

    @property
    def unit(self) -> str:
        return self.data["clinic"]["unit"]

    @property
    def team(self) -> list[dict[str, Any]]:
        return self.data["team"]

    @property
    def max_gap_days(self) -> int:
        return self.data["episodes"]["max_gap_days"]

    @property
    def chapters(self) -> list[str]:
        return self.data["indicators"]["diagnosis_chapters"]

    @property
    def targets(self) -> dict[str, float]:
        return self.data["indicators"]["targets"]

    @property
    def queue(self) -> dict[str, Any]:
        return self.data["queue"]

    @property
    def import_limits(self):
        from .core.importer import Limits

        return Limits.from_config(self.data)

    @property
    def catalogue(self) -> list[str]:
        return self.data["actions"]["catalogue"]

    @property
    def abbreviations(self) -> dict[str, str]:
        return self.data["actions"]["abbreviations"]

    @property
    def measures(self) -> list[dict[str, Any]]:
        """The team's own measures (``[[less.measures]]``), checked."""
        return self.data["less"]["measures"]

    def role_of(self, name: str) -> str:
        for m in self.team:
            if m["name"] == name:
                return m["role"]
        return ""


MEASURE_KEYS = ("key", "name", "kind", "target", "direction")


def _measures(raw: Any, problems: list[str]) -> list[dict[str, Any]]:
    """``[[less.measures]]``: the team's own measures, each checked; every problem is named."""
    import re

    if not isinstance(raw, list):
        problems.append(t("cfg.measures_list"))
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, m in enumerate(raw, 1):
        if not isinstance(m, dict):
            problems.append(t("cfg.measure_table", i=i))
            continue
        bad = [k for k in m if k not in MEASURE_KEYS]
        for k in bad:
            problems.append(t("cfg.measure_unknown", i=i, name=k, choices=", ".join(MEASURE_KEYS)))
        key, name = m.get("key"), m.get("name")
        kind, direction, target = m.get("kind", "count"), m.get("direction", "higher"), m.get("target")
        ok = not bad
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", key) or key in seen:
            problems.append(t("cfg.measure_key", i=i, value=repr(key)))
            ok = False
        if not isinstance(name, str) or not re.match(r"(Antal|Andel)\s+\S", name.strip()):
            problems.append(t("cfg.measure_name", i=i, value=repr(name)))
            ok = False
        if kind not in ("count", "share"):
            problems.append(t("cfg.measure_kind", i=i, value=repr(kind)))
            ok = False
        if direction not in ("higher", "lower"):
            problems.append(t("cfg.measure_direction", i=i, value=repr(direction)))
            ok = False
        if isinstance(target, bool) or not isinstance(target, (int, float)) or target < 0 or (
                kind == "share" and target > 1):
            problems.append(t("cfg.measure_target", i=i, value=repr(target)))
            ok = False
        if ok:
            seen.add(key)
            out.append({"key": key, "name": name.strip(), "kind": kind, "target": float(target),
                        "direction": direction})
    return out


def validate(raw: dict[str, Any], path: str = "config.toml") -> Config:
    base = defaults()
    problems: list[str] = []
    team_raw = raw.get("team", base["team"])
    keymap_raw = raw.get("keymap", {})
    rest = {k: v for k, v in raw.items() if k not in ("team", "keymap")}
    base_rest = {k: v for k, v in base.items() if k not in ("team", "keymap")}
    # [actions.abbreviations]: any abbreviation = "expansion"; a given table replaces the defaults
    abbrev_raw = None
    if isinstance(rest.get("actions"), dict) and "abbreviations" in rest["actions"]:
        abbrev_raw = rest["actions"]["abbreviations"]
        rest["actions"] = {k: v for k, v in rest["actions"].items() if k != "abbreviations"}
    measures_raw = None
    if isinstance(rest.get("less"), dict) and "measures" in rest["less"]:
        measures_raw = rest["less"]["measures"]
        rest["less"] = {k: v for k, v in rest["less"].items() if k != "measures"}
    data = _check("", rest, base_rest, problems)
    if abbrev_raw is not None:
        if not isinstance(abbrev_raw, dict) or not all(
                isinstance(v, str) and v.strip() and k.strip() for k, v in abbrev_raw.items()):
            problems.append(t("cfg.abbreviations", value=repr(abbrev_raw)))
        else:
            data["actions"]["abbreviations"] = dict(abbrev_raw)
    # team: a list of tables with name, role and optional attendee
    team: list[dict[str, Any]] = []
    if not isinstance(team_raw, list):
        problems.append(t("cfg.team_list"))
    else:
        for i, m in enumerate(team_raw, 1):
            if not isinstance(m, dict):
                problems.append(t("cfg.team_table", i=i))
                continue
            for k in m:
                if k not in ("name", "role", "attendee"):
                    problems.append(t("cfg.team_unknown", name=k, i=i))
            name, role, att = m.get("name"), m.get("role", ""), m.get("attendee", True)
            if not isinstance(name, str) or not name.strip():
                problems.append(t("cfg.team_name", i=i))
                continue
            if not isinstance(role, str):
                problems.append(t("cfg.team_role", i=i))
                role = ""
            if not isinstance(att, bool):
                problems.append(t("cfg.team_attendee", i=i))
                att = True
            team.append({"name": name.strip(), "role": role, "attendee": att})
    data["team"] = team
    data["less"]["measures"] = _measures(measures_raw or [], problems)
    for k in ("region_sick_share", "country_sick_share"):
        if not 0.0 <= data["less"][k] <= 1.0:
            problems.append(t("cfg.share", name=f"less.{k}", value=data["less"][k]))
    if not 1 <= data["less"]["supervision_weeks"] <= 104:
        problems.append(t("cfg.between", name="less.supervision_weeks", low=1, high=104,
                          value=data["less"]["supervision_weeks"]))
    if data["less"]["listed_patients"] < 0:
        problems.append(t("cfg.at_least", name="less.listed_patients", low=0))
    if not isinstance(keymap_raw, dict) or not all(isinstance(v, str) for v in keymap_raw.values()):
        problems.append(t("cfg.keymap"))
        keymap_raw = {}
    data["keymap"] = dict(keymap_raw)
    # value checks
    if data["language"] not in LANGUAGES:
        problems.append(t("cfg.one_of", name="language", choices=", ".join(LANGUAGES), value=repr(data["language"])))
    gap = data["episodes"]["max_gap_days"]
    if not 0 <= gap <= 90:
        problems.append(t("cfg.between", name="episodes.max_gap_days", low=0, high=90, value=gap))
    if data["ui"]["theme"] not in THEMES:
        problems.append(t("cfg.one_of", name="ui.theme", choices=", ".join(THEMES), value=repr(data["ui"]["theme"])))
    for k, v in data["indicators"]["targets"].items():
        if not 0.0 <= v <= 1.0:
            problems.append(t("cfg.share", name=f"indicators.targets.{k}", value=v))
    if data["meeting"]["cadence_months"] < 1:
        problems.append(t("cfg.at_least", name="meeting.cadence_months", low=1))
    for k in ("max_unpacked_mb", "max_rows", "max_columns"):
        if data["import"][k] < 1:
            problems.append(t("cfg.at_least", name=f"import.{k}", low=1))
    if data["import"]["lock_wait_seconds"] < 0:
        problems.append(t("cfg.at_least", name="import.lock_wait_seconds", low=0))
    if not data["clinic"]["unit"].strip():
        problems.append(t("cfg.not_empty", name="clinic.unit"))
    if problems:
        raise ConfigError(path, problems)
    return Config(data=data, path=None)


def load(explicit: str | os.PathLike | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        cfg = validate({})
        return cfg
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [t("cfg.not_found")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), [t("cfg.bad_toml", error=e)]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [t("cfg.not_utf8")]) from None
    cfg = validate(raw, str(path))
    cfg.path = path
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
    data = defaults()
    if unit:
        data["clinic"]["unit"] = unit
    if name:
        data["clinic"]["name"] = name
    return data
