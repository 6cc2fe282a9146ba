"""Reporters: turn trials (and findings) into text, JSON, JUnit XML or pictures. No logic lives here."""
