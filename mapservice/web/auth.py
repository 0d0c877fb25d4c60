"""Signing in and out, one's own account and tokens, and the administrator's page.

Sessions are Flask-Login's: a signed cookie holding the account id and the account's session
version at sign-in, both checked against the account on every request, so that a disabled
account or a changed role takes effect at once, and signing out, a new password, a new role or
a deactivation end every session of the account (:mod:`mapservice.accounts.sign_in`). A session
lasts ``MAPSERVICE_SESSION_LIFETIME_H`` hours after its last request
(:mod:`mapservice.web.sessions`); signing in starts a new one, with a new CSRF token.
Machines send a personal token instead: ``Authorization: Bearer ms_…``, or HTTP Basic with the
token as the password (what QGIS and GDAL can store). Failed sign-ins are limited per client
address, and an account is locked for a while after repeated failures.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from mapservice.accounts import jobs as accounts
from mapservice.accounts import sign_in
from mapservice.domain.access import ANONYMOUS, ROLE_LABELS, Principal, Role
from mapservice.domain.collation import collated
from mapservice.errors import FormErrors, InvalidInput, NotSignedIn, StorageError, tr
from mapservice.services import Services
from mapservice.web import services, sessions

bp = Blueprint("auth", __name__)
login_manager = LoginManager()

#: Failed sign-ins allowed per client address in :data:`WINDOW_S` seconds.
MAX_ATTEMPTS, WINDOW_S = 20, 600


class SessionUser(UserMixin):  # type: ignore[misc]
    def __init__(self, who: Principal) -> None:
        self.who = who

    def get_id(self) -> str:
        """What the session keeps: ``<account id>:<session version>``."""
        return f"{self.who.user_id}:{self.who.session_version}"


def _session_user(kept: str) -> SessionUser | None:
    """The signed-in user of a session that keeps ``kept`` (see :meth:`SessionUser.get_id`);
    None when its account's sessions have ended, or it is from before session versions."""
    user_id, sep, version = kept.partition(":")
    if not (sep and user_id.isdigit() and version.isdigit()):
        return None
    who = sign_in.session_principal(services(), int(user_id), int(version))
    return SessionUser(who) if who.signed_in else None


def current_principal() -> Principal:
    user = current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return user.who  # type: ignore[no-any-return]
    return ANONYMOUS


def _token_from(req: Any) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise NotSignedIn(tr("En-tête Authorization Basic illisible.")) from None
        return decoded.partition(":")[2]
    return None


def public_map_open() -> bool:
    """The association's setting; closed when the database cannot say (fail closed)."""
    try:
        return accounts.public_map_open(services())
    except StorageError:
        return False


def _address_key() -> str:
    """The client's address (behind a trusted proxy, the one it forwards: see
    :mod:`mapservice.web.proxies`) as an HMAC under the app's secret key: failures are
    counted in the database, so that every serving process (``serve --workers N``) shares the
    count, but never under the address as it came, and only for :data:`WINDOW_S` seconds."""
    address = (request.remote_addr or "?").encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), address, "sha256").hexdigest()


def _start_session(who: Principal) -> None:
    """A new session for ``who``: nothing of the one before carries over (its CSRF token
    above all), and it lasts while it is used (:mod:`mapservice.web.sessions`)."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(SessionUser(who), remember=False)
    session.permanent = True


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if not target:
        return url_for("pages.region_map")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.region_map")
    return target


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> Any:
    errors: dict[str, str] = {}
    username = ""
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "")[:80]
        svc, address = services(), _address_key()
        if sign_in.sign_in_refused(svc, address, window_s=WINDOW_S, limit=MAX_ATTEMPTS):
            errors["username"] = _(
                "Trop d'essais depuis cette adresse : attendez quelques minutes."
            )
            status = 429
        else:
            try:
                who = sign_in.authenticate(svc, username, request.form.get("password", ""))
            except NotSignedIn as exc:
                sign_in.count_sign_in_failure(svc, address)
                errors["password"] = exc.message
                status = 401
            else:
                _start_session(who)
                return redirect(_safe_next(request.form.get("next")))
    return render_template(
        "login.html",
        errors=errors,
        username=username,
        next=request.values.get("next", ""),
        lock={"failures": sign_in.MAX_FAILURES, "minutes": sign_in.MAX_LOCK_S // 60},
    ), status


@bp.post("/deconnexion")
def logout() -> Response:
    """Sign out: end every session of the account, this browser's and any other's."""
    who = current_principal()
    if who.user_id is not None and not who.by_token:
        sign_in.end_sessions(services(), who.user_id, actor=who.username)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))  # type: ignore[return-value]


@bp.route("/compte", methods=["GET"])
def account() -> str:
    who = current_principal()
    return _account_page(who, None)


def _account_page(who: Principal, new_token: str | None) -> str:
    svc = services()
    assert who.user_id is not None
    user = accounts.get_user(svc, who.user_id)
    return render_template(
        "account.html",
        who=who,
        user=user,
        tokens=accounts.tokens(svc, who.user_id),
        new_token=new_token,
        role_labels=ROLE_LABELS,
        park_names=_park_names(svc, user.parks if user else ()),
    )


def _park_names(svc: Services, ids: Iterable[str]) -> list[str]:
    """The parks' names (an id no longer in the registry as it is), in reading order."""
    parks = svc.park_ids()
    return collated(parks[p].name if p in parks else p for p in ids)


@bp.post("/compte/jetons")
def new_token() -> str:
    who = current_principal()
    secret = accounts.make_token(services(), who.username, request.form.get("name", ""))
    return _account_page(who, secret)


@bp.post("/compte/jetons/<int:token_id>/revoquer")
def revoke_token(token_id: int) -> Response:
    who = current_principal()
    accounts.revoke_token(services(), token_id, user_id=who.user_id, actor=who.username)
    return redirect(url_for("auth.account"))  # type: ignore[return-value]


# --- administration -----------------------------------------------------------------------------


def _admin_page(
    errors: dict[str, str] | None = None, values: dict[str, Any] | None = None, status: int = 200
) -> tuple[str, int]:
    svc = services()
    users = accounts.users(svc)
    return render_template(
        "admin.html",
        users=users,
        roles=list(Role),
        role_labels=ROLE_LABELS,
        parks={p.id: p for p in collated(svc.park_ids().values(), key=lambda p: p.name)},
        park_names={u.id: _park_names(svc, u.parks) for u in users},
        public_map=public_map_open(),
        errors=errors or {},
        values={"parks": [], **(values or {})},
    ), status


@bp.get("/admin")
def admin() -> tuple[str, int]:
    return _admin_page()


@bp.post("/admin/comptes")
def admin_add_user() -> Any:
    form = request.form
    try:
        accounts.add_user(
            services(),
            username=form.get("username", ""),
            password=form.get("password", ""),
            role=form.get("role", ""),
            parks=form.getlist("parks"),
            display_name=form.get("display_name", ""),
            actor=current_principal().username,
        )
    except FormErrors as exc:
        return _admin_page(exc.fields, _typed(form), 422)
    except InvalidInput as exc:
        return _admin_page({exc.field or "username": exc.message}, _typed(form), 422)
    return redirect(url_for("auth.admin"))


def _typed(form: Any) -> dict[str, Any]:
    """The new-account form as typed, the password left out, to fill it in again."""
    return {
        "username": form.get("username", ""),
        "display_name": form.get("display_name", ""),
        "role": form.get("role", ""),
        "parks": form.getlist("parks"),
    }


@bp.post("/admin/comptes/<int:user_id>")
def admin_change_user(user_id: int) -> Any:
    svc = services()
    user = accounts.get_user(svc, user_id)
    form = request.form
    actor = current_principal().username
    try:
        if form.get("role"):
            accounts.set_role(svc, user.username, form["role"], form.getlist("parks"), actor=actor)
        if form.get("password"):
            accounts.reset_password(svc, user.username, form["password"], actor=actor)
        if form.get("active") in ("0", "1"):
            accounts.set_active(svc, user.username, form["active"] == "1", actor=actor)
    except InvalidInput as exc:
        return _admin_page({exc.field or "role": exc.message}, None, 422)
    return redirect(url_for("auth.admin"))


@bp.post("/admin/carte-publique")
def admin_public_map() -> Response:
    accounts.set_public_map(
        services(), request.form.get("public_map", ""), actor=current_principal().username
    )
    return redirect(url_for("auth.admin"))  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    login_manager.init_app(app)
    # "basic": a session holding only a CSRF token (a token client that keeps cookies) must
    # not stop the token from being read, as "strong" would by clearing it first
    login_manager.session_protection = "basic"

    login_manager.user_loader(_session_user)

    @login_manager.request_loader
    def _from_token(req: Any) -> SessionUser | None:
        secret = _token_from(req)
        if secret is None:
            return None
        return SessionUser(accounts.token_principal(services(), secret))

    app.context_processor(lambda: {"who": current_principal()})
