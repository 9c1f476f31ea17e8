"""The tip line core must not import Django (it is used outside the web process too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MODULES = [
    "attachments", "billing", "pow", "receipt", "retention", "rewrite", "routing", "sealing",
]  # fmt: skip


def test_no_django_import() -> None:
    code = (
        "import sys\n"
        + "".join(f"import regie.tips.{m}\n" for m in MODULES)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(','.join(bad))\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert result.stdout.strip() == ""
