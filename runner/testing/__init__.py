"""``batchmod test``: run each task type's transform on its ``examples:``."""
