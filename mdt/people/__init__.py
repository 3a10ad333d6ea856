"""The pages where people sign in, keep their own details and are administered.

Owns the `accounts` blueprint's views (sign-in, sign-out, profile, password and email
changes, the users list). It sits above the identity features it brings together (accounts,
mfa, oidc, reauth, organisations, directory) and may import any of them; nothing imports it
but the app factory.
"""
