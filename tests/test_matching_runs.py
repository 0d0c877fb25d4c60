"""Rerunning the whole-registry matching from the board: a real thread over real SQLite."""

from __future__ import annotations

from mapservice.matching.runs import Stage
from tests.support.accounts import sign_in


def test_the_button_starts_a_run_refuses_a_second_and_the_run_finishes(app):
    svc = app.extensions["mapservice"]
    assert svc.repo.count_synergies() == 0
    web = sign_in(app.test_client(), "personnel")
    board = web.get("/synergies").get_data(as_text=True)
    assert 'id="run-matching"' in board and "Aucun appariement lancé" in board
    runs = app.extensions["matching_runs"]
    runs.hold()  # the run waits at its start until released: the second click finds it going
    try:
        resp = web.post("/synergies/appariement")
        assert resp.status_code == 303 and resp.headers["Location"].endswith(
            "/synergies#appariement"
        )
        state = web.get("/synergies/appariement/etat").get_json()
        assert state["running"] is True and state["started_by"] == "personnel"
        page = web.get("/synergies")  # pages keep answering meanwhile
        assert page.status_code == 200
        assert 'id="run-matching" disabled' in page.get_data(as_text=True)
        second = web.post("/synergies/appariement")
        text = second.get_data(as_text=True)
        assert second.status_code == 409
        assert "Un appariement est déjà en cours (lancé par personnel" in text
    finally:
        runs.release()
    done = runs.wait(timeout_s=300)
    assert done.stage is Stage.DONE, done
    assert done.candidates and done.candidates > 1000
    assert svc.repo.count_synergies() == done.candidates
    state = web.get("/synergies/appariement/etat").get_json()
    assert state["stage"] == "done" and not state["running"]
    assert "Appariement terminé" in state["text"]
    board = web.get("/synergies").get_data(as_text=True)
    assert "Aucune synergie n'est encore suivie" not in board


def test_a_run_needs_the_csrf_token_and_staff(app):
    web = sign_in(app.test_client(), "personnel")
    del web.environ_base["HTTP_X_CSRFTOKEN"]
    assert web.post("/synergies/appariement").status_code == 400
    manager = sign_in(app.test_client(), "gestion")
    assert manager.post("/synergies/appariement").status_code == 403
    assert app.extensions["matching_runs"].state().stage is Stage.IDLE
