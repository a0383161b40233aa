"""A quicker way into the commands that must answer at once (`source`): their command line read
here rather than by Typer.

Why: Typer 0.29 checks every parameter of a command with a pydantic TypeAdapter, so reading one
command line imports pydantic and builds a dozen adapters, and it builds the click commands of
the whole app first: ~0.1-0.15 s of CPU, a quarter of the half second a search may take
(issue #18). The command itself is the same function with the same arguments.

Only plain command lines are read here: every parameter a str, int, Path, bool flag or list of
str declared with explicit option names and nothing else (no callback, environment variable,
bounds, prompt...), given as `--opt value`, `--opt=value` or a bare flag. Anything else (--help,
--version, an unknown or repeated option, a value that looks like an option, a number that is not
plainly written, `--`, a missing argument) returns None and goes to Typer, which reads it and
reports errors as it always does. A test checks that both give the command the same arguments.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from typer.models import ArgumentInfo, OptionInfo

# a number as a person writes it; other spellings (" 7", "+7", "1_000", "007", "-7") go to Typer
_INT = re.compile(r"(0|[1-9][0-9]{0,17})\Z")
# ParameterInfo attributes that change how a value is read: any of them set -> Typer reads it
_SPECIAL = ("callback", "envvar", "parser", "click_type", "min", "max", "is_eager",
            "default_factory", "prompt", "count", "resolve_path", "exists", "allow_dash",
            "path_type")


class _NotPlain(Exception):
    """This command or command line is left to Typer."""


def _param_types(fn: Callable[..., Any]
                 ) -> list[tuple[str, type, bool, tuple[str, ...] | None, Any]]:
    """(name, base type, is a list, option names or None for an argument, default) of each
    parameter of `fn`."""
    out = []
    for name, p in inspect.signature(fn, eval_str=True).parameters.items():
        if get_origin(p.annotation) is not Annotated:
            raise _NotPlain(name)
        base, *meta = get_args(p.annotation)
        infos = [m for m in meta if isinstance(m, (OptionInfo, ArgumentInfo))]
        if len(infos) != 1 or any(getattr(infos[0], a, None) not in (None, False)
                                  for a in _SPECIAL):
            raise _NotPlain(name)
        args = [a for a in get_args(base) if a is not type(None)]
        is_list = get_origin(base) is list or (len(args) == 1 and get_origin(args[0]) is list)
        if is_list:
            inner = get_args(base if get_origin(base) is list else args[0])
            base = inner[0] if len(inner) == 1 else None
        elif get_origin(base) is not None:  # X | None
            base = args[0] if len(args) == 1 else None
        if base not in (str, int, bool, Path) or (is_list and base is not str):
            raise _NotPlain(name)
        out.append((name, base, is_list, _decls(infos[0]), p.default))
    return out


def _decls(info: OptionInfo | ArgumentInfo) -> tuple[str, ...] | None:
    """An option's names (None for an argument). In `Annotated[..., typer.Option("--x")]` the
    first name sits in `default` (Typer moves it, utils.get_params_from_function)."""
    if isinstance(info, ArgumentInfo):
        return None
    decls = tuple(d for d in (info.default, *(info.param_decls or ())) if d is not ...)
    if not decls or not all(isinstance(d, str) and d.startswith("--") and "/" not in d
                            for d in decls):
        raise _NotPlain(decls)  # names derived by Typer, short or on/off names: left to it
    return decls


def _value(base: type, text: str) -> Any:
    if text.startswith("-") or text == "":
        raise _NotPlain(text)
    if base is int:
        if not _INT.match(text):
            raise _NotPlain(text)
        return int(text)
    return Path(text) if base is Path else text


def parse(fn: Callable[..., Any], args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments Typer would call `fn` with for the command line `args` (after the
    command's name), or None when it is not a plain one."""
    try:
        params = _param_types(fn)
        options = {decl: (name, base, is_list)
                   for name, base, is_list, decls, _ in params for decl in decls or ()}
        positional = [(name, base) for name, base, _, decls, _ in params if decls is None]
        got: dict[str, Any] = {}
        rest: list[str] = []
        i = 0
        while i < len(args):
            a = args[i]
            i += 1
            if not a.startswith("-") or a == "-":  # click reads "-x" as an option, "-" not
                rest.append(a)
                continue
            opt, eq, inline = a.partition("=")
            if opt not in options:
                raise _NotPlain(opt)
            name, base, is_list = options[opt]
            if base is bool:
                if eq or name in got:
                    raise _NotPlain(opt)
                got[name] = True
                continue
            if eq:
                text = inline
            elif i < len(args):
                text = args[i]
                i += 1
            else:
                raise _NotPlain(opt)
            value = _value(base, text)
            if is_list:
                got.setdefault(name, []).append(value)
            elif name in got:
                raise _NotPlain(opt)
            else:
                got[name] = value
        if len(rest) != len(positional):
            raise _NotPlain("arguments")
        for (name, base), text in zip(positional, rest, strict=True):
            got[name] = _value(base, text)
        kwargs = {}
        for name, _base, _list, _decl, default in params:
            if name in got:
                kwargs[name] = got[name]
            elif default is inspect.Parameter.empty:
                raise _NotPlain(name)
            else:
                kwargs[name] = default
        return kwargs
    except _NotPlain:
        return None
