"""Registry of node models: NEST model names mapped to their classes."""

from .errors import UnknownModelName

__all__ = ["register", "model_class", "node_models"]

_MODELS = {}


def register(cls):
    """Class decorator: make `cls` available to ``Create`` under ``cls.model_name``."""
    _MODELS[cls.model_name] = cls
    return cls


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


def _load_builtin_models():
    import nodes  # noqa: F401  (registers the neuron and stimulus models)
    import recorders  # noqa: F401  (registers the recording devices)
