"""Signals other apps listen to, so the organisation app does not import them.

``structure_changed`` is sent inside the transaction that replaced districts and base teams
(``import_structure``): whatever keeps figures per district or unit must recompute them.
"""

from django.dispatch import Signal

structure_changed = Signal()
