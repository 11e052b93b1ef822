"""The contest's life after the forms (being split into modules named for what they hold)."""

from data.judging.contest_life.protests import *  # noqa: F403
