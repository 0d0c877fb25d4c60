"""What pyproject.toml cannot say: the repository's top-level ``data/`` ships in the wheel as
the package ``mapservice.data`` (``config.DATA_DIR`` finds it there once installed)."""

from setuptools import find_namespace_packages, setup

DATA = ["mapservice.data", *(f"mapservice.data.{name}" for name in find_namespace_packages("data"))]

setup(packages=[*find_namespace_packages(include=["mapservice*"]), *DATA],
      package_dir={"mapservice.data": "data"})
