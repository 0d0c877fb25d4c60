"""The classification queue: flows imported « à classer », grouped by their material text.

An import keeps a row whose material text the classifier is not sure of (see
:mod:`mapservice.importing.grouping`); the flow waits here, out of matching, with the
classifier's suggestions. One choice classifies every flow of the same wording and keeps the
wording as a staff correction, so the next import classifies it by itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mapservice.domain.collation import collation_key
from mapservice.domain.model import Direction, Flow
from mapservice.errors import InvalidInput, NotFound, tr
from mapservice.materials.classify import Classifier
from mapservice.registry.category_words import correct_category

if TYPE_CHECKING:
    from mapservice.services import Services


@dataclass(frozen=True)
class QueueGroup:
    """Every flow « à classer » whose material text has the same :meth:`Classifier.key`."""

    key: str
    #: The wording as first written.
    text: str
    flow_ids: tuple[int, ...]
    n_offers: int
    n_needs: int
    #: Category codes, the most suggested first.
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class Classified:
    """What one choice in the queue did."""

    text: str
    code: str
    #: Flows moved to ``code`` and back into matching.
    n_flows: int
    #: Flows left in the queue: the site already had the same flow in ``code``.
    n_twins: int


def queue(services: Services) -> list[QueueGroup]:
    """Return the flows « à classer », grouped by wording, the largest groups first."""
    groups: dict[str, list[Flow]] = defaultdict(list)
    for flow in services.repo.flows():
        if flow.to_classify and flow.id is not None:
            groups[_key(flow)].append(flow)
    out = []
    for key, flows in groups.items():
        votes: dict[str, int] = defaultdict(int)
        for flow in flows:
            for rank, code in enumerate(flow.suggestions):
                votes[code] += len(flow.suggestions) - rank
        out.append(
            QueueGroup(
                key=key,
                text=_text(flows[0]),
                flow_ids=tuple(int(f.id) for f in flows if f.id is not None),
                n_offers=sum(f.direction is Direction.OUTPUT for f in flows),
                n_needs=sum(f.direction is Direction.INPUT for f in flows),
                suggestions=tuple(sorted(votes, key=lambda c: (-votes[c], c)))[:3],
            )
        )
    return sorted(out, key=lambda g: (-len(g.flow_ids), collation_key(g.text)))


def classify_wording(
    services: Services, *, key: str, code: str, flow_ids: list[int], actor: str
) -> Classified:
    """Classify every flow « à classer » of one wording in ``code`` and remember the wording.

    ``flow_ids`` are the flows the person saw: if one of them was deleted meanwhile, nothing is
    written and :class:`~mapservice.errors.NotFound` says so. Flows of the same wording added
    since are classified too.
    """
    if services.taxonomy.get(code) is None:
        raise InvalidInput(tr("Catégorie inconnue : {code!r}.", code=code), field="category")
    present = {f.id: f for f in services.repo.flows()}
    gone = [i for i in flow_ids if i not in present]
    if gone:
        raise NotFound(
            tr(
                "L'offre ou le besoin n° {flow_id} a été supprimé entre-temps : rien n'a été "
                "classé. Voici la file à jour.",
                flow_id=gone[0],
            )
        )
    waiting = [f for f in present.values() if f.to_classify and _key(f) == key]
    if not waiting:
        raise NotFound(
            tr("Plus aucune offre ni aucun besoin n'attend ce classement : la file a changé.")
        )
    text = _text(waiting[0])
    correct_category(services, text, code, actor)
    done = twins = 0
    for flow in waiting:
        try:
            # The description again: its key loses the material text (see PlannedFlow.key_text).
            services.repo.update_flow(
                int(flow.id or 0),
                {"category_code": code, "description": flow.description},
                actor=actor,
            )
        except InvalidInput:  # the site already has this flow in that category
            twins += 1
        else:
            done += 1
    return Classified(text=text, code=code, n_flows=done, n_twins=twins)


def _text(flow: Flow) -> str:
    return flow.material_text or flow.description


def _key(flow: Flow) -> str:
    return Classifier.key(_text(flow)) or _text(flow).casefold()
