"""Our own exception types: each carries a message a user can act on."""

from __future__ import annotations


class TalentgraphError(Exception):
    """Base of every error talentgraph raises on purpose."""


class CorpusNotFoundError(TalentgraphError):
    """No paperlists corpus was given or found."""


class SourceError(TalentgraphError):
    """A source file or API could not be read (the message names the file or URL)."""


class StoreError(TalentgraphError):
    """The analytical store is missing, locked or at an unknown schema version."""


class NotFoundError(TalentgraphError):
    """A person, paper, organisation or other object asked for does not exist."""


class PermissionDenied(TalentgraphError):
    """The acting user's role does not allow this operation (or this object)."""


class OpsInputError(TalentgraphError):
    """Input to an operation is invalid (the message names the field or file/row/column)."""


class DuplicateError(OpsInputError):
    """The object already exists (same natural key, e.g. the same person)."""


class ConflictError(OpsInputError):
    """A change clashes with the stored data (a unique key, a concurrent change): look, retry."""


class OpsConfigError(TalentgraphError):
    """The operational store or SMTP is not configured or cannot be reached."""


class CompensationError(TalentgraphError):
    """A pay package, vesting schedule or currency conversion is invalid (the message says why)."""


class OrgDataError(TalentgraphError):
    """The curated organisation tables (resolve/data/*.csv) are inconsistent."""
