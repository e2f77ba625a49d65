"""Errors shared by every app's actions."""


class ActionRefused(Exception):
    """The action cannot be done as asked (someone else acted first, or the state does not
    allow it); the message is one sentence for the person who asked."""
