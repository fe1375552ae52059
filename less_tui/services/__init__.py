"""The application services: what the app, the command line and the exports ask for. They own the
database sessions and transactions (through ``storage``) and hand back plain data; screens, the CLI and
the exports call them and never ``storage``."""
