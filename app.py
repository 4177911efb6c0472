"""Serve the chat UI: ``python app.py [--host HOST] [--port PORT]``.

Defaults to 127.0.0.1:7860; Gradio's own ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT`` are honoured, and the
flags override them. The engine is warmed up first so the index is built with visible progress.
"""

from __future__ import annotations

import argparse
import os

from assistant import ui


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Chat with the license assistant in the browser.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="interface to listen on (env GRADIO_SERVER_NAME; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=os.environ.get("GRADIO_SERVER_PORT", "7860"),
                        help="port (env GRADIO_SERVER_PORT; default 7860)")
    args = parser.parse_args(argv)
    ui.warm_up()
    ui.launch(ui.build_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
