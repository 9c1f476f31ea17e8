"""Intelligence: analysis across all registrations.

For now only :mod:`regie.intelligence.er`, the Django-free entity-resolution core (Splink
behind a small interface). The Django app around it (models, views, the review queue and the
``regie intelligence dedupe`` command) is built on top of that package.
"""
