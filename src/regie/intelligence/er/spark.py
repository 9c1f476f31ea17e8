"""A Spark session for the Spark engine of :class:`~regie.intelligence.er.model.EntityResolver`.

Pure Python, no Django; needs the optional ``pyspark`` package and a Java runtime (17 or
newer). Splink's Spark backend needs its similarity functions (Jaro-Winkler,
Damerau-Levenshtein) as Java UDFs: the jar ships inside Splink and is put on the session's
class path here, so nothing is downloaded.

``master`` is a Spark master URL: ``local[N]`` runs in this process's machine (tests, a
single big machine); a cluster's URL (``spark://host:7077``, ``yarn``) for volumes that
outgrow one machine. A local driver binds to the loopback address unless told otherwise, and
the workers run this interpreter (a different Python minor version refuses to run).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from typing import Any


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing."""


def spark_available() -> str | None:
    """``None`` when a Spark session can be made here, else the reason it cannot."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'regie[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


def spark_session(
    master: str = "local[2]", *, app_name: str = "regie-entity-resolution", **conf: str
) -> Any:
    """A (new or existing) SparkSession ready for Splink."""
    reason = spark_available()
    if reason:
        raise SparkUnavailable(reason)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    for key, value in conf.items():
        builder = builder.config(key, value)
    # py4j logs every connection it closes, also at interpreter exit.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="regie-spark-"))
    return session
