"""One string catalogue per language. ``t("key", name=...)`` looks a string up."""

from __future__ import annotations

from . import en, sv

CATALOGUES: dict[str, dict[str, str]] = {"sv": sv.STRINGS, "en": en.STRINGS}
_lang = "sv"


def set_language(lang: str) -> None:
    global _lang
    if lang not in CATALOGUES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(CATALOGUES)}")
    _lang = lang


def language() -> str:
    return _lang


def t(key: str, lang: str | None = None, **kw) -> str:
    cat = CATALOGUES[lang or _lang]
    s = cat.get(key)
    if s is None:
        s = CATALOGUES["en"].get(key, key)
    return s.format(**kw) if kw else s


def counted(key: str, n: int, lang: str | None = None) -> str:
    """``1 läkare`` / ``1 annan profession`` / ``3 andra professioner``: the catalogue's ``KEY_1`` for one,
    else ``KEY`` with the number."""
    return t(f"{key}_1", lang=lang) if n == 1 else t(key, n=n, lang=lang)


def indicator_labels(lang: str | None = None) -> dict[str, str]:
    from ..core.indicators import INDICATOR_KEYS

    return {k: t(f"ind.{k}", lang) for k in INDICATOR_KEYS}
