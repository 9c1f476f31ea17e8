"""Tests of the Intelligence app."""
