"""International legal assistance (LIRC): the Django-free core of the work queue (issue 9).

Pure modules, no Django import; the Django app (models, queue screens, notifications,
``regie synth`` wiring) is built on top of them:

* :mod:`~regie.legal_assistance.messages`: the documented message schema (Interpol notices
  and diffusions, SIRENE, Europol, mutual legal assistance requests, PNR hits), parsed from
  JSON and XML into frozen dataclasses; bad input raises only
  :class:`~regie.legal_assistance.messages.MessageError` with every error and its field path.
* :mod:`~regie.legal_assistance.triage`: the explainable priority (class, score, Dutch
  reasons, SLA deadline, second confirmation for urgent items) and an optional text
  classifier that proposes a category with its confidence.
* :mod:`~regie.legal_assistance.duplicates`: the same subject or request arriving through
  several channels, grouped into cases; subject comparison behind the registration app's
  ``Matcher`` interface.
* :mod:`~regie.legal_assistance.traffic`: seeded synthetic message streams with known truth.
* :mod:`~regie.legal_assistance.backlog`: management information (backlog over time,
  throughput, age, SLA breaches, a forecast of when the backlog clears).
"""
