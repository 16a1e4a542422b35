"""The model: corpus split, the scikit-learn pipeline, training, evaluation, loading, prediction and evidence."""
