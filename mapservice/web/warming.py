"""Site pages computed ahead of their first visit, in the background of a serving process.

A site page's first visit after a start, or after a site or flow changed, finds and routes the
site's candidates, works out their figures and draws their map: 60 ms and more of CPU on the
demo registry, against 30 once kept, and every serving process keeps its own. With warming on,
a daemon thread of each process computes every located site's page (default distance and order,
the default language) while the registry stays the same, and again after it changed: it reads
the registry's change stamp every ``check_every_s`` seconds. The work itself is
:func:`mapservice.views.site_page.warm_all`, the function the page's handler calls too; it
pauses between sites so that requests keep most of the process. A failure (the database away)
is logged once and tried again at the next check. A registry with more located sites than the
pages kept (``MAPSERVICE_CACHE_SITE_PAGES``) is not warmed: the pages would push each other
out. The demo's 295 sites take about 14 s of CPU per process.

Only ``mapservice serve`` turns it on (``--no-warm`` leaves it off); an app made for a test or a
script computes pages when asked, as before.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from flask_babel import force_locale

from mapservice.caching import ChangeStamp
from mapservice.errors import MapserviceError
from mapservice.services import Services
from mapservice.views.site_page import WARM_PAUSE_S, PageText, warm_all
from mapservice.web.i18n import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger("mapservice.warming")

#: How often the thread asks whether the registry changed.
CHECK_EVERY_S = 5.0


def page_text(app: Flask, lang: str = DEFAULT_LANGUAGE) -> PageText:
    """The words of a site page in ``lang``, and the site pages' address, as a visit at the
    application's root gets them (no request needed)."""
    from mapservice.web.site_pages import page_text as words

    site_url = (
        app.url_map.bind("localhost")
        .build("site_pages.site", {"site_id": 987654321})
        .replace("987654321", "{id}")
    )
    with app.app_context(), force_locale(LANGUAGES[lang]):
        return words(lang, site_url)


def start(
    app: Flask, *, pause_s: float = WARM_PAUSE_S, check_every_s: float = CHECK_EVERY_S
) -> threading.Event:
    """Start warming ``app``'s site pages in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_run,
        args=(app.extensions["mapservice"], page_text(app), stop),
        kwargs={"pause_s": pause_s, "check_every_s": check_every_s},
        name="mapservice-warming",
        daemon=True,
    )
    thread.start()
    return stop


def _run(
    svc: Services, text: PageText, stop: threading.Event, *, pause_s: float, check_every_s: float
) -> None:
    warmed: tuple[object, ...] | None = None
    failing = False
    while not stop.is_set():
        try:
            stamp: ChangeStamp = svc.change_stamp()
            if stamp.key() != warmed:
                done = warm_all(svc, text, stop=stop, pause_s=pause_s)
                if svc.change_stamp().key() == stamp.key():
                    warmed = stamp.key()
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
        stop.wait(check_every_s)
