"""Application services: what the app and the command line do, owning sessions and transactions."""
