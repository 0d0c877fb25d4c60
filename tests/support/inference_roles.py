"""The readers the inference attacks run as, set up once on a copy of the live demo."""

from __future__ import annotations

from collections import Counter

from mapservice.accounts import jobs as accounts
from mapservice.services import Services
from mapservice.views import presenter
from tests.support.accounts import PASSWORD

#: Each signed-in role's account (the anonymous reader has none).
USERS = {"presenter": "presentatrice", "park_manager": "gestionnaire", "staff": "personnel"}


def open_to_every_role(svc: Services) -> str:
    """Add a presenter, a park manager (of the park with the most sites of members who did not
    consent), one saved presenter view, and open the public map; the manager's park."""
    hidden = Counter(s.park_id for s in svc.repo.sites() if s.park_id and not s.public_consent)
    park = hidden.most_common(1)[0][0]
    accounts.add_user(svc, username=USERS["presenter"], password=PASSWORD, role="presenter")
    accounts.add_user(
        svc, username=USERS["park_manager"], password=PASSWORD, role="park_manager", parks=[park]
    )
    accounts.set_public_map(svc, "1", actor="tests")
    presenter.add_view(
        svc,
        {
            "title": "Région",
            "lat": "48.4",
            "lon": "-71.5",
            "zoom": "9",
            "layers": "parks,sites,lines",
        },
        actor="tests",
    )
    return park
