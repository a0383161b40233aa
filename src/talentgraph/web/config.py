"""Settings of a running web app (store paths, cookie and session options, the secret key)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

SECRET_ENV = "TALENTGRAPH_WEB_SECRET"
SECURE_ENV = "TALENTGRAPH_WEB_SECURE_COOKIES"


@dataclass(frozen=True)
class WebConfig:
    db_path: Path | None            # the analytical store (DuckDB), opened read-only
    ops_url: str | None = None      # the operational store (URL or SQLite path); None: default
    secret_key: str | None = None   # signs the session cookie; None: $TALENTGRAPH_WEB_SECRET/file
    secure_cookies: bool | None = None  # Secure flag; None: $TALENTGRAPH_WEB_SECURE_COOKIES
    session_hours: int = 8
    secret_file: Path | None = None

    def resolved_secret(self) -> str:
        """The signing key: given, from the environment, or kept in a 0600 file that is created
        once (so sessions survive restarts)."""
        if self.secret_key:
            return self.secret_key
        if os.environ.get(SECRET_ENV):
            return os.environ[SECRET_ENV]
        path = self.secret_file or Path(user_data_dir("talentgraph")) / "web_secret"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        return key

    def https_only(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return os.environ.get(SECURE_ENV, "").lower() in ("1", "true", "yes")
