"""The command line: parse flags, call a command, map errors to exit codes.

Exit codes (EXIT_CODES below, shown by --help): 0 done; 1 a gate stopped the run or a
subtask failed; 2 bad input; 3 internal error (one line, the traceback in a log file);
130 interrupted.
"""
from __future__ import annotations

import gc
import sys
import time
from typing import Callable

import click

from runner.commands.result import CommandResult
from runner.errors import BatchmodError


def _emit(result: CommandResult) -> None:
    if result.stderr:
        click.echo(result.stderr, err=True, nl=False)
    if result.stdout:
        click.echo(result.stdout, nl=False)


#: main() pauses the cyclic garbage collector while a command imports its modules
_gc_paused = False

#: a command then runs with fewer young collections than the default (700, 10, 10): a plan
#: makes its records (outcomes, subtasks, parsed trees) by the hundred thousand and nearly
#: none is garbage, so each collection walked the same survivors again (2.4% of the
#: instructions of a Django rename's plan at --jobs 1); cycles still go within 200,000 allocations
_GC_THRESHOLDS = (20_000, 10, 10)


def _resume_gc() -> None:
    """Start the collector again, the modules imported so far frozen out of its scans: they
    live as long as the process, and every collection would walk them again."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.set_threshold(*_GC_THRESHOLDS)
        gc.enable()


def _run(action: Callable[[], CommandResult]) -> None:
    """Run a command; every failure becomes one line on stderr and an exit code."""
    _resume_gc()
    try:
        result = action()
    except BatchmodError as exc:
        click.echo(f"batchmod: error: {exc}" if exc.exit_code != 2 or "\n" not in str(exc) else str(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("batchmod: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback in a log
        import traceback

        from runner.adapters.scratch import write_crash_log

        log = write_crash_log(traceback.format_exc())
        click.echo(f"batchmod: internal error: {type(exc).__name__}: {exc} (traceback in {log})", err=True)
        sys.exit(3)
    _emit(result)
    sys.exit(result.exit_code)


def _jobs_default() -> int:
    from runner.transforms.pool import default_jobs

    return default_jobs()


#: every exit code, shown under --help of the group, `plan` and `run` (and in the README)
EXIT_CODES = """\b
Exit codes:
  0    done: everything went through
  1    a gate stopped it (checks failed, budget exceeded, review, approval
       pending, a conflict) or a subtask failed (a transform raised, a
       command's output did not parse, gaps left under on_gap: fail)
  2    bad input: playbook, arguments, a stale saved plan
  3    internal error: one line, the traceback in a log file
  130  interrupted
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(package_name="batchmod", prog_name="batchmod")
def cli() -> None:
    """Batch code migrations declared in YAML playbooks."""


root_option = click.option("--root", default=".", show_default=True, type=click.Path(file_okay=False), help="Folder to migrate.")
executor_option = click.option(
    "--executor", default="local", show_default=True, envvar="BATCHMOD_EXECUTOR", metavar="local|dask://HOST:PORT",
    help="Where file jobs run: the local process pool or a Dask distributed scheduler (env BATCHMOD_EXECUTOR).")
shard_option = click.option(
    "--shard", default=None, metavar="K/N",
    help="Only shard K of N: a stable partition of the files by path (directories kept whole for per: directory), "
         "one per CI job.")
var_option = click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help="Override a playbook variable (repeatable).")


def targets_options(command: Callable[..., None]) -> Callable[..., None]:
    """--only / --skip (Terraform's -target): fnmatch patterns over subtask ids, repeatable."""
    command = click.option("--skip", "skip", multiple=True, metavar="ID|GLOB", help="Leave out the subtasks whose id matches (repeatable).")(command)
    return click.option("--only", "only", multiple=True, metavar="ID|GLOB", help="Plan only the subtasks whose id matches, e.g. 'library/*' (repeatable).")(command)


@cli.command()
@click.argument("playbook", type=click.Path(dir_okay=True))
@root_option
@var_option
@click.option("--explain", is_flag=True,
              help="Also list each rewrite task type's rules, and warn about rules whose names occur in none of their files.")
def validate(playbook: str, root: str, variables: tuple[str, ...], explain: bool) -> None:
    """Check a playbook's schema and meaning; report every problem at once.

    Every key is described, with an example, in docs/playbook.md of batchmod's repository.
    """
    from runner.commands.validate import validate_command
    from runner.playbook.load import parse_var_overrides

    _run(lambda: validate_command(playbook, root, parse_var_overrides(variables), explain))


@cli.command(epilog=EXIT_CODES)
@click.argument("playbook", type=click.Path(dir_okay=True))
@root_option
@var_option
@click.option("--phase", default=None, help="Plan only this phase.")
@click.option("--diff", is_flag=True, help="Print unified diffs grouped by subtask.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan JSON and nothing else on stdout.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Save the plan JSON to this file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--no-cache", is_flag=True, help="Do not read or write .batchmod/cache.")
@executor_option
@shard_option
@click.option("--model", "ask_model", is_flag=True, help="Ask the model for the gaps (recorded to the cassette) and show its diffs.")
@click.option("--replay", is_flag=True, help="Answer gaps from the cassette only; a missing answer fails its subtask.")
@targets_options
@click.option("--batch", is_flag=True, help="With --model: send each phase's first attempts as one Message Batch (as model.batch).")
def plan(playbook: str, root: str, variables: tuple[str, ...], phase: str | None, diff: bool, as_json: bool,
         out: str | None, jobs: int | None, no_cache: bool, executor: str, shard: str | None, ask_model: bool, replay: bool,
         only: tuple[str, ...], skip: tuple[str, ...], batch: bool) -> None:
    """Dry run: expansion, real diffs in memory, budget use and gaps. Writes nothing."""
    from runner.adapters.git import start_git_listing, stop_git_listings

    start_git_listing(root)  # git walks the tree for untracked files while the plan's modules import
    from runner.adapters.terminal import progress_reporter
    from runner.adapters.dask import parse_executor
    from runner.planning.shard import parse_shard
    from runner.commands.model_flags import ModelFlags, batch_state
    from runner.commands.plan import PlanRequest, plan_command
    from runner.planning.targets import Targets
    from runner.playbook.load import parse_var_overrides

    def action() -> CommandResult:
        request = PlanRequest(
            playbook=playbook, root=root, overrides=parse_var_overrides(variables), phase=phase,
            jobs=jobs or _jobs_default(), diff=diff, as_json=as_json, out=out, use_cache=not no_cache,
            executor=parse_executor(executor), shard=parse_shard(shard) if shard else None,
            model=ModelFlags(ask=ask_model, replay=replay, batch=batch, batch_state=batch_state(root),
                             notify=lambda line: click.echo(line, err=True)),
            targets=Targets(only, skip),
        )
        with progress_reporter() as progress:
            return plan_command(request, progress)

    def listed_or_stopped() -> CommandResult:
        try:
            return action()
        finally:
            stop_git_listings()  # bad input before the listing: its git process is not left running

    _run(listed_or_stopped)


@cli.command()
def schema() -> None:
    """Print the playbook JSON Schema."""
    from runner.commands.schema import schema_command

    _run(schema_command)


# --- execution commands: run, status, approve, rollback, report ---


@cli.command(epilog=EXIT_CODES)
@click.argument("playbook", type=click.Path(dir_okay=True))
@root_option
@var_option
@click.option("--phase", default=None, help="Run only this phase.")
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False), default=None, help="Execute exactly this saved plan (from `plan --out`).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--branch", default=None, help="Create or switch to this git branch before writing.")
@click.option("--commit", is_flag=True, help="Commit each phase (as `commit: phase` does).")
@click.option("--allow-dirty", is_flag=True, help="Run even if files it touches have uncommitted changes.")
@click.option("--new-run", is_flag=True, help="Start a new run even if the current one is not finished (its edits and journal stay).")
@executor_option
@shard_option
@click.option("--replay", is_flag=True, help="Answer gaps from the cassette only (no network); a missing answer fails its subtask.")
@targets_options
@click.option("--batch", is_flag=True, help="Send each phase's first attempts of gap fills as one Message Batch (as model.batch).")
def run(playbook: str, root: str, variables: tuple[str, ...], phase: str | None, plan_path: str | None, yes: bool,
        jobs: int | None, branch: str | None, commit: bool, allow_dirty: bool, new_run: bool, executor: str, replay: bool,
        shard: str | None, only: tuple[str, ...], skip: tuple[str, ...], batch: bool) -> None:
    """Execute a playbook phase by phase; run it again to continue a stopped run."""
    from runner.adapters.dask import parse_executor
    from runner.planning.shard import parse_shard
    from runner.commands.run import run_command
    from runner.execution.context import RunIO
    from runner.execution.execute import RunRequest
    from runner.planning.targets import Targets
    from runner.playbook.load import parse_var_overrides

    def action() -> CommandResult:
        request = RunRequest(
            playbook=playbook, root=root, overrides=tuple(sorted(parse_var_overrides(variables).items())), phase=phase,
            plan=plan_path, yes=yes, jobs=jobs or _jobs_default(), branch=branch, commit=commit, allow_dirty=allow_dirty,
            new_run=new_run, executor=parse_executor(executor), shard=parse_shard(shard) if shard else None,
            replay=replay, batch=batch, targets=Targets(only, skip),
        )
        io = RunIO(
            notify=lambda line: click.echo(line, err=True),
            confirm=lambda question: click.confirm(question, default=False, err=True),
            interactive=sys.stdin.isatty(),
            progress=_progress_lines() if sys.stderr.isatty() else None,
        )
        return run_command(request, io)

    _run(action)


def _progress_lines() -> Callable[[str, int, int], None]:
    """Progress of long plans as plain lines (a live bar would fight the run's own lines and prompt)."""
    started: dict[str, float] = {}
    shown: dict[str, float] = {}

    def update(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        started.setdefault(label, now)
        if now - started[label] >= 2 and (now - shown.get(label, 0) >= 2 or done == total):
            shown[label] = now
            click.echo(f"  planning {label}: {done}/{total} files", err=True)

    return update


@cli.command()
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON and nothing else on stdout.")
@click.option("--run", "run_id", default=None, metavar="ID", help="Show this run (see `batchmod runs`) instead of the current one.")
def status(root: str, as_json: bool, run_id: str | None) -> None:
    """The current run: phases, subtasks by state, budgets, what a gate waits for, what to type next."""
    from runner.commands.status import status_command

    _run(lambda: status_command(root, as_json, run_id))


@cli.command()
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON and nothing else on stdout.")
def runs(root: str, as_json: bool) -> None:
    """Every run kept under .batchmod/runs: id, start, playbook, files written, state."""
    from runner.commands.runs import runs_command

    _run(lambda: runs_command(root, as_json))


@cli.command()
@click.argument("phase")
@root_option
def approve(phase: str, root: str) -> None:
    """Release a manual gate; `batchmod run` then goes on."""
    from runner.commands.approve import approve_command

    _run(lambda: approve_command(root, phase))


@cli.command()
@root_option
@click.option("--phase", default=None, help="Roll back only this phase.")
@click.option("--force", is_flag=True, help="Restore even files changed since batchmod wrote them.")
@click.option("--run", "run_id", default=None, metavar="ID", help="Roll back this run (see `batchmod runs`) instead of the current one.")
def rollback(root: str, phase: str | None, force: bool, run_id: str | None) -> None:
    """Restore the pre-images of the current run (newest phase first) or of one phase."""
    from runner.commands.rollback import rollback_command

    _run(lambda: rollback_command(root, phase, force, run_id))


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the report to this file.")
@click.option("--merge", is_flag=True, help="Merge the reports of the shard runs RUN_DIR... (run folders, .batchmod folders or roots).")
@click.argument("run_dirs", nargs=-1, metavar="[RUN_DIR]...", type=click.Path(exists=True, file_okay=False))
def report(root: str, fmt: str, out: str | None, merge: bool, run_dirs: tuple[str, ...]) -> None:
    """A PR-style summary of the current run: diffs by subtask, checks, gates, budgets, figures."""
    from runner.commands.report import report_command
    from runner.errors import InputError

    def action() -> CommandResult:
        if merge != bool(run_dirs):
            raise InputError("--merge takes the shard runs to merge: batchmod report --merge RUN_DIR RUN_DIR..."
                             if merge else f"{run_dirs[0]}: a RUN_DIR goes with --merge")
        return report_command(root, fmt, out, run_dirs)

    _run(action)


@cli.command()
@click.argument("playbook", required=False, type=click.Path(dir_okay=True))
@root_option
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True, help="Output format.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the list to this file.")
@click.option("--annotate", is_flag=True, help="Write a `# TODO(batchmod): <reason>` comment at each site (journaled; `batchmod rollback` removes them).")
def gaps(playbook: str | None, root: str, fmt: str, out: str | None, annotate: bool) -> None:
    """The people's queue: every gap left by the current run (or PLAYBOOK's plan), with a context pack per site."""
    from runner.commands.gaps import GapsRequest, gaps_command

    _run(lambda: gaps_command(GapsRequest(root, playbook, fmt, out, annotate)))


# --- batchmod test ---


@cli.command("test")
@click.argument("playbook", type=click.Path(dir_okay=True))
@root_option
@var_option
@click.option("--task", "task_types", multiple=True, metavar="NAME", help="Test only this task type (repeatable).")
def run_examples(playbook: str, root: str, variables: tuple[str, ...], task_types: tuple[str, ...]) -> None:
    """Check each task type's examples: before gives after, a second pass changes nothing."""
    from runner.commands.test import ExamplesRequest, examples_command
    from runner.playbook.load import parse_var_overrides

    _run(lambda: examples_command(ExamplesRequest(playbook, root, parse_var_overrides(variables), task_types)))


def main() -> None:
    """The ``batchmod`` entry point: run the command line, turn click's usage errors into one line and an exit code (never returns).

    The process ends without the interpreter's teardown when that changes nothing
    (``adapters.process_exit``)."""
    from runner.adapters.process_exit import exit_without_teardown

    try:
        _main()
    except SystemExit as exc:
        exit_without_teardown(exc.code)
        raise


def _main() -> None:
    global _gc_paused
    if gc.isenabled():  # start-up imports make long-lived objects only: collecting meanwhile finds nothing
        gc.disable()
        _gc_paused = True
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"batchmod: error: {exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("batchmod: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"batchmod: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
