"""Tests of the Django-free tip line core (regie.tips)."""
