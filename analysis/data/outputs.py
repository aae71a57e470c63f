"""The one way a command writes a folder: :func:`write_folder` (export, teach, draft) and the
target checks the builder shares (:func:`check_target`, :func:`remove_killed_staging`).

- **Targets.** The package's own folders (its code, notebooks, docs, tests and the active data
  folder) and any folder inside them are refused, as is a folder inside the data package the
  command reads (``--out data/out``).
- **One lock per target folder.** The target is locked (``flock`` on the folder itself) for the
  whole run: a second run into it is refused, naming the first one's process.
- **Staged, then swapped in.** Files are written into a sibling folder the run owns
  (``.<name>.psw-stage-<pid>-…``) and moved into the target only when all of them were written.
  A refusal or a failure changes nothing.
- **--force replaces only the command's own files**: a name it writes that is a folder, a link
  or a special file in the target is refused before anything moves; a file or folder it does not
  write is never touched. With ``keep_replaced`` (``teach``) the files replaced are first moved
  into ``<target>/.replaced/<n>/``.
- **Signals.** SIGTERM and SIGHUP clean up like SIGINT (:func:`signals_interrupt`), and the next
  run removes the staging folders a killed run left.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import UsageError, shorten

STAGE_MARK = ".psw-stage-"
REPLACED = ".replaced"


class _Signalled(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so every ``finally`` cleans up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def signals_interrupt():
    """While inside, SIGTERM and SIGHUP raise :class:`_Signalled` in the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Signalled(signum)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# --------------------------------------------------------------------------------------------
# Targets


def protected_folders() -> list[Path]:
    """The package's own folders: never a command's output folder."""
    from .paths import PACKAGE_DIR, PROJECT_DIR, in_checkout, notebooks_dir

    folders = [PACKAGE_DIR, notebooks_dir()]
    if in_checkout():
        folders += [PROJECT_DIR / name for name in
                    ("analysis", "notebooks", "data", "docs", "tests", "scripts", "benchmarks",
                     ".git", ".venv")]
    try:
        from .paths import data_dir

        folders.append(data_dir())
    except Exception:  # noqa: BLE001 - no data folder: nothing more to protect
        pass
    return folders


def _inside(path: Path, folder: Path) -> bool:
    try:
        folder = folder.resolve()
    except OSError:
        return False
    return path == folder or folder in path.parents


def check_target(target: Path | str, *, option: str, reads: Iterable[Path | str] = ()) -> Path:
    """Refuse (UsageError, one line) a target that is one of the package's folders or inside
    one, or inside a data folder the command reads (``reads``). Returns ``target``."""
    target = Path(target)
    if any(ord(c) < 32 for c in str(target)):
        raise UsageError(f"{option} {shorten(str(target))} holds a control character; that is a "
                         "typing error in the command, give a plain folder name")
    try:
        real = target.resolve()
    except (OSError, RuntimeError) as err:
        raise UsageError(f"cannot use {option} {shorten(str(target))}: {err}") from None
    for folder in reads:
        if _inside(real, Path(folder)):
            raise UsageError(f"{option} {shorten(str(target))} is inside the data folder "
                             f"{shorten(str(folder))} the command reads; write somewhere else")
    for folder in protected_folders():
        if _inside(real, folder):
            raise UsageError(f"{option} {shorten(str(target))} is inside the package's own folder "
                             f"{shorten(str(folder))}; write the output somewhere else")
    return target


# --------------------------------------------------------------------------------------------
# Locks and what killed runs left


class FolderLock:
    """An exclusive ``flock`` on a folder while a command writes it: no lock file is left behind,
    and the lock goes with the process, so a killed run never leaves the folder locked. A second
    run is refused at once (UsageError: "another <command> (pid N) is writing to DIR")."""

    def __init__(self, folder: Path, *, command: str = "run"):
        self.folder, self.command, self.fd = Path(folder), command, None

    def __enter__(self) -> "FolderLock":
        import fcntl

        try:
            fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as err:
            raise UsageError(f"cannot open the folder {self.folder}: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = lock_holder(fd)
            os.close(fd)
            raise UsageError(f"another {self.command} (pid {holder}) is writing to {self.folder}; "
                             "wait for it to finish, or write into another folder") from None
        self.fd = fd
        return self

    def __exit__(self, *exc) -> bool:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None
        return False


def lock_holder(fd: int) -> str:
    """The process holding a flock on ``fd``'s file, from Linux's ``/proc/locks``."""
    info = os.fstat(fd)
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 5 and parts[1] == "FLOCK" and parts[5] == wanted \
                        and parts[4] != str(os.getpid()):
                    return parts[4]
    except OSError:
        pass
    return "unknown"


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a folder named after it belongs to a live run)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_killed_staging(target: Path) -> list[Path]:
    """Remove the staging folders beside ``target`` whose run is gone (a killed run's debris),
    including the ``.<name>.draft-*`` folders of earlier versions. Returns what was removed."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}(?:{re.escape(STAGE_MARK)}(\d+)-|\.draft-)")
    removed = []
    try:
        names = os.listdir(target.parent if str(target.parent) else ".")
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if not match or (match.group(1) and process_alive(int(match.group(1)))):
            continue
        path = target.parent / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


# --------------------------------------------------------------------------------------------
# Writing


@dataclass
class Written:
    """What a write did: the files written, and where the files it replaced went (teach)."""

    paths: list[Path] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept_in: Path | None = None


def _kind(path: Path) -> str | None:
    """None when ``path`` is absent or a regular file (which --force may replace), else what
    it is."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISREG(info.st_mode):
        return None
    if stat.S_ISDIR(info.st_mode):
        return "a folder"
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    return "a special file"


def _next_replaced(target: Path) -> Path:
    folder = target / REPLACED
    numbers = [int(p.name) for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
    return folder / str(max(numbers, default=0) + 1)


def write_folder(target: Path | str, files: Iterable[tuple[str, str | bytes]], *, force: bool,
                 what: str, option: str = "DIR", reads: Iterable[Path | str] = (),
                 keep_replaced: bool = False) -> Written:
    """Write ``files`` (relative name, text or bytes) into the folder ``target``, all or nothing.

    Refused (UsageError, nothing changed): a protected target (:func:`check_target`), a file
    where the folder should be, a folder another run is writing to, a name already present
    without ``force``, and, even with ``force``, a name that is a folder, a link or a special
    file in the target (a file the command does not make).
    """
    target = check_target(target, option=option, reads=reads)
    files = list(files)
    if target.is_symlink() and not target.exists():
        raise UsageError(f"{target} is a symbolic link to a missing folder")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    for parent in target.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{parent} is a file, so {target} cannot be created")
            break
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the folder {target}: {err.strerror or err}") from None
    staging = None
    locked = False  # a run refused by the lock must not remove the folder the other one writes
    try:
        with FolderLock(target):
            locked = True
            remove_killed_staging(target)
            _refuse_clashes(target, [name for name, _ in files], force=force)
            kept = target / REPLACED
            if keep_replaced and (kept.is_symlink() or (kept.exists() and not kept.is_dir())):
                # the replaced files would be moved wherever it leads
                raise UsageError(f"{kept} is {_kind(kept) or 'a file'}; the files replaced are kept in that "
                                 "folder: move it away")
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGE_MARK}{os.getpid()}-",
                                            dir=target.absolute().parent))
            umask = os.umask(0)
            os.umask(umask)
            for name, data in files:
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(data, str):
                    path.write_text(data, encoding="utf-8")
                else:
                    path.write_bytes(data)
                path.chmod(0o666 & ~umask)
            result = _swap_in(target, staging, [name for name, _ in files],
                              keep_replaced=keep_replaced)
            created = False
            return result
    except OSError as err:
        raise UsageError(f"cannot write the {what} into {target}: {err.strerror or err}"
                         f"{f' ({err.filename})' if err.filename else ''}; nothing written") \
            from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and locked:
            with contextlib.suppress(OSError):
                target.rmdir()


def _refuse_clashes(target: Path, names: list[str], *, force: bool) -> None:
    present, foreign = [], []
    for name in names:
        path = target / name
        for parent in reversed(Path(name).parents[:-1]):  # a/b/c: a, a/b must be real folders
            kind = _kind(target / parent)
            if kind and kind != "a folder" or (target / parent).is_symlink():
                foreign.append(f"{parent} ({kind or 'a file'})")
            elif (target / parent).is_file():
                foreign.append(f"{parent} (a file)")
        kind = _kind(path)
        if kind:
            foreign.append(f"{name} ({kind})")
        elif path.exists():
            present.append(name)
    if foreign:
        shown = ", ".join(sorted(set(foreign))[:5])
        raise UsageError(f"{target} holds {shown} where the command writes a file; it does not "
                         "replace what it did not make, even with --force; move it away; "
                         "nothing written")
    if present and not force:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
        raise UsageError(f"{target} already holds {shown}; use --force to replace these files "
                         "(only these); nothing written")


def _swap_in(target: Path, staging: Path, names: list[str], *, keep_replaced: bool) -> Written:
    """Move the staged files into ``target`` (:func:`swap_in`); with ``keep_replaced`` the files
    replaced are kept in ``.replaced/<n>/``."""
    result = Written()
    old = [n for n in names if (target / n).exists()]
    aside = swap_in(target, staging, names, keep_in=_next_replaced(target) if keep_replaced
                    else None)
    result.paths = [target / n for n in names]
    if aside is not None:
        result.replaced, result.kept_in = old, aside
    return result


def swap_in(target: Path, staging: Path, names: Iterable[str], *, remove: Iterable[str] = (),
            keep_in: Path | None = None) -> Path | None:
    """Move the staged files ``names`` (in this order) from ``staging`` into ``target``, each
    with ``os.replace`` (a reader sees the old file or the new one), and delete the files
    ``remove`` of ``target``: all or nothing.

    A copy of each file replaced or deleted is kept first (a hard link, in a private folder
    beside ``target``, or in ``keep_in``); if a step fails or a signal arrives, every file
    changed is put back and the error raised. Returns ``keep_in`` when it holds what was
    replaced, else None.
    """
    names, remove = list(names), [n for n in remove if n not in names]
    old = [n for n in [*names, *remove] if os.path.lexists(target / n)]
    aside = keep_in if keep_in is not None and old else \
        Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGE_MARK}{os.getpid()}-old-",
                              dir=target.absolute().parent))
    changed: list[str] = []
    try:
        for name in old:
            (aside / name).parent.mkdir(parents=True, exist_ok=True)
            _keep_copy(target / name, aside / name)
        for name in names:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            changed.append(name)
            _move(staging / name, target / name)
        for name in remove:
            changed.append(name)
            with contextlib.suppress(FileNotFoundError):
                (target / name).unlink()
    except BaseException:
        for name in reversed(changed):
            with contextlib.suppress(OSError):
                if name in old:
                    _move(aside / name, target / name)
                else:
                    (target / name).unlink(missing_ok=True)
        if aside is keep_in:
            shutil.rmtree(aside, ignore_errors=True)
        raise
    finally:
        if aside is not keep_in:
            shutil.rmtree(aside, ignore_errors=True)
    return keep_in if keep_in is not None and old else None


def _keep_copy(source: Path, dest: Path) -> None:
    """``dest`` becomes a copy of ``source``: a hard link where the file system allows it."""
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, dest, follow_symlinks=False)


def _move(source: Path, dest: Path) -> None:
    """Rename, or copy then rename within the destination's folder when the target is another
    file system (a mount point)."""
    try:
        os.replace(source, dest)
    except OSError as err:
        import errno

        if err.errno != errno.EXDEV:
            raise
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copy2(source, tmp)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.unlink(source)


def tree_files(folder: Path, prefix: str) -> list[tuple[str, bytes]]:
    """Every regular file under ``folder`` as (``prefix/relative name``, bytes), read through
    :mod:`analysis.data.files` (links that leave the folder and special files are skipped)."""
    from .files import FileRefused, package_file, read_bounded

    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        try:
            real = package_file(folder, relative)
        except FileRefused:
            continue
        if real.is_file() and not path.is_dir():
            try:
                out.append((f"{prefix}/{relative}", read_bounded(real, kind="data file")))
            except FileRefused:
                continue
    return out


__all__ = ["FolderLock", "Written", "check_target", "lock_holder", "process_alive", "protected_folders",
           "remove_killed_staging", "signals_interrupt", "swap_in", "tree_files", "write_folder"]
