"""``python -m amplify_mock [serve] [--host 127.0.0.1] [--port 5000]``."""

from .server import main

if __name__ == "__main__":
    raise SystemExit(main())
