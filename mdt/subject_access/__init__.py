"""Subject access (UK GDPR article 15): everything the service holds about one person."""
