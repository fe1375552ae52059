"""Application services: what the app and the command line do. They own sessions and transactions."""
