"""``python -m runner``: the batchmod command line, as the ``batchmod`` script runs it."""
from runner.cli import main

if __name__ == "__main__":
    main()
