"""batchmod: batch code migrations declared in YAML playbooks."""

__version__ = "0.1.0"

from runner.records import install as _install_lazy_records

_install_lazy_records()  # before any of batchmod's modules makes its records
