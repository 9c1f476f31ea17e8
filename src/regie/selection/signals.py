"""Signals other apps listen to, so the selection app does not import them.

``cases_changed`` is sent inside the transaction that changed the cases' history (a move of
the flow, a quality review), with ``ids`` (the cases' primary keys). A receiver's failure
rolls the change back: nothing half-done is acknowledged.
"""

from django.dispatch import Signal

cases_changed = Signal()
