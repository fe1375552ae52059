import contextlib
import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
if not SAMPLES.is_dir():  # CI clones main with shared/ beside it; keep a copy in the repo too
    SAMPLES = ROOT / "tests" / "data" / "samples"


def clear_improvement_work(engine, cfg) -> None:
    """Remove the demo clinic's problems, ideas and cycles (through the service, audited): for a test that
    starts from a clinic without improvement work (the demo has some, services/demo.py DEMO_WORK)."""
    from less_tui.services.improvement import ImprovementService

    svc = ImprovementService(engine, cfg)
    for p in svc.work():
        svc.delete_problem(p.id)
    assert svc.work() == []


def run(*args, env=None, check=False, timeout=180):
    """``less-tui ARGS`` in a new Python process (``python -m less_tui``). For tests where the process
    itself matters: start-up imports, signals, a terminal, exit on a crash. Others use ``cli``."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "less_tui", *args], capture_output=True, text=True, env=e,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\nstdout:{p.stdout}\nstderr:{p.stderr}")
    return p


@dataclasses.dataclass
class Result:
    """What ``subprocess.run(..., capture_output=True, text=True)`` gives, from an in-process run."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class _Text(io.StringIO):
    """A captured stream that is no terminal, like a pipe (``isatty()`` is False, it has an encoding)."""
    encoding = "utf-8"
    errors = "strict"

    def fileno(self) -> int:  # a pipe has one; code that asks must not treat this as a terminal either
        raise io.UnsupportedOperation("fileno")


@contextlib.contextmanager
def _engines_disposed():
    """Every engine the command makes is disposed afterwards (a process's exit would close them)."""
    from less_tui.storage import db as dbmod

    made = []
    real = dbmod.create_engine

    def recording(*a, **kw):
        e = real(*a, **kw)
        made.append(e)
        return e

    dbmod.create_engine = recording
    try:
        yield
    finally:
        dbmod.create_engine = real
        for e in made:
            e.dispose()


def cli(*args, env=None, check=False, stdin: str = "", cwd=None):
    """``less-tui ARGS`` run in this process through ``less_tui.cli.main`` (the same argument parsing,
    error handling and exit codes as the installed command), returning what ``run`` returns: returncode,
    stdout, stderr. Each call starts as a new process would: the environment plus ``env`` (restored
    afterwards, so LESS_TUI_TODAY, LESS_TUI_DB and LESS_TUI_CONFIG come from the test's environment),
    the command line's state and language reset, stdin/stdout/stderr pipes (no terminal), the umask and
    the working folder (``cwd``: run there) kept."""
    from less_tui import cli as climod
    from less_tui import i18n

    saved_env = dict(os.environ)
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_argv = sys.argv
    saved_cwd = os.getcwd()
    umask = os.umask(0o077)
    os.umask(umask)
    lang = i18n.language()

    def reset() -> None:
        climod.state.db = climod.state.config_path = climod.state.lang = None
        climod.state._cfg = None
        i18n.set_language("sv")

    out, err = _Text(), _Text()
    code: int | str | None = 0
    os.environ.update(env or {})
    reset()
    sys.stdin, sys.stdout, sys.stderr = _Text(stdin), out, err
    sys.argv = ["less-tui", *map(str, args)]
    if cwd is not None:
        os.chdir(cwd)
    try:
        with _engines_disposed():
            climod.main()
    except SystemExit as e:
        code = e.code
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.umask(umask)
        os.environ.clear()
        os.environ.update(saved_env)
        reset()
        i18n.set_language(lang)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed to stderr, exit 1
        err.write(f"{code}\n")
        code = 1
    p = Result([*map(str, args)], code, out.getvalue(), err.getvalue())
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\nstdout:{p.stdout}\nstderr:{p.stderr}")
    return p


async def workers_done(app) -> None:
    """Wait until the app's workers are done. An exclusive worker that a newer one replaced ends as
    cancelled (by design: the newer one does the work); that is not a failure, so wait again for the rest."""
    from textual.worker import WorkerCancelled

    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
