"""The package list, the one thing pyproject.toml cannot say.

``resources/`` sits at the top of the repository but installs as ``warroom.resources``
(mapped in pyproject.toml's ``package-dir``), and package discovery only looks under
``warroom/``, so the mapped packages are added here. Folders without ``__init__.py`` count
too (the migration scripts in ``store/migrations/versions``, the resources' subfolders):
alembic reads the migrations as files, and a plain package list would leave them out of the
wheel. Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

NOT_PACKAGES = ["*__pycache__*"]

code = find_namespace_packages(include=["warroom", "warroom.*"], exclude=NOT_PACKAGES)
assets = find_namespace_packages(where="resources", exclude=NOT_PACKAGES)
setup(packages=[*code, "warroom.resources", *(f"warroom.resources.{name}" for name in assets)])
