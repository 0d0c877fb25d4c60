"""Site pages computed ahead of their first visit, in the background of a serving process.

A site page's first visit after a start, or after a site or flow changed, finds and routes the
site's candidates, works out their figures and draws their map: 60 ms and more of CPU on the
demo registry, against 30 once kept, and every serving process keeps its own. With warming on,
a daemon thread of each process computes every located site's page (default distance and order,
the default language) while the registry stays the same, and again after it changed: it checks
the registry's stamp every :data:`CHECK_EVERY_S` seconds. It pauses between sites so that
requests keep most of the process, and a failure (the database away) is logged once and tried
again at the next check. A registry with more located sites than the pages kept
(:data:`~mapservice.web.site_pages.KEPT_TABLES`) is not warmed: the pages would push each other
out. The demo's 295 sites take about 14 s of CPU per process.

Only ``mapservice serve`` turns it on (``--no-warm`` leaves it off); an app made for a test or a
script computes pages when asked, as before.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from mapservice.errors import MapserviceError

log = logging.getLogger("mapservice.warming")

#: How often the thread asks whether the registry changed.
CHECK_EVERY_S = 5.0
#: Pause between two sites (each takes about 50 ms of CPU on the demo registry): requests
#: arriving meanwhile get the interpreter, and warming takes about half of one core.
PAUSE_S = 0.05


def warm_all(app: Flask, stop: threading.Event | None = None) -> int:
    """Compute the page of every located site of ``app``'s registry; return how many.

    Stops early (returning the count so far) when ``stop`` is set or the registry changed
    meanwhile: the next round starts over on the new registry.
    """
    from mapservice.web import site_pages

    svc = app.extensions["mapservice"]
    stamp = svc.repo.registry_stamp()
    ids = [s.id for s in svc.repo.sites() if s.id is not None and s.lon is not None]
    if len(ids) > site_pages.KEPT_TABLES:
        log.info("site pages not computed ahead: %s located sites, more than the %s kept",
                 len(ids), site_pages.KEPT_TABLES)
        return 0
    done = 0
    for site_id in ids:
        if stop is not None and stop.wait(PAUSE_S):
            break
        if svc.repo.registry_stamp() != stamp:
            break
        with app.test_request_context(f"/sites/{site_id}"):
            site_pages.warm(site_id)
        done += 1
    return done


def start(app: Flask) -> threading.Event:
    """Start warming ``app``'s site pages in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=_run, args=(app, stop), name="mapservice-warming",
                              daemon=True)
    thread.start()
    return stop


def _run(app: Flask, stop: threading.Event) -> None:
    warmed: Any = None
    failing = False
    while not stop.is_set():
        try:
            stamp = app.extensions["mapservice"].repo.registry_stamp()
            if stamp != warmed:
                done = warm_all(app, stop)
                if app.extensions["mapservice"].repo.registry_stamp() == stamp:
                    warmed = stamp
                log.info("site pages computed ahead: %s", done)
            failing = False
        except MapserviceError as exc:  # the database away, a file gone: try again later
            if not failing:
                log.warning("site pages not computed ahead: %s", exc)
            failing = True
        except Exception:  # noqa: BLE001 - a bug must not end the thread silently, nor spam
            if not failing:
                log.exception("site pages not computed ahead")
            failing = True
        stop.wait(CHECK_EVERY_S)
