"""Document management through the real app on 127.0.0.1: the Beheer page in Chromium, the API
with its token, teachers asking during an upload, and a kill -9 in the middle of an ingest."""

import json
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest
from conftest import CORPUS, ROOT, free_port, start_app, write_report_pdf

from assistant.admin import hash_password

PASSWORD = "kleuters-in-gent-2026"
TOKEN = "test-token-van-de-coordinator-0123456789"
ARTIFACTS = ROOT / "test-artifacts"


def long_report(path, pages=40):
    """A real PDF of many pages: its ingest takes long enough to be watched and interrupted."""
    lines = [
        [
            f"Hoofdstuk {n}: het onthaal van ouders aan de schoolpoort",
            f"In de {n}e week van het project praatte de kleuterjuf elke ochtend met de ouders.",
            "Ze nodigde de ouders uit in de klas en vertelde over het instaptraject.",
            f"Na afloop noteerde het team wat werkte, voor de school en de wijk nummer {n}.",
        ]
        for n in range(1, pages + 1)
    ]
    return write_report_pdf(path, lines, title="Logboek van het onthaal")


def start_beheer_app(folder, port):
    return start_app(
        folder,
        port,
        admin_password=hash_password(PASSWORD),
        admin_token=TOKEN,
        trash_dir=str(folder / "prullenbak"),
        admin_log=str(folder / "beheer.sqlite3"),
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("beheer")
    shutil.copytree(CORPUS, folder / "corpus")
    process, url = start_beheer_app(folder, free_port())
    yield {"url": url, "folder": folder, "process": process}
    process.terminate()
    process.wait(timeout=30)


def api(app, method, path, token=TOKEN, fields=None, file=None):
    """Call the documents API; returns (status, JSON)."""
    import io
    import uuid

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if fields is not None or file is not None:
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in (fields or {}).items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        if file is not None:
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file.name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode()
            )
            body.write(file.read_bytes() + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        data = body.getvalue()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(app["url"] + path.lstrip("/"), data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_the_api_refuses_every_call_without_the_token_and_changes_nothing(app, tmp_path):
    report = write_report_pdf(tmp_path / "rapport.pdf", [["Een pagina over de schoolpoort."]])
    before = (app["folder"] / "corpus" / "catalog.toml").read_text(encoding="utf-8")
    for token in (None, "verkeerd-token-verkeerd-token-00"):
        assert api(app, "GET", "/api/documents", token)[0] == 401
        status, body = api(app, "POST", "/api/documents", token, {"title": "T", "organisation": "O"}, report)
        assert status == 401 and "Bearer" in body["error"]
        assert api(app, "DELETE", "/api/documents/1a2c55a0fa3291ae", token)[0] == 401
    assert (app["folder"] / "corpus" / "catalog.toml").read_text(encoding="utf-8") == before
    status, body = api(app, "GET", "/api/documents")
    assert status == 200 and len(body["documents"]) == 5


def test_ingest_from_the_shell_waits_for_the_running_app_with_a_clear_message(app):
    from test_indexing import start_ingest

    ingest = start_ingest(app["folder"] / "corpus", app["folder"] / "index")
    _, stderr = ingest.communicate(timeout=120)
    assert ingest.returncode == 2
    assert "being written by another process" in stderr and "Beheer page" in stderr


def test_teachers_asking_during_an_upload_get_answers_not_errors(app, tmp_path):
    from gradio_client import Client

    report = long_report(tmp_path / "logboek.pdf")
    errors, answers = [], []

    def teacher(number):
        client = Client(app["url"], verbose=False)
        for question in ("Wat doet de inclusiecoach van Stad Gent?", "Welke vier thema's heeft Kansen4Kinderen?"):
            try:
                answers.append(client.predict(question, api_name="/ask")["answered"])
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                errors.append(f"{number}: {exc!r}")

    status, added = api(
        app, "POST", "/api/documents", fields={"title": "Logboek van het onthaal", "organisation": "Testschool", "type": "rapport"}, file=report
    )
    assert status == 202, added
    threads = [threading.Thread(target=teacher, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [] and len(answers) == 20 and all(answers)
    deadline = time.time() + 300
    while api(app, "GET", f"/api/jobs/{added['job']}")[1]["status"] not in ("klaar", "mislukt"):
        assert time.time() < deadline
        time.sleep(1)
    assert api(app, "GET", f"/api/jobs/{added['job']}")[1]["status"] == "klaar"
    assert api(app, "DELETE", f"/api/documents/{added['id']}")[0] == 200


def test_a_coordinator_manages_a_document_in_the_browser(app, tmp_path):
    from gradio_client import Client
    from selenium.webdriver.common.by import By
    from test_webapp import wait_for

    report = long_report(tmp_path / "Logboek onthaal.pdf", pages=24)
    browser = make_browser()
    try:
        browser.get(app["url"] + "beheer")
        browser.find_element(By.ID, "wachtwoord").send_keys("verkeerd wachtwoord")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert "Dat wachtwoord klopt niet" in browser.page_source
        browser.find_element(By.ID, "wachtwoord").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: "Documenten toevoegen" in browser.page_source)
        assert browser.execute_script("return document.documentElement.lang") == "nl"
        # Two files at once: one description form each.
        tips = tmp_path / "onthaaltips.txt"
        tips.write_text("Begroet elke ouder aan de klasdeur bij naam, ook in de thuistaal.\n")
        browser.find_element(By.ID, "bestanden").send_keys(f"{report}\n{tips}")
        browser.find_element(By.XPATH, "//button[contains(., 'Controleren')]").click()
        title = wait_for(lambda: browser.find_elements(By.ID, "doc1-title"))[0]
        assert title.get_attribute("value") == "Logboek van het onthaal"  # from the PDF
        assert browser.find_element(By.ID, "doc2-title").get_attribute("value") == "onthaaltips"
        browser.find_element(By.ID, "doc1-organisation").send_keys("Onderwijscentrum Gent (Stad Gent)")
        browser.find_element(By.ID, "doc1-type").click()  # leaves the organisation: pre-fill
        wait_for(lambda: browser.find_element(By.ID, "doc1-country").get_attribute("value") == "BE")
        # A wrong year is refused with the form as it was typed, the other file's form beside it.
        browser.find_element(By.ID, "doc1-year").send_keys("20a9")
        browser.find_element(By.XPATH, "//button[contains(., 'Toevoegen')]").click()
        wait_for(lambda: "een jaartal zoals" in browser.page_source)
        assert browser.find_elements(By.ID, "doc2-title")
        organisation = browser.find_element(By.ID, "doc1-organisation").get_attribute("value")
        assert organisation == "Onderwijscentrum Gent (Stad Gent)"
        browser.find_element(By.ID, "doc1-year").clear()
        browser.find_element(By.ID, "doc1-year").send_keys("2019")
        browser.save_screenshot(str(ARTIFACTS / "beheer-beschrijven.png"))
        browser.find_element(By.XPATH, "//button[contains(., 'Toevoegen')]").click()
        wait_for(lambda: "wordt toegevoegd" in browser.page_source)
        # The other upload still waits for its description, here and on the Beheer page.
        assert browser.find_element(By.ID, "doc1-title").get_attribute("value") == "onthaaltips"
        browser.get(app["url"] + "beheer")
        assert "Nog te beschrijven: 1 bestand" in text(browser, "te-beschrijven")
        # Progress: the file being read or embedded, passages, until it is done.
        wait_for(lambda: "passages verwerkt" in browser.page_source or "klaar" in text(browser, "taken"), 120)
        browser.save_screenshot(str(ARTIFACTS / "beheer-voortgang.png"))
        wait_for(lambda: "gelukt: 1 toegevoegd" in text(browser, "taken"), 300)
        time.sleep(2.5)  # the page's last refresh after the job
        rows = wait_for(settled(lambda: [
            r.text for r in browser.find_elements(By.CSS_SELECTOR, "#documenten tbody tr")
            if "Logboek van het onthaal" in r.text
        ]))  # fmt: skip
        assert "Onderwijscentrum Gent (Stad Gent)" in rows[0] and "2019" in rows[0]
        browser.save_screenshot(str(ARTIFACTS / "beheer.png"))

        client = Client(app["url"], verbose=False)
        hits = client.predict("kleuterjuf praatte elke ochtend met de ouders", {}, 3, api_name="/search")["hits"]
        assert hits[0]["title"] == "Logboek van het onthaal"
        answer = client.predict("Wat deed de kleuterjuf elke ochtend met de ouders in het onthaal?", api_name="/ask")
        assert answer["citations"][0]["title"] == "Logboek van het onthaal"

        # A new title, cited as such.
        browser.find_element(By.LINK_TEXT, "Logboek van het onthaal").click()
        box = wait_for(lambda: browser.find_elements(By.ID, "bewerk-title"))[0]
        box.clear()
        box.send_keys("Onthaallogboek Gent")
        browser.find_element(By.XPATH, "//button[contains(., 'Bewaren')]").click()
        wait_for(lambda: "is bewaard" in browser.page_source)
        wait_for(lambda: "gelukt" in text(browser, "taken").split("\n")[0], 300)
        answer = client.predict("Wat deed de kleuterjuf elke ochtend met de ouders in het onthaal?", api_name="/ask")
        assert answer["citations"][0]["title"] == "Onthaallogboek Gent"

        # Removed: gone from search; then restored from the trash.
        link = browser.find_element(By.LINK_TEXT, "Onthaallogboek Gent")
        link.click()
        wait_for(lambda: browser.find_elements(By.XPATH, "//button[contains(., 'Verwijderen')]"))[0].click()
        wait_for(lambda: "naar de prullenbak" in browser.page_source)
        wait_for(lambda: "gelukt" in text(browser, "taken").split("\n")[0], 300)
        hits = client.predict("kleuterjuf praatte elke ochtend met de ouders", {}, 5, api_name="/search")["hits"]
        assert all(h["title"] != "Onthaallogboek Gent" for h in hits)
        browser.find_element(By.XPATH, "//button[contains(., 'Terugzetten')]").click()
        wait_for(lambda: "wordt teruggezet" in browser.page_source)
        wait_for(lambda: "gelukt" in text(browser, "taken").split("\n")[0], 300)
        hits = client.predict("kleuterjuf praatte elke ochtend met de ouders", {}, 3, api_name="/search")["hits"]
        assert hits[0]["title"] == "Onthaallogboek Gent"
        log = text(browser, "logboek")
        for action in (
            "aanmelding mislukt",
            "toegevoegd",
            "bewerkt",
            "verwijderd",
            "teruggezet",
            "ingelogd",
        ):
            assert action in log
        browser.set_window_size(390, 844)
        browser.refresh()
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 400
        browser.save_screenshot(str(ARTIFACTS / "beheer-telefoon.png"))
    finally:
        browser.quit()


def test_beheer_is_off_without_a_password_and_says_how_to_turn_it_on(server):
    page = urllib.request.urlopen(server["url"] + "beheer").read().decode()
    assert "Beheer staat uit" in page and "admin set-password" in page
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server["url"] + "api/documents")
    assert refused.value.code == 401


def test_a_kill_9_in_the_middle_of_an_ingest_leaves_catalog_and_index_consistent(tmp_path):
    from assistant.catalog import load_catalog
    from assistant.service import client_for
    from assistant.settings import load_settings
    from assistant.store import ChunkStore

    shutil.copytree(CORPUS, tmp_path / "corpus")
    port = free_port()
    process, url = start_beheer_app(tmp_path, port)
    app = {"url": url}
    try:
        report = long_report(tmp_path / "logboek.pdf", pages=300)
        status, added = api(app, "POST", "/api/documents", fields={"title": "Logboek", "organisation": "Testschool"}, file=report)
        assert status == 202
        deadline = time.time() + 300
        while (job := api(app, "GET", f"/api/jobs/{added['job']}")[1])["embedded"] < 8:
            assert time.time() < deadline and job["status"] in ("in de wachtrij", "bezig"), job
            time.sleep(0.2)
        assert job["embedded"] < job["passages"]  # killed in the middle of it
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    catalog = load_catalog(tmp_path / "corpus")
    assert added["source"] in catalog and (tmp_path / "corpus" / added["source"]).is_file()

    process, url = start_beheer_app(tmp_path, port)  # the start-up job completes the interrupted one
    try:
        settings = load_settings(env={}, index_dir=tmp_path / "index")
        store = ChunkStore(client_for(settings), settings.embedding_model)
        deadline = time.time() + 300
        while True:
            state = store.file_states().get(added["source"])
            if state is not None and state.stored == state.expected:
                break
            assert time.time() < deadline, state
            time.sleep(1)
        assert set(store.file_states()) == set(load_catalog(tmp_path / "corpus"))
        status, listing = api({"url": url}, "GET", "/api/documents")
        assert added["source"] in {d["source"] for d in listing["documents"]}
        hits = api_search(url, "kleuterjuf praatte elke ochtend met de ouders")
        assert hits[0]["source"] == added["source"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def api_search(url, query):
    from gradio_client import Client

    return Client(url, verbose=False).predict(query, {}, 3, api_name="/search")["hits"]


def text(browser, element_id):
    """An element's text; the page may be refreshing itself (while a job runs): then ''."""
    from selenium.common.exceptions import StaleElementReferenceException
    from test_webapp import text_of

    try:
        return text_of(browser, element_id)
    except StaleElementReferenceException:
        return ""


def settled(find):
    """find() once the self-refreshing page holds still long enough to read it."""
    from selenium.common.exceptions import StaleElementReferenceException

    def attempt():
        try:
            return find()
        except StaleElementReferenceException:
            return None

    return attempt


def make_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--window-size=1440,900",
    ):  # fmt: skip
        options.add_argument(flag)
    ARTIFACTS.mkdir(exist_ok=True)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app without admin settings."""
    folder = tmp_path_factory.mktemp("zonder-beheer")
    shutil.copytree(CORPUS, folder / "corpus")
    process, url = start_app(folder, free_port())
    yield {"url": url}
    process.terminate()
    process.wait(timeout=30)
