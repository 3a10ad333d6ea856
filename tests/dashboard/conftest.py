from tests.mail.conftest import app_logs, smtp, smtp_down

__all__ = ["app_logs", "smtp", "smtp_down"]
