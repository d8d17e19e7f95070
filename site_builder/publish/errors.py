"""The error that stops a deploy: what went wrong and what to do, in Vietnamese."""
from __future__ import annotations

from ..base.errors import SiteBuilderError


class DeployFailed(SiteBuilderError):
    """A deploy refused or stopped before or while changing the remote (exit 1): the output is not
    one to publish, a setting or a credential is missing, or the server said no."""

    exit_code = 1


class DeployUsage(SiteBuilderError):
    """The command named no usable target (exit 2, a usage error)."""

    exit_code = 2
