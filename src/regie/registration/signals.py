"""Signals other apps listen to, so the registration app does not import them.

``registrations_created`` is sent inside the transaction that stored the registrations (a
receiver's failure rolls the registrations back: nothing half-done is acknowledged), with
``ids`` (the new registrations' primary keys), ``actor`` and ``source``.
"""

from django.dispatch import Signal

registrations_created = Signal()
