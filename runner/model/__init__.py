"""The model room: everything batchmod asks the LLM, scoped, validated, budgeted, recorded.

- ``client`` — the ``ModelClient`` protocol: ``create(ModelRequest) -> ModelReply``.
  The Anthropic adapter (``runner.adapters.anthropic_api``) is the only network code;
  ``cassette.Cassette`` (record/replay) and ``budget.Budgeted`` (limits, ledger) wrap it.
- ``prices`` — the dated price table; ``forecast`` — what asking would cost; ``lock`` —
  ``batchmod.lock``; ``batch`` — Message Batches for first attempts.
- The gap worker: ``jobs`` (GapJob in, GapFill out), ``worker`` (the bounded loop),
  ``gap_request`` (requests, the cached prefix), ``tools`` (read/replace on in-memory
  copies), ``scope`` (the statements around the gaps), ``prompts/`` (templates).
- The orchestrator: ``review`` (verdicts), ``fix`` with ``clusters`` and ``guard``.

Nothing here writes the migrated tree: workers propose, the driver applies.
"""
