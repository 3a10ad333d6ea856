"""Sign-in through OpenID Connect providers (NHS CIS2, Microsoft Entra ID)."""
