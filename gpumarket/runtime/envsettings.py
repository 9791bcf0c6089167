"""Settings read from environment variables: the part of pydantic-settings the services use.

`BaseSettings` is a pydantic model whose fields default to `<env_prefix><FIELD>` variables
(matched case-insensitively), values given in code winning; list, dict, tuple, set and model
fields are read as JSON. Unknown fields are refused, and defaults validated, as pydantic-settings
does.

Why not pydantic-settings itself: every release of it needs python-dotenv >= 0.21 (2.16: >=
1.2.2), while eth-brownie 1.22.2 pins python-dotenv == 0.16.0, so no set of packages satisfies
both and `pip check` could never pass. The services use no .env files, secrets directories or
nested settings: environment variables only, which is this module.
"""

from __future__ import annotations

import json
import os
import types
import typing
from typing import Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict

_COMPLEX = (list, tuple, set, frozenset, dict)


class SettingsConfigDict(ConfigDict, total=False):
    """A model's config with `env_prefix`, the prefix of its environment variables."""

    env_prefix: str


def _is_complex(annotation: Any) -> bool:
    """Whether a field of this type is read from JSON (as pydantic-settings decides)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_complex(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if origin is typing.Annotated:
        return _is_complex(typing.get_args(annotation)[0])
    target = origin or annotation
    return isinstance(target, type) and (
        issubclass(target, _COMPLEX) or issubclass(target, BaseModel)
    )


class BaseSettings(BaseModel):
    """A model whose fields come from the environment unless given."""

    model_config: ClassVar[ConfigDict] = SettingsConfigDict(
        extra="forbid", validate_default=True, env_prefix=""
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**self.from_environment(), **values})

    @classmethod
    def from_environment(cls) -> dict[str, Any]:
        """The fields the environment sets, as raw values (JSON decoded where complex)."""
        prefix = str(cast(dict[str, Any], cls.model_config).get("env_prefix", "")).lower()
        environment = {key.lower(): value for key, value in os.environ.items()}
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            raw = environment.get(f"{prefix}{name}".lower())
            if raw is None:
                continue
            if _is_complex(field.annotation):
                try:
                    values[name] = json.loads(raw)
                except ValueError as exc:
                    raise ValueError(
                        f"{prefix.upper()}{name.upper()} is not valid JSON: {exc}"
                    ) from None
            else:
                values[name] = raw
        return values
