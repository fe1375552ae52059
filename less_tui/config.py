"""Configuration: found nearest-first, validated with every problem reported at once."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

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
            problems.append(f"[{prefix}] must be a table")
            return default
        out = copy.deepcopy(default)
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else k
            if k not in default:
                problems.append(f"unknown key '{key}' (expected one of: {', '.join(sorted(default))})")
                continue
            out[k] = _check(key, v, default[k], problems)
        return out
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(f"'{prefix}' must be true or false, found {value!r}")
            return default
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"'{prefix}' must be a number, found {value!r}")
            return default
        return float(value)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"'{prefix}' must be a whole number, found {value!r}")
            return default
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            problems.append(f"'{prefix}' must be text, found {value!r}")
            return default
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            problems.append(f"'{prefix}' must be a list of text, found {value!r}")
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
    def catalogue(self) -> list[str]:
        return self.data["actions"]["catalogue"]

    @property
    def abbreviations(self) -> dict[str, str]:
        return self.data["actions"]["abbreviations"]

    def role_of(self, name: str) -> str:
        for m in self.team:
            if m["name"] == name:
                return m["role"]
        return ""


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
    data = _check("", rest, base_rest, problems)
    if abbrev_raw is not None:
        if not isinstance(abbrev_raw, dict) or not all(
                isinstance(v, str) and v.strip() and k.strip() for k, v in abbrev_raw.items()):
            problems.append("'actions.abbreviations' must be a table of ABBREVIATION = \"what it stands for\", "
                            f"found {abbrev_raw!r}")
        else:
            data["actions"]["abbreviations"] = dict(abbrev_raw)
    # team: a list of tables with name, role and optional attendee
    team: list[dict[str, Any]] = []
    if not isinstance(team_raw, list):
        problems.append("'team' must be a list of [[team]] tables")
    else:
        for i, m in enumerate(team_raw, 1):
            if not isinstance(m, dict):
                problems.append(f"team #{i} must be a table with name and role")
                continue
            for k in m:
                if k not in ("name", "role", "attendee"):
                    problems.append(f"unknown key 'team.{k}' in team #{i} (expected name, role, attendee)")
            name, role, att = m.get("name"), m.get("role", ""), m.get("attendee", True)
            if not isinstance(name, str) or not name.strip():
                problems.append(f"'team.name' in team #{i} must be non-empty text")
                continue
            if not isinstance(role, str):
                problems.append(f"'team.role' in team #{i} must be text")
                role = ""
            if not isinstance(att, bool):
                problems.append(f"'team.attendee' in team #{i} must be true or false")
                att = True
            team.append({"name": name.strip(), "role": role, "attendee": att})
    data["team"] = team
    if not isinstance(keymap_raw, dict) or not all(isinstance(v, str) for v in keymap_raw.values()):
        problems.append("'keymap' must be a table of binding id = \"keys\"")
        keymap_raw = {}
    data["keymap"] = dict(keymap_raw)
    # value checks
    if data["language"] not in LANGUAGES:
        problems.append(f"'language' must be one of {', '.join(LANGUAGES)}, found {data['language']!r}")
    gap = data["episodes"]["max_gap_days"]
    if not 0 <= gap <= 90:
        problems.append(f"'episodes.max_gap_days' must be between 0 and 90, found {gap}")
    if data["ui"]["theme"] not in THEMES:
        problems.append(f"'ui.theme' must be one of {', '.join(THEMES)}, found {data['ui']['theme']!r}")
    for k, v in data["indicators"]["targets"].items():
        if not 0.0 <= v <= 1.0:
            problems.append(f"'indicators.targets.{k}' must be a share between 0 and 1, found {v}")
    if data["meeting"]["cadence_months"] < 1:
        problems.append("'meeting.cadence_months' must be at least 1")
    if not data["clinic"]["unit"].strip():
        problems.append("'clinic.unit' must not be empty")
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
        raise ConfigError(str(path), ["file not found"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), [f"not valid TOML: {e}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), ["not UTF-8 text"]) from None
    cfg = validate(raw, str(path))
    cfg.path = path
    return cfg


def starter_config(unit: str | None = None, name: str | None = None) -> dict[str, Any]:
    data = defaults()
    if unit:
        data["clinic"]["unit"] = unit
    if name:
        data["clinic"]["name"] = name
    return data
