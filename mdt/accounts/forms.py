"""What the forms that take an email address say when it is not one."""

from __future__ import annotations

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
