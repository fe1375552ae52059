"""Writing files without following symlinks. No Textual here.

Every file less-tui writes (exports, backups, copies aside, the starter config, the crash log) is
written whole into a new file created with ``O_CREAT|O_EXCL|O_NOFOLLOW`` beside its target (or in
a private temporary folder there), then renamed over the target. A rename replaces a name and never
follows a symlink, and the target is refused outright when it is a symlink, a folder, or its folder
does not exist: nothing is ever written through a link someone planted.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from .i18n import t

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class FileTargetError(Exception):
    """A file cannot be written where it was asked for; the message names the path and why
    (one line)."""


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # (a part of the path is a file: not there either)
        return None


def check_folder(folder: Path, path: Path | None = None, *, link_ok: bool = True) -> Path:
    """``folder`` exists and is a folder (a symlink to one only with ``link_ok``)."""
    folder = Path(folder)
    shown = path if path is not None else folder
    st = _lstat(folder)
    if st is None:
        raise FileTargetError(t("file.no_folder", path=shown, folder=folder))
    if stat.S_ISLNK(st.st_mode):
        if not link_ok:
            raise FileTargetError(t("file.folder_link", folder=folder))
        if not folder.is_dir():  # a dangling link, or one to a file
            raise FileTargetError(t("file.no_folder", path=shown, folder=folder))
    elif not stat.S_ISDIR(st.st_mode):
        raise FileTargetError(t("file.not_folder", path=shown, folder=folder))
    return folder


def check_target(path: Path, *, overwrite: bool = True) -> Path:
    """A file about to be written: its folder exists, and it is not a symlink or a folder
    (nor there at all, without ``overwrite``)."""
    path = Path(path)
    check_folder(path.parent, path)
    st = _lstat(path)
    if st is None:
        return path
    if stat.S_ISLNK(st.st_mode):
        raise FileTargetError(t("file.symlink", path=path))
    if stat.S_ISDIR(st.st_mode):
        raise FileTargetError(t("file.is_folder", path=path))
    if not stat.S_ISREG(st.st_mode):
        raise FileTargetError(t("file.not_regular", path=path))
    if not overwrite:
        raise FileTargetError(t("adm.exists", path=path))
    return path


_ERRNO_KEYS = {"EACCES": "oserr.denied", "EPERM": "oserr.denied", "ENOENT": "oserr.missing", "EROFS": "oserr.read_only",
               "ENOSPC": "oserr.full", "EDQUOT": "oserr.full", "EISDIR": "oserr.is_folder", "ENOTDIR": "oserr.not_folder",
               "EEXIST": "oserr.exists", "ENAMETOOLONG": "oserr.too_long", "EIO": "oserr.io"}


def os_reason(e: OSError) -> str:
    """Why the system refused, in the interface's language ("åtkomst nekad", "disken är full"); an error
    without words of its own is said as the system says it."""
    import errno

    key = _ERRNO_KEYS.get(errno.errorcode.get(e.errno or 0, ""))
    return t(key) if key else (e.strerror or type(e).__name__)


_reason = os_reason


def new_file(path: Path, mode: int = 0o600, gid: int | None = None) -> tuple[Path, int]:
    """A new, empty file beside ``path`` (``.NAME.XXXXXXXX.EXT``), created with O_EXCL|O_NOFOLLOW
    owner-only (or with ``gid`` and its mode whatever the umask); returns it and its open fd."""
    path = Path(path)
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | NOFOLLOW | CLOEXEC
    for _ in range(10):
        tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}{path.suffix}")
        try:
            fd = os.open(tmp, flags, mode)
        except FileExistsError:
            continue
        except OSError as e:
            raise FileTargetError(t("file.cannot_write", path=path, reason=_reason(e))) from None
        try:
            if gid is not None:
                os.fchown(fd, -1, gid)
            os.fchmod(fd, mode)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        return tmp, fd
    raise FileTargetError(t("exp.no_temp", path=path))


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def put_in_place(tmp: Path, path: Path, *, overwrite: bool = True) -> Path:
    """Rename the finished ``tmp`` to ``path`` (checked again just before: a symlink planted
    meanwhile is refused, never followed). Without ``overwrite`` an existing name is never
    replaced (a hard link, so the check and the rename are one step)."""
    check_target(path, overwrite=overwrite)
    try:
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path, follow_symlinks=False)
            except FileExistsError:
                raise FileTargetError(t("adm.exists", path=path)) from None
            except OSError:  # a file system without hard links
                check_target(path, overwrite=False)
                os.rename(tmp, path)
            else:
                os.unlink(tmp)
    except OSError as e:
        raise FileTargetError(t("file.cannot_write", path=path, reason=_reason(e))) from None
    _fsync_folder(path.parent)
    return path


def write_file(path: Path, write: Callable[[BinaryIO], None], *, mode: int = 0o600, gid: int | None = None,
               overwrite: bool = True) -> Path:
    """Write a file whole: ``write`` fills a new file beside ``path``, which is then renamed over it.
    A failure leaves nothing behind (and an earlier file of the name as it was)."""
    path = Path(path)
    check_target(path, overwrite=overwrite)
    tmp, fd = new_file(path, mode, gid)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        return put_in_place(tmp, path, overwrite=overwrite)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, **kw) -> Path:
    return write_file(path, lambda f: f.write(data), **kw)


def append_file(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """Add ``data`` to the end of a file (made when missing) by writing the whole new content
    beside it and renaming it over it; a symlink at ``path`` is refused, not read or followed."""
    path = Path(path)
    check_target(path)
    old = b""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise FileTargetError(t("file.cannot_write", path=path, reason=_reason(e))) from None
    else:
        with os.fdopen(fd, "rb") as f:
            old = f.read()
    return write_bytes(path, old + data, mode=mode)


@contextmanager
def private_workdir(folder: Path) -> Iterator[Path]:
    """A temporary folder only this user can enter (0700), inside ``folder``, removed afterwards: for
    files a library writes by name (SQLite), which no one else can swap for a symlink there."""
    try:
        d = Path(tempfile.mkdtemp(prefix=".less-tui-", dir=folder))
    except OSError as e:
        raise FileTargetError(t("file.cannot_write", path=folder, reason=_reason(e))) from None
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def safe_name(text: str, fallback: str = "enhet") -> str:
    """``text`` made safe as (part of) a file name: letters (å, ä, ö too), digits, ``-``, ``_`` and
    ``.`` are kept, spaces become ``_`` and everything else (``/``, ``\\``, ``..``, control
    characters, ``:``) becomes ``_``; never empty, never starting with a dot, at most 60
    characters."""
    s = unicodedata.normalize("NFC", text)
    s = "".join(c if (c.isalnum() or c in "-_.") and c.isprintable() else "_" for c in s)
    s = re.sub(r"\.{2,}", "_", s)
    s = re.sub(r"_{2,}", "_", s).strip("._-")
    return s[:60].rstrip("._-") or fallback


class UnknownGroup(FileTargetError):
    """``database.group`` names a group this machine does not have (one line)."""


def group_id(group: str) -> int:
    """The id of the team group ``database.group`` names; ``UnknownGroup`` when there is none."""
    import grp

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise UnknownGroup(t("dberr.no_group", group=repr(group))) from None


def private_dir(path: Path, group: str = "") -> Path:
    """Create a folder (for exports) as the database's is made: owner-only (0700), or with a team
    group the group's too (setgid 2770). A folder that exists is left as it is."""
    if path.is_dir():
        return path
    path.mkdir(parents=True, exist_ok=True)
    if group:
        os.chown(path, -1, group_id(group))
        os.chmod(path, 0o2770)  # setgid: files made here belong to the group
    else:
        os.chmod(path, 0o700)
    return path
