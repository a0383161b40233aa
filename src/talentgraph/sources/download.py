"""Fetching the public paperlists corpus: a repository archive streamed over HTTP."""

from __future__ import annotations

import gzip
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from talentgraph.errors import SourceError
from talentgraph.sources.paperlists import FILE_NAME


def download_paperlists(url: str, dest: Path,
                        progress: Callable[[str, int, int, str], None] | None = None,
                        timeout: float = 60.0) -> int:
    """Download the archive at `url` and keep its `<venue>/<venue><year>.json` files, gzip'd.

    Returns the number of corpus files written under `dest`. Files land in a temporary folder
    first and replace `dest` only when the whole archive was read.
    """
    dest = Path(dest)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "paperlists.tar.gz"
        try:
            with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as resp:
                if resp.status_code != 200:
                    raise SourceError(f"downloading {url}: HTTP {resp.status_code}")
                total = int(resp.headers.get("content-length") or 0)
                done = 0
                with archive.open("wb") as out:
                    for chunk in resp.iter_bytes(1 << 20):
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress("download", done, max(total, done), f"{done >> 20} MB")
        except httpx.HTTPError as exc:
            raise SourceError(f"downloading {url}: {exc}") from exc
        staging = Path(tmp) / "paperlists"
        count = 0
        try:
            with tarfile.open(archive, "r:*") as tar:
                for member in tar:
                    name = Path(member.name).name
                    if not member.isfile() or not FILE_NAME.match(name):
                        continue
                    venue_dir = Path(member.name).parent.name
                    source = tar.extractfile(member)
                    if source is None:
                        continue
                    target = staging / venue_dir / (name if name.endswith(".gz") else name + ".gz")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with source, (target.open("wb") if name.endswith(".gz")
                                  else gzip.open(target, "wb")) as out:
                        shutil.copyfileobj(source, out)
                    count += 1
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise SourceError(f"the archive from {url} is damaged: {exc}") from exc
        if count == 0:
            raise SourceError(f"the archive from {url} holds no <venue><year>.json files")
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(dest))
    return count
