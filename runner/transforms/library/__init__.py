"""Codemods that ship with batchmod for the playbook catalogue (libcst codemod classes)."""
