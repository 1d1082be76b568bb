"""``tomllib`` on every supported Python: the standard library's from 3.11,
its twin ``tomli`` (a conditional dependency, ``python_version < "3.11"``)
on 3.10. Everything that reads TOML imports it from here:
``from coursekit._toml import tomllib``."""

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

__all__ = ["tomllib"]
