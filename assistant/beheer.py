"""The coordinators' pages at /beheer and the scripts' API at /api/documents.

Plain server-rendered pages (forms, no framework): they work at phone width and without
JavaScript but for one small script of the app's own that fills in an organisation's usual
type, country and themes. Every page is Dutch, escapes every text it shows, and is sent with a
Content-Security-Policy that lets only that script run. Logging in takes the password whose
hash is in admin_password; the session cookie is HttpOnly and SameSite=Strict, and every form
carries the session's token. The API takes `Authorization: Bearer <admin_token>`; without it,
401 and nothing changes.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from collections.abc import Sequence
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from assistant.admin import Sessions, check_password, check_token
from assistant.catalog import CatalogEntry
from assistant.facets import country_name
from assistant.library import (
    FIELDS,
    DocumentRow,
    JobState,
    Library,
    LibraryError,
    Refused,
    Staged,
)
from assistant.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "beheer_sessie"
UPLOAD_FILES_MAX = 20

_CSS = """
body { font-family: system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif; color: #1a1a1a;
  max-width: 64rem; margin: 0 auto; padding: 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
label { display: block; margin: 0.5rem 0 0.1rem; font-weight: 600; }
input[type=text], input[type=password], input[type=url], input[type=number], select {
  width: 100%; max-width: 32rem; padding: 0.4rem; border: 1px solid #595959;
  border-radius: 4px; font: inherit; box-sizing: border-box; }
button, .knop { background: #1d4ed8; color: #fff; border: 0; border-radius: 4px;
  padding: 0.45rem 0.9rem; font: inherit; cursor: pointer; text-decoration: none;
  display: inline-block; margin: 0.4rem 0.3rem 0.4rem 0; }
button.gevaar { background: #b91c1c; } button.licht { background: #e5e7eb; color: #1a1a1a; }
.melding { padding: 0.6rem 0.8rem; border-radius: 4px; background: #ecfdf5;
  border: 1px solid #047857; } .fout { background: #fef2f2; border-color: #b91c1c; }
.tabel { overflow-x: auto; } table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #d0d0d0;
  padding: 0.35rem; } .klein { font-size: 0.9rem; color: #3d3d3d; }
fieldset { border: 1px solid #d0d0d0; border-radius: 6px; margin: 1rem 0; padding: 0.6rem 1rem; }
progress { width: 100%; max-width: 32rem; }
fieldset button, form > button { display: block; }
input[type=file] { position: absolute; width: 1px; height: 1px; opacity: 0; }
input[type=file]:focus + .kies { outline: 3px solid #1a1a1a; }
"""
# The page's only script: pre-fill type, country and themes from the organisation's earlier
# documents (data from the catalog, in a JSON block; no document text runs).
_PREFILL_JS = """
for (const input of document.querySelectorAll('input[type=file]')) {
  input.addEventListener('change', () => {
    const shown = document.querySelector('[data-voor="' + input.id + '"]');
    shown.textContent = [...input.files].map(f => f.name).join(', ') || 'Nog niets gekozen';
  });
}
const usualBlock = document.getElementById('gewoonten');
const usual = usualBlock ? JSON.parse(usualBlock.textContent) : {};
for (const form of document.querySelectorAll('form.beschrijving')) {
  const org = form.querySelector('[name=organisation]');
  org.addEventListener('change', () => {
    const found = usual[org.value];
    if (!found) return;
    for (const [name, value] of [['type', found.type], ['country', found.country],
                                 ['themes', found.themes.join(', ')]]) {
      const field = form.querySelector('[name=' + name + ']');
      if (field && !field.value && value) field.value = value;
    }
  });
}
"""


def _page(title: str, body: str, nonce: str = "", refresh: int | None = None) -> str:
    meta = f"<meta http-equiv='refresh' content='{refresh}'>" if refresh else ""
    script = f"<script nonce='{nonce}'>{_PREFILL_JS}</script>" if nonce else ""
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"{meta}<title>{html.escape(title)} · Kansen-assistent</title>"
        f"<style>{_CSS}</style></head><body><main>{body}</main>{script}</body></html>"
    )


def _respond(page: str, nonce: str = "", status: int = 200) -> HTMLResponse:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(page, status_code=status, headers=headers)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _message(text: str, error: bool = False) -> str:
    role = "alert" if error else "status"
    return f"<p class='melding{' fout' if error else ''}' role='{role}'>{_e(text)}</p>"


def off_page() -> str:
    return _page(
        "Beheer staat uit",
        "<h1>Beheer staat uit</h1><p>Op deze pagina beheert een coördinator de documenten van "
        "de collectie. Ze staat uit tot er een wachtwoord is ingesteld. Zet ze aan met:</p>"
        "<pre>.venv/bin/python -m assistant admin set-password</pre>"
        "<p>Dat vraagt een wachtwoord en bewaart er een gezouten hash van in "
        "<code>assistant.toml</code> (instelling <code>admin_password</code>). Start de app "
        "daarna opnieuw. Voor scripts is er ook <code>admin_token</code> (zie README).</p>",
    )


def login_page(error: str = "") -> str:
    return _page(
        "Inloggen",
        "<h1>Beheer van de collectie</h1>"
        + (_message(error, error=True) if error else "")
        + "<form method='post' action='/beheer/login'>"
        "<label for='wachtwoord'>Wachtwoord</label>"
        "<input type='password' id='wachtwoord' name='password' autocomplete='current-password'"
        " required><br><button type='submit'>Inloggen</button></form>",
    )


def _field(form_id: str, name: str, label: str, value: object, kind: str = "text",
           extra: str = "") -> str:  # fmt: skip
    return (
        f"<label for='{form_id}-{name}'>{_e(label)}</label>"
        f"<input type='{kind}' id='{form_id}-{name}' name='{name}' value='{_e(value)}' {extra}>"
    )


def description_fields(form_id: str, values: dict, organisations: Sequence[str]) -> str:
    """The catalog fields of one document as form inputs."""
    options = "".join(f"<option value='{_e(o)}'>" for o in organisations)
    return (
        _field(form_id, "title", "Titel (zoals ze geciteerd wordt)", values.get("title"),
               extra="required maxlength='300'")
        + _field(form_id, "organisation", "Organisatie (de auteur in de bronvermelding)",
                 values.get("organisation"), extra=f"required list='{form_id}-orgs'")
        + f"<datalist id='{form_id}-orgs'>{options}</datalist>"
        + _field(form_id, "type", "Documenttype (rapport, inspiratiegids, tipfiche, ...)",
                 values.get("type"))
        + _field(form_id, "country", "Land (BE of NL)", values.get("country"),
                 extra="maxlength='2'")
        + _field(form_id, "year", "Jaar (leeg als het document er geen noemt)",
                 values.get("year"), extra="inputmode='numeric' maxlength='4'")
        + _field(form_id, "url", "Webadres van het origineel", values.get("url"), "url")
        + _field(form_id, "themes", "Thema's (gescheiden door komma's)", values.get("themes"))
    )  # fmt: skip


def _values(entry: CatalogEntry | None) -> dict:
    if entry is None:
        return {}
    return {
        "title": entry.title,
        "organisation": entry.organisation,
        "type": entry.doc_type,
        "country": entry.country or "",
        "year": entry.year or "",
        "url": entry.url or "",
        "themes": ", ".join(entry.themes),
    }


def _file_input(element_id: str, name: str, multiple: bool = False) -> str:
    """A file input whose visible button and text are the page's (Dutch), not the browser's."""
    many = " multiple" if multiple else ""
    return (
        f"<input type='file' id='{element_id}' name='{name}'{many} required "
        "accept='.pdf,.docx,.html,.htm,.md,.txt'>"
        f"<label class='knop kies' for='{element_id}'>Bestand{'en' if multiple else ''} kiezen"
        f"</label> <span class='gekozen klein' data-voor='{element_id}'>Nog niets gekozen"
        "</span>"
    )


def _job_html(job: JobState) -> str:
    if job.state == "bezig":
        if not job.passages:
            doing = f"bezig: {_e(job.file) or 'het bestand'} wordt gelezen"
            head = f"<strong>{_e(job.title)}</strong> ({_e(job.action)})"
            return f"<li>{head}: {doing}<br><progress></progress></li>"
        left = job.seconds_left
        eta = f", nog ongeveer {left:.0f} s" if left is not None else ""
        return (
            f"<li><strong>{_e(job.title)}</strong> ({_e(job.action)}): bezig met "
            f"{_e(job.file)}: {job.embedded} van {job.passages} passages verwerkt{eta}"
            f"<br><progress value='{job.embedded}' max='{job.passages}'></progress></li>"
        )
    return f"<li><strong>{_e(job.title)}</strong> ({_e(job.action)}): {_e(job.state)}. " + (
        f"{_e(job.result)}</li>" if job.result else "</li>"
    )


def dashboard(
    library: Library, token: str, nonce: str, organisation: str = "", notice: str = "",
    error: str = "",
) -> str:  # fmt: skip
    """The Beheer page: upload, running jobs, the documents, the trash and the log."""
    rows = library.documents()
    organisations = sorted({r.info.organisation for r in rows})
    shown = [r for r in rows if not organisation or r.info.organisation == organisation]
    active = [j for j in library.jobs if j.state in ("in de wachtrij", "bezig")]
    recent = library.jobs[-8:][::-1]
    hidden = f"<input type='hidden' name='token' value='{_e(token)}'>"
    parts = ["<h1>Beheer van de collectie</h1>"]
    if notice:
        parts.append(_message(notice))
    if error:
        parts.append(_message(error, error=True))
    parts.append(
        "<form method='post' action='/beheer/logout'>"
        f"{hidden}<button class='licht' type='submit'>Uitloggen</button></form>"
    )
    parts.append(
        "<h2>Documenten toevoegen</h2><form method='post' action='/beheer/upload' "
        f"enctype='multipart/form-data'>{hidden}<p>PDF, Word (.docx), webpagina (.html), "
        "Markdown of tekst; meerdere tegelijk mag.</p>"
        + _file_input("bestanden", "files", multiple=True)
        + "<button type='submit'>Controleren en beschrijven</button></form>"
    )
    waiting = library.pending()
    if waiting:
        parts.append(
            f"<p id='te-beschrijven'>Nog te beschrijven: {len(waiting)} "
            f"{'bestand' if len(waiting) == 1 else 'bestanden'}. "
            "<a href='/beheer/beschrijven'>Beschrijven</a></p>"
        )
    if recent:
        parts.append(
            "<h2>Verwerking</h2><ul id='taken'>" + "".join(_job_html(j) for j in recent) + "</ul>"
        )
        if active:
            parts.append(
                "<p class='klein'>Deze pagina ververst zichzelf; je mag ze sluiten en later "
                "terugkomen.</p>"
            )
    filter_options = "".join(
        f"<option value='{_e(o)}'{' selected' if o == organisation else ''}>{_e(o)}</option>"
        for o in organisations
    )
    parts.append(
        f"<h2>Documenten ({len(shown)})</h2><form method='get' action='/beheer'>"
        "<label for='filter-org'>Organisatie</label><select id='filter-org' name='organisatie'>"
        f"<option value=''>(alle)</option>{filter_options}</select> "
        "<button class='licht' type='submit'>Toon</button></form>" + _documents_table(shown, hidden)
    )
    trash = library.trash()
    if trash:
        items = "".join(
            f"<tr><td>{_e(t.title)}</td><td>{_e(t.removed.replace('T', ' ')[:16])}</td><td>"
            f"<form method='post' action='/beheer/prullenbak/{_e(t.id)}/terugzetten'>{hidden}"
            "<button type='submit'>Terugzetten</button></form></td></tr>"
            for t in trash
        )
        parts.append(
            f"<h2>Prullenbak</h2><p class='klein'>Verwijderde documenten blijven "
            f"{library.settings.trash_days} dagen bewaard.</p><div class='tabel'><table>"
            "<thead><tr><th scope='col'>Titel</th><th scope='col'>Verwijderd op</th>"
            f"<th scope='col'></th></tr></thead><tbody>{items}</tbody></table></div>"
        )
    entries = library.log.entries(50)
    if entries:
        items = "".join(
            f"<tr><td>{_e(t.replace('T', ' ')[:19])}</td><td>{_e(a)}</td><td>{_e(d)}</td>"
            f"<td>{_e(r)}</td></tr>"
            for t, a, d, r in entries
        )
        parts.append(
            "<h2>Logboek</h2><div class='tabel'><table id='logboek'><thead><tr>"
            "<th scope='col'>Tijd (UTC)</th><th scope='col'>Actie</th>"
            "<th scope='col'>Document</th><th scope='col'>Resultaat</th></tr></thead>"
            f"<tbody>{items}</tbody></table></div>"
        )
    return _page("Beheer", "".join(parts), nonce, refresh=2 if active else None)


def _documents_table(rows: Sequence[DocumentRow], hidden: str) -> str:
    if not rows:
        return "<p>Geen documenten.</p>"
    body = "".join(
        "<tr>"
        f"<td><a href='/beheer/document/{_e(r.id)}'>{_e(r.info.title)}</a></td>"
        f"<td>{_e(r.info.organisation)}</td><td>{_e(r.info.doc_type)}</td>"
        f"<td>{_e(r.info.year or 'z.d.')}</td><td>{r.passages}</td><td>{_e(r.added or '—')}</td>"
        f"<td class='klein'>{_e(r.last_result or '—')}</td>"
        "</tr>"
        for r in rows
    )
    return (
        "<div class='tabel'><table id='documenten'><thead><tr><th scope='col'>Titel</th>"
        "<th scope='col'>Organisatie</th><th scope='col'>Type</th><th scope='col'>Jaar</th>"
        "<th scope='col'>Passages</th><th scope='col'>Toegevoegd</th>"
        "<th scope='col'>Laatste verwerking</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def staged_page(
    library: Library,
    token: str,
    nonce: str,
    staged: Sequence[Staged],
    refused: Sequence[Refused] = (),
    notice: str = "",
    error: str = "",
    typed: dict[str, dict] | None = None,
) -> str:
    """One description form per upload waiting for it, and why other files were refused;
    typed: what was entered in a form that was refused, by upload, shown again."""
    usual = library.organisations()
    parts = ["<h1>Beschrijf de nieuwe documenten</h1>"]
    if notice:
        parts.append(_message(notice))
    if error:
        parts.append(_message(error, error=True))
    for item in refused:
        parts.append(_message(f"{item.name}: niet opgenomen: {item.reason}.", error=True))
    for number, item in enumerate(staged, start=1):
        form_id = f"doc{number}"
        values = (typed or {}).get(item.id, item.suggested)
        parts.append(
            f"<form class='beschrijving' method='post' action='/beheer/toevoegen'><fieldset>"
            f"<legend>{_e(item.name)} ({_size(item.size)})</legend>"
            f"<input type='hidden' name='token' value='{_e(token)}'>"
            f"<input type='hidden' name='staged' value='{_e(item.id)}'>"
            + description_fields(form_id, values, sorted(usual))
            + "<button type='submit'>Toevoegen aan de collectie</button></fieldset></form>"
        )
    parts.append("<p><a href='/beheer'>Terug naar beheer</a></p>")
    usual_json = json.dumps(usual, ensure_ascii=False).replace("<", "\\u003c")
    parts.append(f"<script type='application/json' id='gewoonten'>{usual_json}</script>")
    return _page("Nieuwe documenten", "".join(parts), nonce)


def _size(size: int) -> str:
    """A file size as people read it: '4 kB', '1,2 MB'."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def document_page(
    library: Library, row: DocumentRow, token: str, nonce: str, error: str = ""
) -> str:
    entry = library.entry_of(row.source)
    values = _values(entry) or {"title": row.info.title, "organisation": row.info.organisation}
    hidden = f"<input type='hidden' name='token' value='{_e(token)}'>"
    usual = library.organisations()
    usual_json = json.dumps(usual, ensure_ascii=False).replace("<", "\\u003c")
    info = row.info
    body = (
        f"<h1>{_e(info.title)}</h1>"
        + (_message(error, error=True) if error else "")
        + f"<p class='klein'>{_e(info.organisation)} · {_e(country_name(info.country))} · "
        f"{row.passages} passages · bestand {_e(row.source)}</p>"
        f"<form class='beschrijving' method='post' action='/beheer/document/{_e(row.id)}'>"
        f"<fieldset><legend>Beschrijving</legend>{hidden}"
        + description_fields("bewerk", values, sorted(usual))
        + "<button type='submit'>Bewaren</button></fieldset></form>"
        f"<form method='post' action='/beheer/document/{_e(row.id)}/vervangen' "
        f"enctype='multipart/form-data'><fieldset><legend>Nieuwe versie</legend>{hidden}"
        "<p>Een bestand van hetzelfde soort.</p>"
        + _file_input("nieuw", "file")
        + "<button type='submit'>Vervangen</button></fieldset></form>"
        f"<form method='post' action='/beheer/document/{_e(row.id)}/verwijderen'>{hidden}"
        "<button class='gevaar' type='submit'>Verwijderen (naar de prullenbak)</button></form>"
        "<p><a href='/beheer'>Terug naar beheer</a></p>"
        f"<script type='application/json' id='gewoonten'>{usual_json}</script>"
    )
    return _page(info.title, body, nonce)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def add_beheer_routes(app: FastAPI, library: Library | None, settings: Settings) -> None:
    """/beheer (login, upload, documents, trash, log) and /api/documents."""
    sessions = Sessions()
    enabled = library is not None and bool(settings.admin_password)

    def session_token(request: Request) -> str | None:
        return sessions.form_token(request.cookies.get(COOKIE))

    def checked_form(request: Request, form) -> str | None:
        """The session's form token when the form carries it, else None."""
        token = session_token(request)
        if token is None or not secrets.compare_digest(str(form.get("token") or ""), token):
            return None
        return token

    def to_login() -> RedirectResponse:
        return RedirectResponse("/beheer", status_code=303)

    def back(notice: str = "", error: str = "") -> RedirectResponse:
        query = f"?melding={quote(notice)}" if notice else f"?fout={quote(error)}" if error else ""
        return RedirectResponse(f"/beheer{query}", status_code=303)

    @app.get("/beheer", include_in_schema=False)
    def beheer(request: Request, organisatie: str = "", melding: str = "", fout: str = ""):
        if not enabled:
            return _respond(off_page())
        token = session_token(request)
        if token is None:
            return _respond(login_page())
        nonce = secrets.token_urlsafe(12)
        page = dashboard(library, token, nonce, organisatie, melding[:300], fout[:300])
        return _respond(page, nonce)

    @app.post("/beheer/login", include_in_schema=False)
    async def login(request: Request):
        if not enabled:
            return _respond(off_page(), status=404)
        address = _client(request)
        if sessions.blocked(address):
            log.warning("beheer: login refused for %s (too many failures)", address)
            library.log.write("aanmelding geweigerd", "", f"vanaf {address}: te veel pogingen")
            page = login_page("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.")
            return _respond(page, status=429)
        form = await request.form()
        if not check_password(str(form.get("password") or ""), settings.admin_password):
            sessions.failed(address)
            log.info("beheer: failed login from %s", address)
            library.log.write("aanmelding mislukt", "", f"vanaf {address}")
            return _respond(login_page("Dat wachtwoord klopt niet."), status=401)
        session, _ = sessions.start()
        response = RedirectResponse("/beheer", status_code=303)
        response.set_cookie(
            COOKIE, session, httponly=True, samesite="strict", path="/", max_age=sessions.lifetime
        )
        library.log.write("ingelogd", "", f"vanaf {address}")
        return response

    @app.post("/beheer/logout", include_in_schema=False)
    async def logout(request: Request):
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/beheer", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.post("/beheer/upload", include_in_schema=False)
    async def upload(request: Request):
        if not enabled:
            return _respond(off_page(), status=404)
        form = await request.form(max_files=UPLOAD_FILES_MAX)
        token = checked_form(request, form)
        if token is None:
            return to_login()
        staged, refused = [], []
        for upload_file in form.getlist("files"):
            if not isinstance(upload_file, UploadFile) or not upload_file.filename:
                continue
            data = await _read_limited(upload_file, settings.max_file_mb)
            result = (
                library.stage(upload_file.filename, data)
                if data is not None
                else Refused(upload_file.filename[:120], f"groter dan {settings.max_file_mb:g} MB")
            )
            (staged if isinstance(result, Staged) else refused).append(result)
            if isinstance(result, Refused):
                library.log.write("geweigerd", result.name, result.reason)
        nonce = secrets.token_urlsafe(12)
        # Earlier uploads still waiting for their description come along.
        page = staged_page(library, token, nonce, library.pending(), refused)
        return _respond(page, nonce)

    @app.get("/beheer/beschrijven", include_in_schema=False)
    def describe(request: Request, melding: str = ""):
        token = session_token(request) if enabled else None
        if token is None:
            return to_login()
        waiting = library.pending()
        if not waiting:
            return back(notice=melding)
        nonce = secrets.token_urlsafe(12)
        return _respond(staged_page(library, token, nonce, waiting, notice=melding[:300]), nonce)

    @app.post("/beheer/toevoegen", include_in_schema=False)
    async def add(request: Request):
        form = await request.form()
        token = checked_form(request, form) if enabled else None
        if token is None:
            return to_login()
        staged_id, fields = str(form.get("staged") or ""), _fields(form)
        try:
            job = library.add(staged_id, fields)
        except LibraryError as exc:
            # The form comes back with what was typed, beside the other uploads waiting.
            nonce = secrets.token_urlsafe(12)
            waiting = library.pending()
            name = next((w.name for w in waiting if w.id == staged_id), "")
            page = staged_page(
                library, token, nonce, waiting, error=f"{name}: {exc}" if name else str(exc),
                typed={staged_id: fields},
            )  # fmt: skip
            return _respond(page, nonce, status=422)
        notice = quote(f"‘{job.title}’ wordt toegevoegd.")
        return RedirectResponse(f"/beheer/beschrijven?melding={notice}", status_code=303)

    def row_of(doc_id: str) -> DocumentRow | None:
        return next((r for r in library.documents() if r.id == doc_id), None)

    @app.get("/beheer/document/{doc_id}", include_in_schema=False)
    def document(request: Request, doc_id: str):
        token = session_token(request) if enabled else None
        if token is None:
            return to_login()
        row = row_of(doc_id)
        if row is None:
            return back(error="Dat document staat niet in de collectie.")
        nonce = secrets.token_urlsafe(12)
        return _respond(document_page(library, row, token, nonce), nonce)

    @app.post("/beheer/document/{doc_id}", include_in_schema=False)
    async def edit(request: Request, doc_id: str):
        form = await request.form()
        token = checked_form(request, form) if enabled else None
        if token is None:
            return to_login()
        row = row_of(doc_id)
        if row is None:
            return back(error="Dat document staat niet in de collectie.")
        try:
            job = library.edit(row.source, _fields(form))
        except LibraryError as exc:
            nonce = secrets.token_urlsafe(12)
            return _respond(document_page(library, row, token, nonce, str(exc)), nonce, 400)
        return back(notice=f"De beschrijving van ‘{job.title}’ is bewaard.")

    @app.post("/beheer/document/{doc_id}/vervangen", include_in_schema=False)
    async def replace(request: Request, doc_id: str):
        form = await request.form(max_files=1)
        if not enabled or checked_form(request, form) is None:
            return to_login()
        row = row_of(doc_id)
        upload_file = form.get("file")
        if row is None or not isinstance(upload_file, UploadFile):
            return back(error="Kies een document en een nieuw bestand.")
        data = await _read_limited(upload_file, settings.max_file_mb)
        if data is None:
            return back(error=f"Het nieuwe bestand is groter dan {settings.max_file_mb:g} MB.")
        staged = library.stage(upload_file.filename or "bestand", data)
        if isinstance(staged, Refused):
            library.log.write("vervangen geweigerd", row.info.title, staged.reason)
            return back(error=f"{staged.name}: niet opgenomen: {staged.reason}.")
        try:
            job = library.replace(row.source, staged.id)
        except LibraryError as exc:
            return back(error=str(exc))
        return back(notice=f"‘{job.title}’ wordt vervangen door de nieuwe versie.")

    @app.post("/beheer/document/{doc_id}/verwijderen", include_in_schema=False)
    async def remove(request: Request, doc_id: str):
        form = await request.form()
        if not enabled or checked_form(request, form) is None:
            return to_login()
        row = row_of(doc_id)
        if row is None:
            return back(error="Dat document staat niet in de collectie.")
        try:
            library.remove(row.source)
        except LibraryError as exc:
            return back(error=str(exc))
        return back(notice=f"‘{row.info.title}’ is naar de prullenbak verplaatst.")

    @app.post("/beheer/prullenbak/{trash_id}/terugzetten", include_in_schema=False)
    async def restore(request: Request, trash_id: str):
        form = await request.form()
        if not enabled or checked_form(request, form) is None:
            return to_login()
        try:
            job = library.restore(trash_id)
        except LibraryError as exc:
            return back(error=str(exc))
        return back(notice=f"‘{job.title}’ wordt teruggezet.")

    # --- the API for scripts -------------------------------------------------------------

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        return (
            library is not None
            and scheme.lower() == "bearer"
            and check_token(given.strip(), settings.admin_token)
        )

    def unauthorised() -> JSONResponse:
        return JSONResponse(
            {"error": "Geef een geldig token mee: Authorization: Bearer <admin_token>."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    def row_json(row: DocumentRow) -> dict:
        info = row.info
        return {
            "id": row.id,
            "source": row.source,
            "title": info.title,
            "organisation": info.organisation,
            "type": info.doc_type,
            "country": info.country,
            "year": info.year,
            "url": info.url,
            "themes": list(info.themes),
            "passages": row.passages,
            "added": row.added or None,
            "last_result": row.last_result or None,
        }

    @app.get("/api/documents", include_in_schema=False)
    def api_documents(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        return JSONResponse({"documents": [row_json(r) for r in library.documents()]})

    @app.post("/api/documents", include_in_schema=False)
    async def api_add(request: Request) -> Response:
        if not authorised(request):
            return unauthorised()
        form = await request.form(max_files=1)
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            return JSONResponse({"error": "Stuur het bestand mee als ‘file’."}, status_code=400)
        data = await _read_limited(upload_file, settings.max_file_mb)
        if data is None:
            limit = f"{settings.max_file_mb:g} MB"
            return JSONResponse({"error": f"Het bestand is groter dan {limit}."}, 413)
        staged = library.stage(upload_file.filename or "bestand", data)
        if isinstance(staged, Refused):
            library.log.write("geweigerd", staged.name, staged.reason)
            return JSONResponse({"error": f"{staged.name}: {staged.reason}."}, status_code=422)
        fields = _fields(form)
        fields["title"] = fields.get("title") or staged.suggested.get("title", "")
        try:
            job = library.add(staged.id, fields)
        except LibraryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        if str(form.get("wait") or "").lower() in ("1", "true", "yes"):
            library.wait(job)
        from assistant.documents import document_id

        return JSONResponse(
            {"id": document_id(job.source), "source": job.source, "job": job.id,
             "status": job.state, "result": job.result or None},
            status_code=201 if job.state == "klaar" else 202,
        )  # fmt: skip

    @app.get("/api/jobs/{job_id}", include_in_schema=False)
    def api_job(request: Request, job_id: str) -> Response:
        if not authorised(request):
            return unauthorised()
        job = library.job(job_id)
        if job is None:
            return JSONResponse({"error": "Onbekende taak."}, status_code=404)
        return JSONResponse(
            {"job": job.id, "status": job.state, "file": job.file, "passages": job.passages,
             "embedded": job.embedded, "result": job.result or None}
        )  # fmt: skip

    @app.delete("/api/documents/{doc_id}", include_in_schema=False)
    def api_remove(request: Request, doc_id: str) -> Response:
        if not authorised(request):
            return unauthorised()
        row = row_of(doc_id)
        if row is None:
            return JSONResponse({"error": "Dat document staat niet in de collectie."}, 404)
        library.remove(row.source)
        library.wait(library.jobs[-1])
        return JSONResponse({"id": doc_id, "status": "verwijderd"})


def _fields(form) -> dict:
    return {name: str(form.get(name) or "") for name in FIELDS}


async def _read_limited(upload_file: UploadFile, limit_mb: float) -> bytes | None:
    """The upload's bytes, or None when it is larger than the limit (read no further)."""
    limit = int(limit_mb * 1_000_000)
    data = await upload_file.read(limit + 1)
    return None if len(data) > limit else data
