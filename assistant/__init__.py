"""License assistant."""
