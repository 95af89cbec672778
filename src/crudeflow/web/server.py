"""Serving the app: a threaded WSGI server on 127.0.0.1 unless told otherwise (and then a warning), the
address on standard error, and a clean stop on Ctrl-C (SIGINT) or SIGTERM: running studies are cancelled and
the port released."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from werkzeug.serving import make_server

from crudeflow.api import Dataset
from crudeflow.web.app import create_app
from crudeflow.web.guard import bind_note


def serve(dataset: Dataset, out: Path, host: str, port: int) -> int:
    app = create_app(dataset, out)
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_disable_version_check=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on standard error
    server = make_server(host, port, app.server, threaded=True)
    note = bind_note(host)
    if note:
        print(note, file=sys.stderr)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"crudeflow serve: http://{shown_host}:{server.server_port}/ (dataset {dataset.name}; files in {out}); "
          "Ctrl-C stops", file=sys.stderr, flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGINT too: a shell that starts the server in the background hands it SIGINT ignored
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.server_close()
        app.server.extensions["crudeflow"].jobs.shutdown()
    print("crudeflow serve: stopped", file=sys.stderr)
    return 0
