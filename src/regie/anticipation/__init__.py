"""Crime anticipation (CAS): predictions per grid cell and period, capacity advice and measured
success criteria. The Django-free engine lives in :mod:`regie.anticipation.engine`."""
