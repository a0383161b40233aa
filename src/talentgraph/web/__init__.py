"""The web app: FastAPI, server-rendered Jinja2 pages with htmx, and a JSON API under /api/.

An interface only: every page and API call goes through the core (careers, sourcing, resolve,
ops); the ops service functions check the acting user's role and write the audit log.
"""

from talentgraph.web.app import create_app
from talentgraph.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
