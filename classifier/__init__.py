"""cuishou: label debt-collection messages (SMS, chat, call transcripts) by the PRC rules they may break.

Public API::

    from classifier import Classifier
    pred = Classifier.load().predict("再不还钱就爆你通讯录")
    pred.primary_label, pred.tags, pred.scores
"""

__version__ = "0.1.0"

from .labels import PRECEDENCE, TAG_NAMES, TAGS
from .modeling.predict import Classifier, ModelError, Prediction

__all__ = ["PRECEDENCE", "TAGS", "TAG_NAMES", "Classifier", "ModelError", "Prediction", "__version__"]
