"""The real app on a free port: gradio_client against the API, Chromium against the pages."""

import json
import re
import shutil
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
    start_app,
    write_report_pdf,
)

from assistant.documents import document_id
from assistant.errors import EmbeddingUnavailableError, StoreUnavailableError
from assistant.pages import highlight, source_href
from assistant.records import Chunk, DocumentInfo
from assistant.webapp import _dutch_error

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
    process, url = start_app(
        folder,
        free_port(),
        feedback_logging="true",
        feedback_db=str(folder / "feedback.sqlite3"),
    )
    yield {"url": url, "corpus": corpus, "folder": folder}
    process.terminate()
    process.wait(timeout=30)


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


def test_the_page_is_served_as_dutch_and_other_routes_pass_untouched(server):
    page = urllib.request.urlopen(server["url"])
    body = page.read()
    assert page.headers["Content-Type"].startswith("text/html")
    assert re.search(rb'<html\s+lang="nl"', body) and b'lang="en"' not in body
    # The Dutch head script, once.
    assert body.count(b"Navigator.prototype,'language'") == 1
    assert int(page.headers["Content-Length"]) == len(body)
    # Gradio's own JSON is not rewritten.
    info = urllib.request.urlopen(f"{server['url']}gradio_api/info")
    assert info.headers["Content-Type"].startswith("application/json")
    assert b"nlNames" not in info.read()


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


def shown(driver, element_id) -> bool:
    """Whether the element is on the page and visible (Gradio leaves hidden ones out)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):
        try:
            return any(e.is_displayed() for e in driver.find_elements(By.ID, element_id))
        except StaleElementReferenceException:
            time.sleep(0.2)  # drawn anew while we looked: look again
    return False


def search_in_browser(driver, server, query):
    """Open the search tab and search; returns the search box."""
    from selenium.webdriver.common.by import By

    driver.get(server["url"])
    tab = "//button[@role='tab' and contains(., 'Zoeken')]"
    wait_for(lambda: driver.find_elements(By.XPATH, tab))
    driver.find_element(By.XPATH, tab).click()
    box = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#zoek-invoer textarea"))[0]
    box.send_keys(query)
    driver.find_element(By.ID, "zoek-knop").click()
    return box


def turns(driver) -> int:
    from selenium.webdriver.common.by import By

    return len(driver.find_elements(By.CSS_SELECTOR, "#gesprek .beurt:not(.bezig)"))


def ask_and_wait(driver, question):
    before = turns(driver)
    ask_in_browser(driver, question)
    wait_for(lambda: turns(driver) > before)


def open_accordion(driver, elem_id):
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f"#{elem_id} button").click()
    time.sleep(0.5)


def choose(driver, dropdown_id, label):
    """Pick the first option of a dropdown whose label starts with label."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    def pick():
        try:
            driver.find_element(By.CSS_SELECTOR, f"#{dropdown_id} input").click()
            options = driver.find_elements(By.CSS_SELECTOR, "li.item")
            matching = [o for o in options if option_text(o).startswith(label)]
            if matching:
                matching[0].click()
                return True
        except StaleElementReferenceException:
            pass  # the list was drawn anew: try again
        return False

    wait_for(pick)
    time.sleep(0.5)


def test_clicking_a_citation_highlights_its_source_and_its_quote(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_and_wait(browser, "Welke vormen van advies op instellingsniveau biedt Stad Gent aan?")
    chips = browser.find_elements(By.CSS_SELECTOR, "#gesprek a.chip")
    assert len(chips) >= 2
    second = chips[1]
    tip = second.get_attribute("data-tip")
    assert "Pedagogische begeleiding en ondersteuning" in tip and "Stad Gent" in tip
    assert second.get_attribute("title") == tip  # shown on hover; on focus by the stylesheet
    assert second.get_attribute("aria-label").startswith("Bron 2:")
    second.click()
    card = wait_for(lambda: browser.find_elements(By.ID, "bron-1-2"))[0]
    wait_for(card.is_displayed)  # its folded list of sources opened
    assert browser.execute_script("return document.querySelector('#bron-1-2').matches(':target')")
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('#bron-1-2')).backgroundColor"
    ) == "rgb(255, 247, 204)"
    # The quote the API gives for [2], and nothing else, is marked inside its passage.
    expected = client(server).predict(
        "Welke vormen van advies op instellingsniveau biedt Stad Gent aan?", api_name="/ask"
    )["citations"][1]["quote"]
    marks = card.find_elements(By.CSS_SELECTOR, "blockquote mark")
    assert [" ".join(m.text.split()) for m in marks][:1] == [" ".join(expected.split())]
    browser.save_screenshot(str(ARTIFACTS / "bron-gemarkeerd.png"))

    # The stored copy opens at the quote, highlighted, as the app's own escaped page.
    copy = card.find_element(By.LINK_TEXT, "Opgeslagen kopie").get_attribute("href")
    assert "/kopie/" in copy and "passage=" in copy and "corpus" not in copy
    browser.get(copy)
    quote = wait_for(lambda: browser.find_elements(By.ID, "citaat"))[0]
    assert " ".join(quote.text.split()) == " ".join(expected.split())
    assert quote.tag_name == "mark"
    assert browser.execute_script(
        "const r = document.getElementById('citaat').getBoundingClientRect();"
        "return r.top >= 0 && r.top < window.innerHeight"
    )
    assert browser.execute_script("return document.documentElement.lang") == "nl"
    browser.save_screenshot(str(ARTIFACTS / "opgeslagen-kopie.png"))


def test_a_pdf_citation_opens_the_page_it_names_and_a_follow_up_says_how_it_was_read(
    server, browser
):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_and_wait(browser, "Wat kreeg elke nieuwe kleuter in de proeftuin?")
    chat = text_of(browser, "gesprek")
    assert "instaptraject" in chat
    browser.find_element(By.CSS_SELECTOR, "#beurt-1 details.bronnen summary").click()
    card = browser.find_element(By.CSS_SELECTOR, "#beurt-1 .bron")
    assert "Eindrapport proeftuin" in card.text
    assert "p. 2 (paginanummer in de pdf)" in card.text
    href = card.find_element(By.LINK_TEXT, "Open de bron").get_attribute("href")
    assert href.endswith(f"/bron/{document_id('rapport.pdf')}.pdf#page=2")
    assert urllib.request.urlopen(href.split("#")[0]).read(5) == b"%PDF-"
    browser.save_screenshot(str(ARTIFACTS / "vraag-het.png"))

    ask_and_wait(browser, "En wat deed de kleuterjuf dan met de ouders?")
    assert (
        "Gelezen als: Wat kreeg elke nieuwe kleuter in de proeftuin? En wat deed de kleuterjuf "
        "dan met de ouders?" in text_of(browser, "gesprek")
    )


def test_the_apa_copy_is_rich_text_and_plain_text_without_asterisks(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_and_wait(browser, "Hoeveel scholen en gemeenten zitten in het netwerk Kansen4Kinderen?")
    open_accordion(browser, "bronvermelding")
    plain = browser.execute_script("return document.querySelector('#apa-tekst').textContent")
    rich = browser.execute_script("return document.querySelector('#apa-rijk').innerHTML")
    assert plain.startswith("Referenties\nKansen4Kinderen. (z.d.")
    assert "*" not in plain and "<i>" in rich
    assert "Geciteerde passages" in plain and "tachtig scholen" in plain
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": server["url"].rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    browser.find_element(By.ID, "kopieer-apa").click()
    wait_for(lambda: "gekopieerd" in text_of(browser, "apa-status"))
    pasted = browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.read().then(async items => {"
        "const out = {}; for (const t of items[0].types) out[t] = await (await items[0].getType(t)).text();"
        "done(out); }).catch(e => done({error: String(e)}));"
    )
    assert "<i>" in pasted.get("text/html", ""), pasted
    assert pasted.get("text/plain", "").startswith("Referenties") and "*" not in pasted["text/plain"]

    browser.find_element(By.ID, "export-docx").click()
    link = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#export-bestand a[href]"))
    data = urllib.request.urlopen(link[0].get_attribute("href")).read()
    path = ARTIFACTS / "gesprek.docx"
    path.write_bytes(data)
    import docx

    document = docx.Document(str(path))
    assert document.core_properties.language == "nl-NL"
    paragraphs = [p.text for p in document.paragraphs]
    assert "Referenties" in paragraphs and any("Kansen4Kinderen. (z.d" in p for p in paragraphs)


def test_new_conversation_clears_everything_filters_included(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    open_accordion(browser, "filters")
    choose(browser, "chat-country", "België")
    chip = wait_for(lambda: [c for c in browser.find_elements(By.ID, "filter-country") if c.is_displayed()])
    assert chip[0].text == "✕ Land: België"
    ask_and_wait(browser, "Welke vormen van advies op instellingsniveau biedt Stad Gent aan?")
    assert not shown(browser, "voorbeelden")
    browser.find_element(By.ID, "nieuw-gesprek").click()
    wait_for(lambda: turns(browser) == 0)
    assert "Stel een vraag over je praktijk" in text_of(browser, "gesprek")
    wait_for(lambda: not shown(browser, "filter-country"))
    value = browser.find_element(By.CSS_SELECTOR, "#chat-country input").get_attribute("value")
    assert value == "(alle)"
    assert shown(browser, "voorbeelden")
    assert not browser.find_elements(By.CSS_SELECTOR, "#apa-tekst")
    # The next question is not joined to the wiped one.
    ask_and_wait(browser, "En hoeveel dagen per maand krijg je dan?")
    assert "Gelezen als" not in text_of(browser, "gesprek")


def test_filter_chips_remove_a_filter_and_an_empty_selection_says_so(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    open_accordion(browser, "filters")
    choose(browser, "chat-country", "Nederland")
    choose(browser, "chat-organisation", "Stad Gent")
    wait_for(lambda: shown(browser, "filter-organisation"))
    browser.save_screenshot(str(ARTIFACTS / "filterchips.png"))
    ask_and_wait(browser, "Hoe betrek ik ouders bij de school?")
    assert "Geen documenten passen bij deze filters" in text_of(browser, "gesprek")
    browser.find_element(By.ID, "filter-organisation").click()
    wait_for(lambda: not shown(browser, "filter-organisation"))
    assert shown(browser, "filter-country")
    ask_and_wait(browser, "Hoe betrek ik ouders bij de school?")
    last = browser.find_elements(By.CSS_SELECTOR, "#gesprek .beurt")[-1]
    assert "[1]" in last.text and "Kansen4Kinderen" in last.get_attribute("innerHTML")


def test_start_screen_examples_and_the_collection(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    examples = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#voorbeelden button"))
    assert 3 <= len(examples) <= 4
    assert "citaten uit de documenten" in text_of(browser, "gesprek")
    examples[1].click()
    wait_for(lambda: turns(browser) == 1)
    assert "[1]" in text_of(browser, "gesprek")
    browser.find_element(By.XPATH, "//button[@role='tab' and contains(., 'Collectie')]").click()
    table = wait_for(lambda: [t for t in browser.find_elements(By.CSS_SELECTOR, "#collectie table") if t.is_displayed()])
    rows = table[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 9  # the five pages, the report, the polyglot, markup.txt, pagina.html
    text = table[0].text
    assert "Samen door de schoolpoort" in text and "Onderwijscentrum Gent (Stad Gent)" in text
    browser.save_screenshot(str(ARTIFACTS / "collectie.png"))


def test_search_tells_the_truth(server, browser):
    from selenium.webdriver.common.by import By

    box = search_in_browser(browser, server, "xyzzyq")
    wait_for(lambda: "Geen resultaten" in text_of(browser, "resultaten"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")
    assert not shown(browser, "meer")

    box.clear()
    box.send_keys("ouders school")
    browser.find_element(By.ID, "zoek-knop").click()
    wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")) == 10)
    count = text_of(browser, "resultaten").split("\n")[0]
    assert count.endswith("gevonden voor “ouders school”.")
    total = int(count.split()[0])
    assert total > 10 and shown(browser, "meer")
    assert browser.find_elements(By.CSS_SELECTOR, "#resultaten mark")
    browser.find_element(By.CSS_SELECTOR, "#zoek-organisation input").click()
    options = [option_text(o) for o in browser.find_elements(By.CSS_SELECTOR, "li.item")]
    counted = [o for o in options if o not in ("(alle)", "")]
    assert sum(int(o.rsplit("(", 1)[1].rstrip(")")) for o in counted) == total
    chosen = next(o for o in counted if o.startswith("Kansen4Kinderen ("))
    [o for o in browser.find_elements(By.CSS_SELECTOR, "li.item") if option_text(o) == chosen][0].click()
    wait_for(
        lambda: (
            browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer")
            and all("Kansen4Kinderen" in r.text for r in browser.find_elements(By.CSS_SELECTOR, "#resultaten .treffer"))
        )
    )
    browser.save_screenshot(str(ARTIFACTS / "zoeken.png"))
    # The other organisations stay on offer, with their counts.
    browser.find_element(By.CSS_SELECTOR, "#zoek-organisation input").click()
    again = [option_text(o) for o in browser.find_elements(By.CSS_SELECTOR, "li.item")]
    assert set(counted) - {chosen} <= set(again), (counted, again)
    [o for o in browser.find_elements(By.CSS_SELECTOR, "li.item") if option_text(o) == "(alle)"][0].click()

    box.clear()
    box.send_keys("onthaalmomenten tipfiche code")
    browser.find_element(By.ID, "zoek-knop").click()
    wait_for(lambda: "<script>" in text_of(browser, "resultaten"))
    assert "onerror" in text_of(browser, "resultaten")  # shown as text
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.XPATH, "//script[contains(., '__xss')]")
    assert not browser.find_elements(By.CSS_SELECTOR, "#resultaten img")


ENGLISH = re.compile(
    r"\b(clear|copy|like|dislike|more tabs|share|download|warning|error|loading|submit|"
    r"message|conversation|chatbot|footer|close|remove|upload|drop|common\.)", re.I
)


def test_the_page_is_dutch_accessible_and_readable(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    from selenium.webdriver.common.keys import Keys

    box = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))[0]
    # Shift+Enter starts a new line in the question; Enter asks it.
    box.send_keys("Hoe betrek ik *ouders* bij de", Keys.SHIFT, Keys.ENTER, Keys.SHIFT, "kleuterklas?")
    assert box.get_attribute("value") == "Hoe betrek ik *ouders* bij de\nkleuterklas?"
    box.send_keys(Keys.ENTER)
    wait_for(lambda: turns(browser) == 1)
    assert browser.execute_script("return document.documentElement.lang") == "nl"
    names = browser.execute_script(
        "return [...document.querySelectorAll('*')].flatMap(e => ['aria-label', 'title', "
        "'placeholder', 'alt'].map(a => e.getAttribute(a)).filter(Boolean))"
    )
    assert not [n for n in names if ENGLISH.search(n)], names
    unlabelled = browser.execute_script(
        "return [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null"
        " && !b.textContent.trim() && !b.getAttribute('aria-label')).map(b => b.outerHTML)"
    )
    assert not unlabelled
    # The question shows as typed: no Markdown, line break kept.
    question = browser.find_element(By.CSS_SELECTOR, "#gesprek .vraag .tekst")
    assert question.text == "Hoe betrek ik *ouders* bij de\nkleuterklas?"
    assert not question.find_elements(By.CSS_SELECTOR, "em")
    # WCAG AA: 4.5:1 for the primary button and the placeholder.
    contrast = browser.execute_script(
        """
        const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const button = getComputedStyle(document.getElementById('vraag-knop'));
        const box = document.querySelector('#vraag-invoer textarea');
        const placeholder = getComputedStyle(box, '::placeholder').color;
        return [ratio(button.color, button.backgroundColor), ratio(placeholder, getComputedStyle(box).backgroundColor)];
        """
    )
    assert all(r >= 4.5 for r in contrast), contrast
    # The input says when its 2,000 characters are used up.
    box = browser.find_element(By.CSS_SELECTOR, "#vraag-invoer textarea")
    browser.execute_script(
        "const box = arguments[0]; box.value = 'a'.repeat(1999); "
        "box.dispatchEvent(new Event('input', {bubbles: true}));",
        box,
    )
    box.send_keys("a")
    wait_for(lambda: "grens van 2000 tekens" in text_of(browser, "vraag-grens"))


def test_phone_width_puts_each_answers_sources_right_under_it(server, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 844)
    try:
        browser.get(server["url"])
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
        ask_and_wait(browser, "Wat doet de inclusiecoach van Stad Gent?")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400  # nothing forces sideways scrolling
        answer = browser.find_element(By.CSS_SELECTOR, "#beurt-1 .antwoord")
        sources = answer.find_element(By.CSS_SELECTOR, "details.bronnen")
        assert not sources.get_attribute("open")  # folded
        gap = sources.location["y"] - (answer.location["y"])
        assert 0 < gap < answer.size["height"]
        browser.find_element(By.CSS_SELECTOR, "#beurt-1 a.chip").click()
        card = wait_for(lambda: [c for c in browser.find_elements(By.CSS_SELECTOR, "#beurt-1 .bron") if c.is_displayed()])
        assert card[0].location["y"] < browser.find_element(By.ID, "vraag-invoer").location["y"]
        browser.save_screenshot(str(ARTIFACTS / "telefoon.png"))
        # The Collectie tab shows each document as a card, not a table to scroll sideways.
        browser.find_element(By.XPATH, "//button[@role='tab' and contains(., 'Collectie')]").click()
        table = wait_for(
            lambda: [
                t
                for t in browser.find_elements(By.CSS_SELECTOR, "#collectie table")
                if t.is_displayed()
            ]
        )[0]
        assert table.size["width"] <= 390
        cell = table.find_element(By.CSS_SELECTOR, "tbody td[data-label='Organisatie']")
        assert cell.value_of_css_property("display") == "block"
        browser.save_screenshot(str(ARTIFACTS / "collectie-telefoon.png"))
    finally:
        browser.set_window_size(1280, 1000)


def test_no_document_runs_as_a_page_of_the_app_in_the_browser(server, browser):
    """Stored XSS through the file route: an HTML document gets no link to its file, and a PDF
    that is also a web page opens in the PDF viewer, sandboxed, its script inert."""
    from selenium.webdriver.common.by import By

    search_in_browser(browser, server, "onthaal van kleuters pagina voorleesmoment vrijdag")
    wait_for(lambda: "Voorleesfiche" in text_of(browser, "resultaten"))
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#resultaten a")]
    local = [h for h in hrefs if h.startswith(server["url"])]
    # Only the app's own routes: a PDF by id, or a document's stored copy as escaped text.
    assert local and all(
        ("/bron/" in h and h.split("#")[0].endswith(".pdf")) or "/kopie/" in h for h in local
    )
    markup = document_id("markup.txt")
    copy = urllib.request.urlopen(f"{server['url']}kopie/{markup}?passage=0")
    assert copy.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "&lt;script&gt;" in copy.read().decode()
    local.append(f"{server['url']}kopie/{markup}?passage=0")
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


def test_thumbs_are_saved_and_said_so(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#vraag-invoer textarea"))
    ask_and_wait(browser, "Wie is de inclusiecoach in Gent?")
    wait_for(lambda: shown(browser, "duim-omlaag"))
    browser.find_element(By.ID, "duim-omlaag").click()
    wait_for(lambda: "Bedankt!" in text_of(browser, "beoordeling-status"))
    comment = wait_for(
        lambda: [t for t in browser.find_elements(By.XPATH, "//label[contains(., 'Opmerking bij je beoordeling')]//textarea") if t.is_displayed()]
    )
    comment[0].send_keys("Graag ook het telefoonnummer.")
    browser.find_element(By.XPATH, "//button[contains(., 'Verstuur opmerking')]").click()
    wait_for(lambda: "opmerking is bewaard" in text_of(browser, "beoordeling-status"))
    import sqlite3

    with sqlite3.connect(server["folder"] / "feedback.sqlite3") as conn:
        rows = conn.execute("SELECT question, rating, comment, citations FROM feedback").fetchall()
    assert ("Wie is de inclusiecoach in Gent?", "down", "Graag ook het telefoonnummer.") in [
        r[:3] for r in rows
    ]
    assert json.loads(rows[-1][3])[0]["source"] == "gent-kinderopvang-pedagogische-begeleiding.txt"


def test_unreachable_services_get_a_dutch_message_that_keeps_the_conversation():
    store = _dutch_error(StoreUnavailableError("the Chroma server does not answer"))
    embedder = _dutch_error(EmbeddingUnavailableError("the embeddings server at x failed"))
    assert "documentenbank" in store and "je gesprek blijft bewaard" in store
    assert "vragen en teksten vergelijkt" in embedder and "je gesprek blijft bewaard" in embedder


# --- the handlers, without a browser ------------------------------------------------------


def make_view():
    import gradio as gr

    from assistant.facets import FACETS
    from assistant.webapp import View

    return View(
        chat=gr.HTML(), conversation=gr.State([]), question=gr.Textbox(), limit_note=gr.Markdown(),
        examples=gr.Row(), chips=[gr.Button() for _ in FACETS],
        chat_facets=[gr.Dropdown() for _ in FACETS], feedback_box=gr.Row(),
        feedback_status=gr.Markdown(), feedback_row=gr.State(None), comment_box=gr.Group(),
        which=gr.Dropdown(), apa=gr.HTML(), copy=gr.Button(), download=gr.File(),
        search_facets=[gr.Dropdown() for _ in FACETS],
    )  # fmt: skip


def test_handlers_answer_clear_and_rate_without_a_browser(assistant, tmp_path):
    from assistant.feedback import FeedbackStore
    from assistant.webapp import ALL, NO_DOCUMENTS, Context, new_conversation, rate, respond

    store = FeedbackStore(tmp_path / "fb.sqlite3", keep_text=False)
    ctx, view = Context(assistant, store), make_view()
    assert not (tmp_path / "fb.sqlite3").exists()  # nothing is written before a rating
    updates = list(respond(ctx, view, "Wat doet een kansencoach?", [], ALL, ALL, ALL, ALL))
    assert "Even zoeken" in updates[0][view.chat]  # the question shows at once
    final = updates[-1]
    conversation = final[view.conversation]
    assert conversation[-1].answered and 'class="chip"' in final[view.chat]
    assert "<i>" in final[view.apa] and final[view.copy].visible
    # Filters that leave nothing to search say so.
    empty = list(respond(ctx, view, "Hoe betrek ik ouders?", conversation, "Kansen4Kinderen", ALL, "BE", ALL))
    assert empty[-1][view.conversation][-1].text == NO_DOCUMENTS
    cleared = new_conversation(ctx, view)
    assert cleared[view.conversation] == [] and cleared[view.download] is None
    assert all(cleared[d].value == ALL for d in view.chat_facets)
    assert not any(cleared[c].visible for c in view.chips) and not cleared[view.copy].visible
    said = rate(ctx, view, "up", conversation)
    assert "Bedankt" in said[view.feedback_status] and not said[view.comment_box].visible
    assert store.rows()[0]["question"] == ""  # logging off: only the rating and the documents


def test_search_page_counts_only_matches_and_keeps_the_other_values_of_a_facet(assistant):
    from assistant.webapp import Context, search_page

    ctx = Context(assistant)
    assert search_page(ctx, "xyzzyq", {}, 10).total == 0
    page = search_page(ctx, "ouders", {}, 10)
    assert 0 < len(page.hits) <= 10 < page.total < 46
    assert sum(page.counts["organisation"].values()) == page.total
    chosen = search_page(ctx, "ouders", {"organisation": "Kansen4Kinderen"}, 10)
    assert chosen.total == page.counts["organisation"]["Kansen4Kinderen"]
    assert chosen.counts["organisation"] == page.counts["organisation"]
    assert all(h.chunk.info.organisation == "Kansen4Kinderen" for h in chosen.hits)
