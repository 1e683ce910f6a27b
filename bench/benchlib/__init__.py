"""Helpers shared by the bench scripts (not scripts themselves)."""
