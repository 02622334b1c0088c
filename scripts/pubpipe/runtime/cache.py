"""A keyed store of intermediate results, so that a volume made of many articles redoes only what
changed (a course pack: packs/).

Each result is a file with a key beside it: a digest of every input the result depends on. A
result is used only when its stored key equals the key computed now, so a stale result can never
be mistaken for a fresh one, whatever the clock or the file times say. One file per result name
(not per key) keeps the store from growing as articles are edited. Results and keys are written
atomically, the key last: a build killed between the two leaves a key that no longer matches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from pathlib import Path
from typing import Callable, Iterable

from pubpipe.runtime.output import write_bytes_atomic


def digest(*parts: bytes | str) -> str:
    """One hex digest of several inputs; each is length-prefixed so that no two splits collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def folder_digest(folder: Path) -> str:
    """Every file of a folder (names and bytes, in a stable order): an article's whole input."""
    parts: list[bytes | str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def files_digest(paths: Iterable[Path]) -> str:
    return digest(*(part for path in paths for part in (path.name, path.read_bytes())))


class OutputCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, name: str, key: str) -> bytes | None:
        data, key_file = self.root / name, self.root / f"{name}.key"
        try:
            if key_file.read_text(encoding="ascii") == key:
                return data.read_bytes()
        except (OSError, UnicodeDecodeError):
            pass
        return None

    def put(self, name: str, key: str, data: bytes) -> bytes:
        write_bytes_atomic(self.root / name, data, join_set=False)
        write_bytes_atomic(self.root / f"{name}.key", key.encode("ascii"), join_set=False)
        return data

    def fetch(self, name: str, key: str, make: Callable[[], bytes]) -> bytes:
        cached = self.get(name, key)
        return cached if cached is not None else self.put(name, key, make())

    def pandoc_output(self, article, style: Path, command: list[str], run: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """pandoc's (stdout, stderr) for an article: the same command on the same files gives the
        same output, so it is kept until the article, its style or the pipeline's code change (the
        reader, the filters, the writer, and the Python that prepares pandoc's input and the
        filters' settings, such as the words of captions) or pandoc itself is upgraded."""
        from pubpipe.resolve.pandoc import filters_environment

        key = digest(*command, _program_stamp(command[0]), folder_digest(article.folder),
                     style.read_bytes(), code_digest(), json.dumps(filters_environment(article), sort_keys=True))
        name = f"resolved/{article.slug}-{style.stem}.json"  # one per article and style name
        data = self.fetch(name, key, lambda: json.dumps(run()).encode("utf-8"))
        stdout, stderr = json.loads(data)
        return stdout, stderr


def _program_stamp(program: str) -> str:
    """The installed program a command runs (its path, size and time): an upgrade changes it."""
    from pubpipe.runtime.tools import stamp

    found = shutil.which(program)
    return json.dumps(stamp(Path(found)), sort_keys=True) if found else program


@functools.cache
def code_digest() -> str:
    """The pipeline's own code and stylesheets: a layout made by other code is not reused."""
    from pubpipe.runtime.paths import styles_dir

    package = Path(__file__).resolve().parent.parent
    files = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".lua", ".js") and p.is_file())
    files += sorted(p for p in styles_dir().glob("*") if p.is_file())
    return digest(*(part for path in files for part in (str(path.relative_to(path.parent.parent)), path.read_bytes())))
