"""Errors the core raises; only the CLI turns them into exit codes."""


class ParleyError(Exception):
    """Base of every error Parley raises on purpose."""


class ConfigError(ParleyError):
    """The YAML configuration is missing, unreadable or invalid.

    The message names the file, the key path and what is expected.
    """


class FetchError(ParleyError):
    """A feed or article could not be fetched (network, HTTP status, size, redirects)."""


class ParseError(ParleyError):
    """Fetched bytes are not a usable feed."""


class StorageError(ParleyError):
    """The store could not be opened, migrated or written."""
