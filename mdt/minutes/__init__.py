"""Running a meeting: meeting mode, outcomes per case, closing it and sending the minutes."""
