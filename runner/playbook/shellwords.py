"""The first real program of a shell command line, for the "not on PATH" lint."""
from __future__ import annotations

import re
import shlex

#: tokens that end one simple command and start another
_SEPARATORS = {"&&", "||", ";", ";;", "|", "|&", "&", "(", ")", "((", "))"}
#: words that may come before a command's program: keywords, prefixes, grouping
_PREFIXES = {"!", "{", "}", "if", "then", "else", "elif", "fi", "while", "until", "do", "done",
             "time", "exec", "command", "builtin", "nohup", "nice", "env", "sudo", "xargs"}
#: shell builtins and compound words: the rest of that simple command names no program
_BUILTINS = {"cd", "test", "[", "[[", "]]", "true", "false", "echo", "exit", "set", "export", "source", ".",
             ":", "printf", "pwd", "read", "unset", "shift", "trap", "umask", "wait", "return", "eval",
             "ulimit", "alias", "local", "declare", "pushd", "popd", "for", "case", "select", "function"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_SYNTAX = re.compile(r"[$`(){};|&<>*?\[\]~]")


def first_program(command: str) -> str | None:
    """The program the command line starts, past shell keywords, ``VAR=x`` assignments,
    ``(``/``{`` groups and builtins such as ``cd dir &&``; None when it cannot be told
    (a variable, a substitution, unbalanced quotes) or there is none."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return None
    at_start = True
    for token in tokens:
        if token in _SEPARATORS or set(token) <= set(";&|()"):
            at_start = True
        elif not at_start:
            continue
        elif token in _PREFIXES or _ASSIGNMENT.match(token) or (token.startswith("-") and token != "-"):
            continue  # `env -i`, `nice -n 5`: options of a prefix word
        elif token in _BUILTINS:
            at_start = False
        elif token.isdigit() or token in (">", "<", ">>"):
            at_start = False  # a redirection before the program: give up on this one
        else:
            return None if _SHELL_SYNTAX.search(token) else token
    return None
