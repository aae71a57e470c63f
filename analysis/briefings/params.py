"""Briefing parameters: how each is declared, and how a value is checked.

Each briefing kind declares its parameters once, in its module under :mod:`analysis.briefings`
(with the factories below: :func:`region_parameter`, :func:`include_context_parameter`,
:func:`partner_parameter`). This module reads those declarations. The builder calls
:func:`check_parameters` before any kernel starts; each notebook calls it (through
:func:`analysis.briefings.open_briefing`) in its first cell after the parameters. Both get the
same normalised values or the same :class:`ParameterError`, whose message names the notebook,
the parameter and the value and lists what is allowed (with close matches).

A notebook's ``parameters`` cell is written from the declaration
(:func:`analysis.briefings.parameters_cell`); ``scripts/sync_parameters.py --check`` and the tests
keep the two in step.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import ParameterError, close_matches, did_you_mean, listing, shorten
from ..model.regions import WORLD

ALL_PARTNERS = "all"
#: The words read as true and as false, for a boolean given as text (``--param x=no``).
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})


def parse_bool(text: str) -> bool | None:
    """True or False for one of :data:`TRUE_WORDS` / :data:`FALSE_WORDS` (any case), else None."""
    word = str(text).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its type, default, help, and how a value is checked."""

    name: str
    type: type
    default: Any
    help: str
    #: A closed list of allowed values (computed on demand), or None for a free value.
    choices: Callable[[], list[str]] | None = None
    #: For a free value: the values worth listing (e.g. the region names); not exhaustive.
    suggestions: Callable[[], list[str]] | None = None
    #: For a free value: returns the normalised value or raises ValueError with the reason.
    validate: Callable[[Any], Any] | None = None

    @property
    def type_name(self) -> str:
        return self.type.__name__

    def cell_line(self) -> str:
        """The line of a notebook's ``parameters`` cell declaring this parameter."""
        return f"{self.name}: {self.type_name} = {self.default!r}  # {self.help}"


# --- validators --------------------------------------------------------------------------------

def _region_suggestions() -> list[str]:
    from ..model.regions import region_choices

    return list(region_choices())


def normalise_region(value: str) -> str:
    """The canonical name of a region value (any value ``resolve_region`` accepts): the
    selection's label when it resolves to the same selection, else its key. Raises the region
    module's RegionError (a ValueError) for a value it does not accept."""
    from ..model.queries import canonical_region
    from ..model.regions import resolve_region

    return canonical_region(resolve_region(value))


def _partner_choices() -> list[str]:
    from ..model.queries import partner_choices

    return [ALL_PARTNERS, *partner_choices()]


#: Longest partner value considered (the longest partner name is under 100 characters).
PARTNER_MAX_LENGTH = 150


def normalise_partner(value: str) -> str:
    """"all", or the partner id matching an id, name or acronym (any case)."""
    from ..model.queries import find_partner

    text = str(value).strip()
    if text.casefold() == ALL_PARTNERS:
        return ALL_PARTNERS
    if not text:
        raise ValueError(f"partner is empty; name one, or {ALL_PARTNERS!r}")
    if len(text) > PARTNER_MAX_LENGTH:
        raise ValueError(f"partner value {shorten(text)} is too long ({len(text)} characters; "
                         f"at most {PARTNER_MAX_LENGTH})")
    found = find_partner(text)
    if found is None:
        from ..model.queries import dataset

        partners = dataset().partners.sort_values("name", kind="stable")
        listed = [f"{pid} ({name})" for pid, name in zip(partners["partner_id"], partners["name"])]
        known = [str(v) for column in ("acronym", "partner_id", "name")
                 for v in partners[column].dropna()]
        close = close_matches(text, known)
        # A suggestion stays on a short line; without one, the first partners show the form.
        shown = "" if close else f"; partners include: {ALL_PARTNERS}, {listing(listed, 6)}"
        raise ValueError(f"no partner with id, name or acronym {shorten(text)}"
                         f"{did_you_mean(close)}{shown} (`briefings list --notebook partnerships` "
                         "lists them all)")
    return found


# --- the parameters briefing kinds share -------------------------------------------------------

REGION_HELP = ("M49 region or subregion (e.g. 'Western Africa'), a UN regional office's coverage "
               "(e.g. 'UNOCA'), a country name or ISO code, or 'World'")
CONTEXT_HELP = "also show public context figures (labelled as such, with their source)"
PARTNER_HELP = "'all', or one partner by id, name or acronym (e.g. 'AU', 'European Union')"


def region_parameter(default: str = WORLD) -> Parameter:
    """The ``region`` parameter: any value :func:`analysis.model.regions.resolve_region` accepts."""
    return Parameter("region", str, default, REGION_HELP, suggestions=_region_suggestions,
                     validate=normalise_region)


def include_context_parameter(default: bool = True) -> Parameter:
    """The ``include_context`` parameter: whether public context figures are shown."""
    return Parameter("include_context", bool, default, CONTEXT_HELP)


def partner_parameter(default: str = ALL_PARTNERS) -> Parameter:
    """The ``partner`` parameter: "all", or one partner by id, name or acronym."""
    return Parameter("partner", str, default, PARTNER_HELP, suggestions=_partner_choices,
                     validate=normalise_partner)


# --- lookups -----------------------------------------------------------------------------------

def notebook_names() -> list[str]:
    """The names of the briefing kinds (each one a notebook), sorted."""
    from . import registry

    return registry.names()


def declared_parameters(notebook: str) -> dict[str, Parameter]:
    """The parameters declared for ``notebook``, in order (ParameterError for an unknown one)."""
    from . import registry

    return {p.name: p for p in registry.kind(notebook).parameters}


def notebook_path(notebook: str) -> Path:
    """Path of the briefing notebook called ``notebook`` (ParameterError for an unknown one)."""
    from . import registry

    return registry.kind(notebook).notebook_path


def _parameter(notebook: str, name: str) -> Parameter:
    params = declared_parameters(notebook)
    if name not in params:
        names = list(params)
        raise ParameterError(
            f"notebook {notebook!r} has no parameter {name!r}{did_you_mean(close_matches(name, names))}; "
            f"parameters: {', '.join(names)}", notebook=notebook, parameter=name, allowed=names)
    return params[name]


def allowed_values(notebook: str, name: str) -> list[str] | None:
    """The closed list of values parameter ``name`` allows, or None for a free value of its type.

    A free value is checked by the parameter's validator (see :func:`suggested_values` for the
    values worth listing). Booleans allow True and False.
    """
    param = _parameter(notebook, name)
    if param.type is bool:
        return ["True", "False"]
    return list(param.choices()) if param.choices else None


def suggested_values(notebook: str, name: str) -> list[str]:
    """Values worth listing for parameter ``name``: the allowed ones, or examples of free ones."""
    param = _parameter(notebook, name)
    allowed = allowed_values(notebook, name)
    if allowed is not None:
        return allowed
    return list(param.suggestions()) if param.suggestions else []


def defaults(notebook: str) -> dict[str, Any]:
    """The declared default of every parameter of ``notebook``."""
    return {name: p.default for name, p in declared_parameters(notebook).items()}


def describe(notebook: str) -> list[dict[str, Any]]:
    """One dict per parameter: name, type, default, help, allowed (list or None), suggestions."""
    return [{"name": name, "type": p.type_name, "default": p.default, "help": p.help,
             "allowed": allowed_values(notebook, name),
             "suggestions": suggested_values(notebook, name)}
            for name, p in declared_parameters(notebook).items()]


# --- checking ----------------------------------------------------------------------------------

def _check_type(notebook: str, param: Parameter, value: Any) -> Any:
    where = f"parameter {param.name!r} of notebook {notebook!r}"
    if param.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and parse_bool(value) is not None:
            return parse_bool(value)
        raise ParameterError(
            f"{where} expects true or false (bool), got {type(value).__name__} {value!r}",
            notebook=notebook, parameter=param.name, value=value, allowed=["True", "False"])
    if param.type is str:
        if isinstance(value, str):
            return value
        raise ParameterError(
            f"{where} expects text (str), got {type(value).__name__} {value!r}",
            notebook=notebook, parameter=param.name, value=value)
    if not isinstance(value, param.type) or isinstance(value, bool):
        raise ParameterError(
            f"{where} expects {param.type_name}, got {type(value).__name__} {value!r}",
            notebook=notebook, parameter=param.name, value=value)
    return value


def check_value(notebook: str, name: str, value: Any) -> Any:
    """The normalised value of one parameter, or ParameterError naming it and what is allowed."""
    param = _parameter(notebook, name)
    value = _check_type(notebook, param, value)
    where = f"parameter {name!r} of notebook {notebook!r}"
    if param.choices is not None:
        options = list(param.choices())
        if value not in options:
            raise ParameterError(
                f"{where} does not allow {shorten(value)}{did_you_mean(close_matches(value, options))}; "
                f"allowed: {listing(options)}",
                notebook=notebook, parameter=name, value=value, allowed=options)
        return value
    if param.validate is not None:
        try:
            return param.validate(value)
        except ValueError as err:
            options = list(param.suggestions()) if param.suggestions else []
            reason = " ".join(str(err).split())  # one line
            already_listed = sum(o in reason for o in options[:10]) >= min(3, len(options))
            hinted = "did you mean" in reason.casefold()
            if options and not hinted:
                close = close_matches(value, options)
                reason += did_you_mean(close)
                hinted = bool(close)
            # With a suggestion, the line stays short: `briefings list` shows every value.
            listed = f"; allowed values include: {listing(options)}" \
                if options and not (already_listed or hinted) else ""
            raise ParameterError(f"{where} does not allow {shorten(value)}: {reason}{listed}",
                                 notebook=notebook, parameter=name, value=value,
                                 allowed=options) from None
    return value


def check_parameters(notebook: str, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check ``values`` for ``notebook`` and return every parameter's normalised value.

    Parameters not given take their declared default. Raises :class:`ParameterError` for an
    unknown notebook, an unknown parameter, a value of the wrong type or a value not allowed.
    """
    params = declared_parameters(notebook)
    values = dict(values or {})
    for name in values:
        _parameter(notebook, name)
    return {name: check_value(notebook, name, values.get(name, param.default))
            for name, param in params.items()}
