"""batchmod: batch code migrations declared in YAML playbooks."""

__version__ = "0.1.0"
