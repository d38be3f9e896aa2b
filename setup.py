"""The package list, the one thing pyproject.toml cannot say.

``resources/`` sits at the top of the repository but installs as ``warroom.resources``
(mapped in pyproject.toml's ``package-dir``). Package discovery only finds folders under
``warroom/``, so the mapped package is added here; everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["warroom*"]), "warroom.resources"])
