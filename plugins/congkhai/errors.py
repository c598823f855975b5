"""The error hierarchy: errors carry data, and say in Vietnamese what a person must fix.

``PermanentError``: bad input (a document, a field, a file); retrying does not help. Inside a
congkhai task (``congkhai.airflow.dagkit.task``) it fails the task at once, without retries.
``TransientError``: the converter is down, a timeout; Airflow retries these.
"""

from __future__ import annotations


class CongkhaiError(Exception):
    """Base error. ``message_vi`` is for commune staff, ``message_en`` for operators."""

    def __init__(
        self,
        message_vi: str,
        message_en: str | None = None,
        *,
        kind: str | None = None,
        field: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        self.kind = kind
        self.field = field
        self.path = path
        super().__init__(self.__str__())

    def __str__(self) -> str:  # one line, Vietnamese first
        if self.message_en and self.message_en != self.message_vi:
            return f"{self.message_vi} / {self.message_en}"
        return self.message_vi


class PermanentError(CongkhaiError):
    """Bad input: fail once, set aside, tell a person what to fix."""


class TransientError(CongkhaiError):
    """Something outside us failed for now: retry."""


class ConfigError(PermanentError):
    """A commune folder, a plan file or a setting is missing or invalid."""


class UsageError(PermanentError):
    """A command-line argument is wrong (exit code 2)."""
