"""Tests of the Django-free core of the LIRC work queue (regie.legal_assistance)."""
