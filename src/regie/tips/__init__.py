"""Django-free core of the anonymous tip line (Meld Misdaad Anoniem, issue 8).

Pure modules with no Django import, for the Django layer to call:

* :mod:`regie.tips.receipt` - 16-digit receipt codes (check digit, selector + Argon2 hash).
* :mod:`regie.tips.sealing` - per-recipient sealed boxes, passphrase-protected private keys,
  the desk's copy at rest.
* :mod:`regie.tips.rewrite` - detection of identifying details and the rewrite check.
* :mod:`regie.tips.attachments` - content sniffing, limits and metadata stripping.
* :mod:`regie.tips.pow` - stateless proof-of-work challenges against abuse.
* :mod:`regie.tips.routing` - which recipients receive a forwarded tip.
* :mod:`regie.tips.billing` - the 2020 and the old billing model for municipalities.
* :mod:`regie.tips.retention` - expiry dates and count-only statistics.
"""
