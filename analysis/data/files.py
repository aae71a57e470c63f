"""The one way the package reads a file it is handed: :func:`read_bounded` and, for a file a data
package names, :func:`package_file` + :func:`read_package_file`.

Every read of a data package (the loader behind build, export and draft, and ``validate``), of a
``--set`` file and of a chapter text goes through here, so that they can never disagree:

- a name a data package gives (``path`` of a resource, ``chapter.text``) stays inside the
  package folder: no absolute path, no ``..``, no symbolic link that leads out of it;
- only a regular file is read, checked *before* opening, so a FIFO or a device (``/dev/zero``)
  is refused, not read; it is opened non-blocking and checked again on the open descriptor;
- the bytes read are capped: at most :data:`LIMITS` (50 MB a data file, 5 MB a chapter text,
  1 MB a set file); a bigger file is refused without being read past the limit.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import WorkbookError

MB = 1_000_000
#: Largest file read, by kind (the README's "Limits" lists them).
LIMITS = {"data file": 50 * MB, "chapter text": 5 * MB, "set file": 1 * MB, "Word template": 20 * MB}


class FileRefused(WorkbookError, ValueError):
    """A file that is not read: outside its folder, not a regular file, too big or missing.
    Callers turn it into their own error (DataError, DraftError, a validation problem…)."""


def limit_text(kind: str) -> str:
    return f"{LIMITS[kind] // MB} MB"


def member_problem(name: object) -> str | None:
    """Why ``name`` is not a file name a data package may give (None when it is fine):
    a relative path, no ``..`` part, no backslash, no NUL or control character."""
    if not isinstance(name, str) or not name:
        return f"expected a file name inside the folder, found {name!r}"
    if any(ord(c) < 32 or ord(c) == 127 for c in name) or "\\" in name:
        return f"{name[:80]!r} holds a control character or a backslash; give a plain file name"
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive:
        return f"{name[:80]!r} is an absolute path; give a file name inside the data folder"
    if ".." in PurePosixPath(name).parts:
        return f"{name[:80]!r} leaves the data folder ('..'); give a file name inside it"
    return None


def resource_problem(path: object) -> str | None:
    """Why ``path`` is not the ``path`` of a table of a data package (None when it is fine):
    a CSV file name directly inside the folder. The loader and ``validate`` both ask this."""
    problem = member_problem(path)
    if problem:
        return problem
    if "/" in path or not path.endswith(".csv"):
        return f"expected a CSV file name inside the folder, found {path[:80]!r}"
    return None


def package_file(folder: Path | str, name: str) -> Path:
    """The path of ``name`` inside the package ``folder``; FileRefused when the name is not a
    plain relative name or a symbolic link on the way leads out of the folder."""
    problem = member_problem(name)
    if problem:
        raise FileRefused(problem)
    folder = Path(folder)
    path = folder / name
    try:
        root = folder.resolve()
        real = path.resolve()
    except (OSError, RuntimeError) as err:  # a loop of links
        raise FileRefused(f"{name}: cannot be resolved ({err})") from None
    if real != root and root not in real.parents:
        raise FileRefused(f"{name} is a link to {str(real)[:120]}, outside the data folder "
                          f"{folder}; data files stay inside their folder")
    return path


def read_bounded(path: Path | str, *, kind: str, what: str | None = None) -> bytes:
    """The bytes of ``path``, a regular file of at most ``LIMITS[kind]`` bytes.

    Raises FileRefused (one line naming the file and the limit) for a missing file, a folder,
    a FIFO, socket or device, or a file over the limit; nothing past the limit is read.
    """
    path = Path(path)
    limit = LIMITS[kind]
    label = what or kind
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused(f"{path}: no such {label}") from None
    except OSError as err:
        raise FileRefused(f"{path}: cannot be read ({err.strerror or err})") from None
    _check_regular(path, info, label)
    if info.st_size > limit:
        raise FileRefused(f"{path} is {info.st_size / MB:.1f} MB; a {kind} is at most "
                          f"{limit_text(kind)}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise FileRefused(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        _check_regular(path, os.fstat(fd), label)  # swapped for a FIFO between stat and open?
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileRefused(f"{path} is over {limit_text(kind)}; a {kind} is at most "
                                  f"{limit_text(kind)}")
        return b"".join(chunks)
    except OSError as err:
        raise FileRefused(f"{path}: cannot be read ({err.strerror or err})") from None
    finally:
        os.close(fd)


def _check_regular(path: Path, info: os.stat_result, label: str) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = ("a folder" if stat.S_ISDIR(info.st_mode) else
            "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
            "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
    raise FileRefused(f"{path} is {kind}; a {label} must be a regular file")


def read_package_file(folder: Path | str, name: str, *, kind: str = "data file") -> bytes:
    """The bytes of the file ``name`` of the data package in ``folder`` (see the module)."""
    return read_bounded(package_file(folder, name), kind=kind)


#: The country outlines a data package carries for its maps.
GEOMETRY_FILE = "geo/naturalearth_110m_countries.geojson"


def read_geometry(folder: Path | str) -> bytes:
    """The bytes of the package's map outlines, checked to be a GeoJSON FeatureCollection
    (FileRefused otherwise): GDAL picks a format from a file's content, so a VRT saved under
    this name would read other files, or URLs; it is handed only these checked bytes."""
    import json

    raw = read_package_file(folder, GEOMETRY_FILE)
    try:
        collection = json.loads(raw)
        kind = collection.get("type")
    except (ValueError, AttributeError, RecursionError):
        collection, kind = None, None
    if kind != "FeatureCollection":
        raise FileRefused(f"{GEOMETRY_FILE} is not GeoJSON: expected a JSON object of type "
                          "FeatureCollection")
    # GeoJSON (RFC 7946) has no "crs": GDAL would still follow one, fetching a linked
    # definition or opening a PROJ init file (which may be anywhere, or a FIFO)
    features = collection.get("features")
    if "crs" in collection or not isinstance(features, list) or any(
            not isinstance(f, dict) or "crs" in f
            or (isinstance(f.get("geometry"), dict) and "crs" in f["geometry"]) for f in features):
        raise FileRefused(f"{GEOMETRY_FILE}: expected plain GeoJSON (RFC 7946): a list of "
                          "features and no 'crs' member anywhere (coordinates are WGS 84)")
    return raw


__all__ = ["FileRefused", "GEOMETRY_FILE", "LIMITS", "member_problem", "resource_problem", "package_file",
           "read_bounded", "read_geometry", "read_package_file"]
