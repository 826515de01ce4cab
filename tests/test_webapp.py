"""The real app on a free port: gradio_client against the API, Chromium against the pages."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from conftest import (
    ANSWER_KEYS,
    CITATION_KEYS,
    CORPUS,
    REPORT_PAGES,
    ROOT,
    free_port,
    make_settings,
    wait_until_serving,
    write_report_pdf,
)

from assistant.documents import document_id
from assistant.errors import EmbeddingUnavailableError, StoreUnavailableError
from assistant.records import Chunk, DocumentInfo
from assistant.webapp import _dutch_error, highlight, source_href

ARTIFACTS = ROOT / "test-artifacts"
POLYGLOT_SCRIPT = (
    "<html><body><script>fetch('/gradio_api/info').then(() => { document.title = 'gelekt'; "
    "window.__xss = 3; })</script></body></html>"
)
XSS = "<script>window.__xss = 1; alert('xss')</script><img src=x onerror=\"window.__xss=2\">"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """app.py on a corpus with a PDF and a document full of markup; feedback logging on."""
    folder = tmp_path_factory.mktemp("app")
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    write_report_pdf(corpus / "rapport.pdf", REPORT_PAGES)
    (corpus / "markup.txt").write_text(
        f"Tipfiche schoolpoort\n\nDeze tipfiche over de onthaalmomenten bevat code: {XSS}\n",
        encoding="utf-8",
    )
    (corpus / ".env").write_text("SECRET=geheim\n", encoding="utf-8")
    # A PDF that is also a web page: served from the app's origin as a page, its script
    # would read the app's API.
    polyglot = write_report_pdf(
        corpus / "polyglot.pdf", [["Tipfiche voorleesmoment", "Lees elke vrijdag samen voor."]]
    )
    with polyglot.open("ab") as handle:
        handle.write(POLYGLOT_SCRIPT.encode())
    with (corpus / "catalog.toml").open("a", encoding="utf-8") as catalog:
        catalog.write(
            '\n[[document]]\nfile = "polyglot.pdf"\ntitle = "Voorleesfiche"\n'
            'organisation = "Testschool"\ntype = "tipfiche"\n'
        )
    (corpus / "pagina.html").write_text(
        "<html><body><h1>Onthaal</h1><p>Een pagina over het onthaal van kleuters.</p>"
        "<script>fetch('/gradio_api/info')</script></body></html>",
        encoding="utf-8",
    )
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_FEEDBACK_LOGGING": "true",
        "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = (folder / "app.log").open("w")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "--port",
            str(port),
            "--index",
            str(folder / "index"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_until_serving(url, process, folder / "app.log", 180)
    yield {"url": url, "corpus": corpus, "folder": folder}
    process.terminate()
    process.wait(timeout=30)
    log.close()


def client(server):
    from gradio_client import Client

    return Client(server["url"], verbose=False)


def test_api_ask_and_search_return_the_cli_json(server):
    c = client(server)
    answer = c.predict(
        "Hoeveel scholen en gemeenten zitten in het netwerk Kansen4Kinderen?", api_name="/ask"
    )
    assert set(answer) == ANSWER_KEYS
    assert answer["answered"] and "tachtig scholen" in answer["answer"]
    assert set(answer["citations"][0]) == CITATION_KEYS
    found = c.predict("instaptraject", {"type": "rapport"}, 3, api_name="/search")
    assert found["query"] == "instaptraject"
    assert found["hits"] and {h["source"] for h in found["hits"]} == {"rapport.pdf"}
    assert found["hits"][0]["location"].startswith(("p. ", "pp. "))
    assert len(c.predict("ouders", api_name="/search")["hits"]) == 5


def test_api_errors_are_clear_and_the_app_keeps_serving(server):
    from gradio_client.exceptions import AppError

    c = client(server)
    with pytest.raises(AppError, match="Onbekend filter ‘kleur’"):
        c.predict("ouders", {"kleur": "rood"}, api_name="/search")
    with pytest.raises(AppError, match="Je vraag is leeg"):
        c.predict("   ", api_name="/ask")
    with pytest.raises(AppError, match="Je vraag is te lang"):
        c.predict("ouders " * 50_000, api_name="/ask")
    with pytest.raises(AppError, match="Filters zijn een object"):
        c.predict("ouders", ["country", "BE"], api_name="/search")
    with pytest.raises(AppError, match="Filters zijn een object"):
        c.predict("ouders", {"country": 3}, api_name="/ask")
    for k in (0, "5", 2.5, True, 101):
        with pytest.raises(AppError, match=r"k moet een geheel getal van 1 tot 100 zijn \(gekregen"):
            c.predict("ouders", {}, k, api_name="/search")
    with pytest.raises(AppError, match="Geen document heeft land ‘FR’"):
        c.predict("ouders", {"country": "FR"}, api_name="/search")
    assert c.predict("ouders", api_name="/search")["hits"]  # still serving
    # A user's mistake is one log line, never a traceback.
    assert "Traceback" not in (server["folder"] / "app.log").read_text(encoding="utf-8")


def test_an_empty_question_after_a_real_one_is_an_error_and_the_conversation_goes_on(server):
    from gradio_client.exceptions import AppError

    c = client(server)
    first = c.predict("Welke vormen van advies op instellingsniveau biedt Stad Gent aan?", api_name="/ask")
    assert first["answered"]
    for empty in ("", "   "):
        with pytest.raises(AppError, match="Je vraag is leeg"):
            c.predict(empty, api_name="/ask")
    follow_up = c.predict("En hoeveel dagen per maand krijg je dan?", api_name="/ask")
    assert follow_up["question"] == "En hoeveel dagen per maand krijg je dan?"
    assert follow_up["read_as"] == f"{first['question']} {follow_up['question']}"


def test_two_clients_in_parallel_keep_separate_conversations(server):
    first_questions = {
        "opvang": "Hoe werkt de pedagogische ondersteuning van de kinderopvang in Gent?",
        "partnerschap": "Wat verstaat Kansen4Kinderen onder educatief partnerschap met ouders?",
    }
    results = {}

    def converse(name):
        c = client(server)
        c.predict(first_questions[name], api_name="/ask")
        results[name] = c.predict("En is dat gratis?", api_name="/ask")

    threads = [threading.Thread(target=converse, args=(name,)) for name in first_questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    opvang = {c["source"] for c in results["opvang"]["citations"]}
    partnerschap = {c["source"] for c in results["partnerschap"]["citations"]}
    assert "gent-kinderopvang-pedagogische-begeleiding.txt" in opvang
    assert "gent-kinderopvang-pedagogische-begeleiding.txt" not in partnerschap


def test_dev_set_conversations_through_the_api(server):
    """Each of the dev set's three-turn conversations, asked by one client: the follow-up is
    read with the question before it (and says so), the topic switch is read alone."""
    from assistant.evaluation import load_devset

    items = load_devset(ROOT / "eval" / "devset.jsonl")
    by_previous = {i.previous: i for i in items if i.previous}
    firsts = [i for i in items if i.id in by_previous and i.previous is None]
    assert len(firsts) >= 12
    misread = []  # follow-ups read alone, and switches read with the question before
    for first in firsts:
        follow_up = by_previous[first.id]
        switch = by_previous[follow_up.id]
        c = client(server)
        c.predict(first.question, api_name="/ask")
        read = c.predict(follow_up.question, api_name="/ask")
        if read["read_as"] != f"{first.question} {follow_up.question}":
            misread.append(follow_up.id)
        alone = c.predict(switch.question, api_name="/ask")
        if alone["read_as"] is not None:
            misread.append(switch.id)
    # Measured 2026-11-25: every follow-up is read with its question, and 11 of 12 switches
    # alone. The held-out b-c08-switch ("... die haar speelruimte wil herinrichten. Komt dat
    # soms aan bod ...?") points inside itself, and the previous question lifts its passages by
    # +0.003, just over the margin set on the tuning half (+0.0025).
    assert not [m for m in misread if m.endswith("follow_up")], misread
    assert len(misread) <= 1, misread


def test_only_ingested_corpus_pdfs_are_served_by_id_and_sandboxed(server):
    corpus = server["corpus"].resolve()
    ok = urllib.request.urlopen(f"{server['url']}bron/{document_id('rapport.pdf')}.pdf")
    assert ok.status == 200 and ok.read(5) == b"%PDF-"
    # Its own sandboxed origin: no script in it can reach the app; no content sniffing.
    assert ok.headers["Content-Security-Policy"] == "sandbox"
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    assert ok.headers["Content-Type"] == "application/pdf"
    refused = [
        # Inside the corpus, but not an ingested PDF: the catalog, a dotfile, documents that a
        # browser would run as a page on the app's origin.
        f"bron/{document_id(name)}.pdf"
        for name in ("catalog.toml", ".env", "markup.txt", "pagina.html", "nieuw.pdf")
    ] + ["bron/rapport.pdf", "bron/..%2F..%2Fetc%2Fpasswd", "bron/%2Fetc%2Fpasswd"]
    # Gradio's own file route serves no file of the corpus, nor anything else on disk.
    refused += [
        f"gradio_api/file={path}"
        for path in (
            "/etc/passwd",
            ROOT / "app.py",
            server["folder"] / "feedback.sqlite3",
            corpus / "rapport.pdf",
            corpus / "catalog.toml",
            corpus / ".env",
            corpus / "pagina.html",
        )
    ]
    served = urllib.request.urlopen(f"{server['url']}bron/{document_id('polyglot.pdf')}.pdf")
    assert served.headers["Content-Security-Policy"] == "sandbox"
    for path in refused:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{server['url']}{path}")
        assert error.value.code in (403, 404), path


def test_a_pdf_ingested_while_the_app_runs_is_served_without_a_restart(
    tmp_path, corpus_copy, embeddings
):
    from assistant.documents import DocumentFiles
    from assistant.service import build_index, client_for
    from assistant.store import ChunkStore

    write_report_pdf(corpus_copy / "rapport.pdf", REPORT_PAGES)
    settings = make_settings(tmp_path, corpus_copy)
    build_index(settings, embeddings=embeddings)
    files = DocumentFiles(ChunkStore(client_for(settings), settings.embedding_model), corpus_copy)
    assert files.pdf(document_id("rapport.pdf"))[1] == "rapport.pdf"
    write_report_pdf(corpus_copy / "tweede.pdf", REPORT_PAGES)
    assert files.pdf(document_id("tweede.pdf")) is None  # on disk, not ingested: not served
    build_index(settings, embeddings=embeddings)
    assert files.pdf(document_id("tweede.pdf"))[0] == (corpus_copy / "tweede.pdf").resolve()
    (corpus_copy / "tweede.pdf").unlink()
    build_index(settings, embeddings=embeddings)
    assert files.pdf(document_id("tweede.pdf")) is None


def test_links_and_highlights_are_safe(tmp_path):
    info = DocumentInfo("rapport.pdf", "R", "O", "rapport", url="javascript:alert(1)")
    (tmp_path / "rapport.pdf").write_bytes(b"%PDF-1.4")
    chunk = Chunk("c", info, 0, "tekst", pages=(3,))
    assert source_href(chunk, tmp_path) == f"/bron/{document_id('rapport.pdf')}.pdf#page=3"
    outside = Chunk(
        "c", DocumentInfo("/etc/passwd", "R", "O", "rapport", url="javascript:alert(1)"), 0, "t"
    )
    assert source_href(outside, tmp_path) is None
    # A document that is not a PDF, without a web address, gets no link to its file.
    (tmp_path / "pagina.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    page = Chunk("h", DocumentInfo("pagina.html", "P", "O", "webpagina"), 0, "t")
    assert source_href(page, tmp_path) is None
    (tmp_path / ".verborgen.pdf").write_bytes(b"%PDF-1.4")
    hidden = Chunk("v", DocumentInfo(".verborgen.pdf", "V", "O", "rapport"), 0, "t")
    assert source_href(hidden, tmp_path) is None
    from assistant.dutch import Analyzer

    marked = highlight("De <b>ouders</b> komen", Analyzer(compounds=False), "ouder")
    assert marked == "De &lt;b&gt;<mark>ouders</mark>&lt;/b&gt; komen"


# --- a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def wait_for(condition, timeout=60, step=0.3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def text_of(driver, element_id):
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def option_text(element) -> str:
    """A dropdown option's label, without the check mark Gradio puts before the selected one."""
    return element.text.split("\n")[-1].strip()


def ask_in_browser(driver, question):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, "#vraag-invoer textarea")
    box.clear()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def test_chat_in_the_browser_streams_a_cited_answer_and_opens_the_passage(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_in_browser(browser, "Wat kreeg elke nieuwe kleuter in de proeftuin?")
    wait_for(lambda: "[1]" in text_of(browser, "gesprek"))
    wait_for(lambda: "Open de bron" in text_of(browser, "bronnen"))
    chat = text_of(browser, "gesprek")
    assert "instaptraject" in chat
    sources = text_of(browser, "bronnen")
    assert "Eindrapport proeftuin" in sources and "p. 2" in sources
    link = browser.find_element(By.CSS_SELECTOR, "#bronnen a")
    href = link.get_attribute("href")
    assert href.endswith(f"/bron/{document_id('rapport.pdf')}.pdf#page=2")
    assert urllib.request.urlopen(href.split("#")[0]).read(5) == b"%PDF-"
    citation = browser.find_element(By.CSS_SELECTOR, "#bronvermelding textarea").get_attribute(
        "value"
    )
    assert citation.startswith(
        "Referenties\nonbekend. (z.d.). *Eindrapport proeftuin*."
    )  # no catalog entry
    assert "(onbekend, z.d., p. 2)" in citation
    browser.save_screenshot(str(ARTIFACTS / "vraag-het.png"))

    ask_in_browser(browser, "En wat deed de kleuterjuf dan met de ouders?")
    wait_for(lambda: text_of(browser, "gesprek").count("[1]") >= 2)
    # The follow-up was read with the question before it, and the chat says so.
    assert (
        "Gelezen als: Wat kreeg elke nieuwe kleuter in de proeftuin? En wat deed de kleuterjuf "
        "dan met de ouders?" in text_of(browser, "gesprek")
    )

    browser.find_element(By.ID, "export-docx").click()
    link = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#export-bestand a[href]"))
    data = urllib.request.urlopen(link[0].get_attribute("href")).read()
    path = ARTIFACTS / "gesprek.docx"
    path.write_bytes(data)
    import docx

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "Referenties" in paragraphs
    assert any(p.startswith("Vraag 2: En wat deed de kleuterjuf") for p in paragraphs)
    references = paragraphs[paragraphs.index("Referenties") + 1 :]
    assert any(
        p.startswith("Samen door de schoolpoort") or "(z.d.)" in p or "Eindrapport proeftuin" in p
        for p in references
    )


def test_search_tab_with_a_facet_and_inert_markup(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server["url"])
    wait_for(
        lambda: browser.find_elements(By.XPATH, "//button[@role='tab' and contains(., 'Zoeken')]")
    )
    browser.find_element(By.XPATH, "//button[@role='tab' and contains(., 'Zoeken')]").click()
    box = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#zoek-invoer textarea"))[0]
    box.send_keys("ouders school")
    browser.find_element(By.ID, "zoek-knop").click()
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")) >= 5)
    assert browser.find_elements(By.CSS_SELECTOR, "#resultaten mark")

    facet = browser.find_element(By.CSS_SELECTOR, "#zoek-organisation input")
    facet.click()
    option = wait_for(
        lambda: [
            o
            for o in browser.find_elements(By.CSS_SELECTOR, "li.item")
            if option_text(o).startswith("Kansen4Kinderen (")
        ]
    )
    option[0].click()
    wait_for(
        lambda: (
            browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")
            and all(
                "Kansen4Kinderen" in r.text
                for r in browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")
            )
        )
    )
    browser.save_screenshot(str(ARTIFACTS / "zoeken.png"))

    box.clear()
    box.send_keys("onthaalmomenten tipfiche code", Keys.ENTER)
    facet.click()
    option = wait_for(
        lambda: [
            o
            for o in browser.find_elements(By.CSS_SELECTOR, "li.item")
            if option_text(o) == "(alle)"
        ]
    )
    option[0].click()
    wait_for(lambda: "<script>" in text_of(browser, "resultaten"))
    assert "onerror" in text_of(browser, "resultaten")  # shown as text
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.XPATH, "//script[contains(., '__xss')]")
    assert not browser.find_elements(By.CSS_SELECTOR, "#resultaten img")


def test_no_document_runs_as_a_page_of_the_app_in_the_browser(server, browser):
    """Stored XSS through the file route: an HTML document gets no link to its file, and a PDF
    that is also a web page opens in the PDF viewer, sandboxed, its script inert."""
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    tab = "//button[@role='tab' and contains(., 'Zoeken')]"
    wait_for(lambda: browser.find_elements(By.XPATH, tab))
    browser.find_element(By.XPATH, tab).click()
    box = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#zoek-invoer textarea"))[0]
    box.send_keys("onthaal van kleuters pagina voorleesmoment vrijdag")
    browser.find_element(By.ID, "zoek-knop").click()
    wait_for(lambda: "Voorleesfiche" in text_of(browser, "resultaten"))
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#resultaten a")]
    local = [h for h in hrefs if h.startswith(server["url"])]
    assert local and all("/bron/" in h and h.split("#")[0].endswith(".pdf") for h in local)
    assert not any("pagina.html" in h or "gradio_api/file" in h for h in hrefs)
    for href in local:
        browser.get(href)
        time.sleep(2)
        assert browser.title != "gelekt"
        assert browser.execute_script("return window.__xss === undefined")
    # The HTML document's own file is not served at all.
    browser.get(f"{server['url']}gradio_api/file={server['corpus'] / 'pagina.html'}")
    assert browser.execute_script("return window.__xss === undefined")
    assert "Onthaal" not in browser.page_source


def test_phone_width_layout(server, browser):
    browser.set_window_size(390, 844)
    try:
        browser.get(server["url"])
        from selenium.webdriver.common.by import By

        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400  # nothing forces sideways scrolling
        browser.save_screenshot(str(ARTIFACTS / "telefoon.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_without_feedback_logging_there_are_no_thumbs_and_no_database(assistant, tmp_path):
    from assistant.feedback import FeedbackStore
    from assistant.settings import Settings
    from assistant.webapp import build_ui

    def thumbs(ui):
        chatbots = [c for c in ui.config["components"] if c.get("type") == "chatbot"]
        return chatbots[0]["props"].get("feedback_options")

    assert Settings().feedback_logging is False
    assert not thumbs(build_ui(assistant, feedback=None))
    assert not any(tmp_path.iterdir())  # building the UI wrote nothing
    assert list(thumbs(build_ui(assistant, feedback=FeedbackStore(tmp_path / "fb.sqlite3")))) == [
        "Like",
        "Dislike",
    ]


def test_thumbs_and_comment_reach_sqlite(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_in_browser(browser, "Wie is de inclusiecoach in Gent?")
    wait_for(lambda: "[1]" in text_of(browser, "gesprek"))
    dislike = wait_for(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#gesprek button[aria-label='Dislike']")
    )
    dislike[-1].click()
    comment = wait_for(
        lambda: (
            [
                t
                for t in browser.find_elements(By.CSS_SELECTOR, "textarea")
                if t.is_displayed()
                and "Opmerking"
                in (t.get_attribute("aria-label") or t.get_attribute("data-testid") or "")
            ]
            or browser.find_elements(
                By.XPATH, "//label[contains(., 'Opmerking bij je feedback')]//textarea"
            )
        )
    )
    comment[0].send_keys("Graag ook het telefoonnummer.")
    browser.find_element(By.XPATH, "//button[contains(., 'Verstuur opmerking')]").click()
    wait_for(lambda: "Bedankt voor je feedback" in browser.page_source)
    import sqlite3

    with sqlite3.connect(server["folder"] / "feedback.sqlite3") as conn:
        rows = conn.execute("SELECT question, rating, comment, citations FROM feedback").fetchall()
    assert ("Wie is de inclusiecoach in Gent?", "down", "Graag ook het telefoonnummer.") in [
        r[:3] for r in rows
    ]
    assert json.loads(rows[-1][3])[0]["source"] == "gent-kinderopvang-pedagogische-begeleiding.txt"


def test_answers_stream_in_growing_prefixes():
    from assistant.webapp import stream_words

    text = "Bij een praktijkbegeleiding mag de opvanglocatie rekenen op ongeveer 2 dagen ondersteuning per maand. [1]"
    parts = list(stream_words(text))
    assert len(parts) == 3
    assert parts[-1] == text
    assert all(text.startswith(part) for part in parts)
    assert len(parts[0]) < len(parts[1]) < len(parts[2])


def test_unreachable_services_get_a_dutch_message_that_keeps_the_conversation():
    store = _dutch_error(StoreUnavailableError("the Chroma server does not answer"))
    embedder = _dutch_error(EmbeddingUnavailableError("the embeddings server at x failed"))
    assert "documentenbank" in store and "je gesprek blijft bewaard" in store
    assert "vragen en teksten vergelijkt" in embedder and "je gesprek blijft bewaard" in embedder
