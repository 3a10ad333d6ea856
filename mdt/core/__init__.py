"""What every feature shares and no feature owns: the database base and aware-UTC type, the
session, working days and bank holidays, recurrence rules, time zones, form fields and the
NHS.UK date input, revisions (refusing a stale edit), safe redirects, security headers and error
pages, throttling, tokens, the health check and the floor route. Features register themselves
into it (health checks, template globals); it imports none.

Imports: no other package of mdt (each below it in the layers, pyproject.toml).
"""
