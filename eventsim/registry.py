"""Registry of node models: NEST model names mapped to their classes."""

import threading

from .errors import UnknownModelName

__all__ = ["register", "unregister", "model_class", "node_models", "add_loader"]

_MODELS = {}
_LOADERS = []
# Threads with kernels of their own may look up their first model at the same time: one loads.
_LOADING = threading.RLock()


def register(cls):
    """Class decorator: make `cls` available to ``Create`` under ``cls.model_name``."""
    _MODELS[cls.model_name] = cls
    return cls


def unregister(name):
    """Remove model `name` (a model defined by a user; the built-in models stay)."""
    _MODELS.pop(name, None)


def model_class(name):
    """Return the class of model `name`; raise :class:`UnknownModelName` listing the known ones."""
    _load_builtin_models()
    try:
        return _MODELS[name]
    except (KeyError, TypeError):
        raise UnknownModelName(f"unknown model {name!r}: {name} is not a known model name; available models: "
                               f"{', '.join(sorted(_MODELS))}") from None


def node_models():
    """Names of all registered models, sorted."""
    _load_builtin_models()
    return tuple(sorted(_MODELS))


def add_loader(loader):
    """Call `loader` (no arguments; it imports modules that :func:`register` models) before the first look-up.

    The front end adds the import of the built-in models here, so that the
    core never imports the layers above it and the models load on first use.
    """
    _LOADERS.append(loader)


def _load_builtin_models():
    if not _LOADERS:
        return
    with _LOADING:
        while _LOADERS:
            _LOADERS[0]()
            _LOADERS.pop(0)
