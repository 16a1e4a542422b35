"""cuishou: label debt-collection messages (SMS, chat, call transcripts) by the PRC rules they may break.

Public API::

    from classifier import Classifier
    pred = Classifier.load().predict("再不还钱就爆你通讯录")
    pred.primary_label, pred.tags, pred.scores

``import classifier`` is light: the model's libraries (scikit-learn, OpenCC) load when
``Classifier`` is first used, so commands that need no model start fast.
"""

__version__ = "0.1.0"

from .labels import PRECEDENCE, TAG_NAMES, TAGS

__all__ = ["PRECEDENCE", "TAGS", "TAG_NAMES", "Classifier", "ModelError", "Prediction", "__version__"]

_LAZY = {"Classifier": "modeling.predict", "ModelError": "modeling.persistence", "Prediction": "modeling.results"}


def __getattr__(name: str):
    """Import ``Classifier``, ``ModelError`` and ``Prediction`` on first use (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
