"""Scoring many messages: the streaming scorer behind batch, report, review, the web API and Spark."""
