from tests.mail.conftest import smtp, smtp_down

__all__ = ["smtp", "smtp_down"]
