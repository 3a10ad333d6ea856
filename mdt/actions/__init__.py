"""Action points: one owner, a due date, tracked from a meeting until done or cancelled."""
