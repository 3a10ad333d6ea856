"""Calendar feeds for Outlook, Google and Apple, and meeting invitations they accept."""
