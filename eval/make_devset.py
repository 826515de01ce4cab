"""Source of eval/devset.jsonl: edit here (or eval/blind.jsonl), run
`python eval/make_devset.py`, commit all three.

Fields: id; question; style ("document": reuses the documents' wording, "own": a teacher's,
student's or childcare worker's own words); answerable; evidence (substrings of the passages
that answer it: retrieval counts a hit when a retrieved chunk holds one); docs (documents needed);
facts (each a list of alternatives, one of which a correct answer must contain, cited); origin
("dev": written beside the passages by the people who tuned the system; "blind": see below);
previous and turn (a conversation: "follow_up" needs the question before it, "switch" starts a
new topic and must not be joined to it); split ("tune" or "heldout", fixed here once).

eval/paraphrased.jsonl holds a third helper's rewrites of the single blind questions as asked by
someone who knows no names or jargon (never seeing the documents either): same need, same labels
and the same half as the question rewritten ("paraphrase_of").

eval/blind.jsonl holds the "blind" questions. One helper read the documents and wrote, in English,
a practitioner's situation for each passage or fact (plus on-topic needs the documents cannot
answer), with the gold labels; a second helper who never saw the documents wrote each Dutch
question from the situation alone. Both texts are kept there, with the labels.
"""

import json
from pathlib import Path

DOC, OWN = "document", "own"
ITEMS = [
    # --- Kleine Kinderen Grote Kansen: Historiek & visie
    (
        DOC,
        "Hoeveel Vlaamse lerarenopleidingen kleuter- en lager onderwijs bundelen de krachten in Kleine Kinderen Grote Kansen?",
        ["Alle 13 Vlaamse lerarenopleidingen", "alle dertien educatieve bacheloropleidingen"],
        [["13", "dertien"]],
    ),
    (
        DOC,
        "Welke vijf kerncompetenties voor kleuterleraren werden in 2014 geformuleerd?",
        [
            "Armoede zien en diversiteit positief benaderen",
            "Dit resulteerde in vijf kerncompetenties",
        ],
        [["kerncompetenties", "Armoede zien", "kwaliteitsvolle interacties"]],
    ),
    (
        DOC,
        "Uit hoeveel hefbomen en verbindende concepten bestaat het hefbomenkader?",
        ["met zeven hefbomen en vier verbindende concepten"],
        [["zeven hefbomen"], ["vier verbindende concepten"]],
    ),
    (
        DOC,
        "Wie voerde het actieonderzoek uit 2014 uit waarop Kleine Kinderen Grote Kansen gebaseerd is?",
        ["actieonderzoek uitgevoerd door het Steunpunt Diversiteit en Leren"],
        [["Steunpunt Diversiteit en Leren"]],
    ),
    (
        DOC,
        "Op welke organisaties focuste het project Samen evalueren voor meer impact in de strijd tegen kinderarmoede?",
        ["focuste op organisaties die werken met jonge kinderen"],
        [["jonge kinderen en hun gezinnen"]],
    ),
    (
        DOC,
        "Wie subsidieerde het onderwijsproject Sterke kleuterleraren?",
        ["Subsidie: Departement Onderwijs en Vorming en Koning Boudewijnstichting"],
        [["Departement Onderwijs en Vorming"]],
    ),
    (
        DOC,
        "Welke organisatie zorgde voor een ondersteunende mediacampagne voor Kleine Kinderen Grote Kansen?",
        ["Klasse zorgde voor een ondersteunende mediacampagne"],
        [["Klasse"]],
    ),
    # --- Kansen4Kinderen: Ieder kind een eerlijke kans
    (
        DOC,
        "Hoeveel scholen en gemeenten maken deel uit van het netwerk Kansen4Kinderen?",
        ["meer dan tachtig scholen en twaalf gemeenten"],
        [["tachtig scholen"], ["twaalf gemeenten"]],
    ),
    (
        DOC,
        "Welke vier thema's zijn zichtbaar geworden binnen het netwerk van Kansen4Kinderen?",
        ["Er zijn daarbij vier thema’s zichtbaar geworden", "Kansrijk beginnen"],
        [["Kansrijk beginnen", "Samen4Kansen", "Kansrijk kiezen", "Kansrijk opgroeien"]],
    ),
    (
        DOC,
        "Door welke Regio Deal is Kansen4Kinderen tot stand gekomen?",
        ["Regio Deal Zuid- en Oost-Drenthe en Hardenberg"],
        [["Zuid- en Oost-Drenthe"]],
    ),
    (
        DOC,
        "Waarom is een goede afstemming tussen thuis en school belangrijk volgens Kansen4Kinderen?",
        ["ook de thuissituatie is een belangrijke leeromgeving"],
        [["thuissituatie", "leeromgeving"]],
    ),
    # --- Samen door de schoolpoort (Gent)
    (
        DOC,
        "Wie financierde de proeftuinen kwalitatieve kleuterparticipatie via ouderbetrokkenheid?",
        [
            "Het Europees Fonds voor Asiel, Migratie en Integratie (AMIF) en de Vlaamse overheid financierden"
        ],
        [["Asiel, Migratie en Integratie", "AMIF"], ["Vlaamse overheid"]],
    ),
    (
        DOC,
        "Hoeveel basisscholen ondersteunde de Gentse proeftuin Samen door de schoolpoort?",
        ["ondersteunden we 7 basisscholen"],
        [["7 basisscholen"]],
    ),
    (
        DOC,
        "Wie begeleidde het overkoepelend lerend netwerk van de proeftuinen?",
        ["begeleid door het expertisecentrum VBJK vzw"],
        [["VBJK"]],
    ),
    (
        DOC,
        "Wanneer vond de slotconferentie van de 7 Vlaamse proeftuinen plaats?",
        ["op 17 december 2018"],
        [["17 december 2018"]],
    ),
    (
        DOC,
        "Hoe heet de publicatie die inzichten en praktische tools uit de proeftuinen bundelt?",
        ["Warm, welkom en wederkerig"],
        [["Warm, welkom en wederkerig"]],
    ),
    (
        DOC,
        "Wat hield de uitgebreide omgevingsanalyse in de eerste fase van de Gentse proeftuin in?",
        ["interviews met ouders, interviews met partnerorganisaties"],
        [["interviews met ouders", "focusgroepen met leerkrachten"]],
    ),
    (
        DOC,
        "Welke acties zette de Gentse proeftuin op in 2017-2018?",
        ["schaduwen in de wijk Sluizeken-Tolhuis-Ham", "In 2017-2018 gingen we over tot actie"],
        [["instaptraject", "stem van ouders", "scholenbezoekronde", "schaduwen in de wijk"]],
    ),
    # --- Kansen4Kinderen: Samenwerking en educatief partnerschap
    (
        DOC,
        "Welke niveaus van samenwerking tussen ouders en school onderscheidt Epstein?",
        [
            "door Epstein meerdere niveaus worden onderscheiden",
            "Ouders helpen thuis een leerrijke omgeving",
        ],
        [
            [
                "leerrijke omgeving",
                "goede communicatie tussen school en ouders",
                "beslissingen op schoolniveau",
                "meerdere niveaus",
            ]
        ],
    ),
    (
        DOC,
        "Welke rol vervult de kansencoach binnen Kansen4Kinderen?",
        ["De kansencoach voegt toe op de ontwikkeling van het educatief partnerschap"],
        [["educatief partnerschap"]],
    ),
    (
        DOC,
        "Aan hoeveel schoolteams is de rol van kansencoach toegevoegd?",
        ["Aan meer dan zestig schoolteams"],
        [["zestig schoolteams"]],
    ),
    (
        DOC,
        "Uit welk onderzoek blijkt dat betrokkenheid van ouders bij het leren een positieve invloed heeft?",
        ["Joyce Epstein en Mariëtte Lusse"],
        [["Epstein"], ["Lusse"]],
    ),
    # --- Stad Gent, Dienst Kinderopvang: Pedagogische begeleiding en ondersteuning
    (
        DOC,
        "Op hoeveel dagen ondersteuning per maand mag een opvanglocatie rekenen bij een praktijkbegeleiding?",
        ["ongeveer 2 dagen ondersteuning per maand"],
        [["2 dagen"]],
    ),
    (
        DOC,
        "Uit welke luiken bestaat het pedagogisch concept bij een projectbegeleiding?",
        ["4 luiken: kind, ouder, team en buurt"],
        [["kind, ouder, team en buurt"]],
    ),
    (
        DOC,
        "Waarop focust een video-interactiebegeleiding?",
        ["Bij VIB focussen we aan de hand van videobeelden"],
        [["videobeelden"]],
    ),
    (
        DOC,
        "Wie is de inclusiecoach van Dienst Kinderopvang Stad Gent?",
        ["inclusiecoach Hilde Schockaert"],
        [["Hilde Schockaert"]],
    ),
    (
        DOC,
        "Wanneer kan een gezins- of groepsopvang gratis beroep doen op pedagogische ondersteuning?",
        ["zonder inkomenstarief, of met inkomenstarief maar maximum 18 plaatsen"],
        [["inkomenstarief"], ["18 plaatsen"]],
    ),
    (
        DOC,
        "Wat zijn de doelstellingen van CIK Stad Gent?",
        ["de toegankelijkheid vergroten voor kinderen met een specifieke zorgbehoefte"],
        [["toegankelijkheid vergroten", "diversiteitsdenken"]],
    ),
    # --- own words
    (
        OWN,
        "Ik sta in een kleuterklas met veel kindjes uit arme gezinnen. Is er in Vlaanderen een netwerk van hogescholen dat daarrond werkt?",
        [
            "Alle 13 Vlaamse lerarenopleidingen",
            "Kleine Kinderen Grote Kansen is een Vlaanderen-breed netwerk",
        ],
        [["Kleine Kinderen Grote Kansen"]],
    ),
    (
        OWN,
        "Onze crèche in Gent wil hulp om beter te praten met mama's en papa's. Waar kunnen we aankloppen?",
        [
            "vragen over communiceren met ouders",
            "kan je bij stad Gent terecht voor pedagogische ondersteuning",
        ],
        [["Stad Gent", "Mentes", "pedagogische ondersteuning"]],
    ),
    (
        OWN,
        "Wij zijn een kleine onthaalouder met acht plekjes. Moeten we betalen voor de begeleiding van de stad?",
        ["gratis beroep doen op deze pedagogische ondersteuning"],
        [["gratis"]],
    ),
    (
        OWN,
        "Hoe vaak komt de begeleider langs als ons kinderdagverblijf iets nieuws wil uitproberen met het team?",
        ["ongeveer 2 dagen ondersteuning per maand"],
        [["2 dagen"]],
    ),
    (
        OWN,
        "Kan iemand van de stad opnemen hoe onze verzorgsters met de kleintjes omgaan en daar feedback op geven?",
        [
            "Bij VIB focussen we aan de hand van videobeelden",
            "Een video-interactiebegeleiding is de enige vorm van coaching",
        ],
        [["video"]],
    ),
    (
        OWN,
        "Welke gemeenten rond Gent horen bij de regio waar de stad haar visie op opvang voor alle kinderen uitdraagt?",
        ["Merelbeke", "omvat deze de regio Groot Gent"],
        [["Groot Gent", "Merelbeke", "Lochristi"]],
    ),
    (
        OWN,
        "Kunnen de verzorgsters van de stedelijke kinderopvang in Gent opleidingen volgen?",
        [
            "Bijscholingen: cursussen waaraan kinderbegeleiders",
            "De uitgebreide bijscholingsbrochure",
        ],
        [["cursussen", "bijscholingsbrochure", "Bijscholingen"]],
    ),
    (
        OWN,
        "Ik werk op een basisschool in Drenthe. Bestaat er een samenwerking van scholen en gemeenten om leerlingen betere kansen te geven?",
        ["meer dan tachtig scholen en twaalf gemeenten", "Kansen4Kinderen is een netwerk"],
        [["Kansen4Kinderen"]],
    ),
    (
        OWN,
        "Waarom zou ik als juf moeite doen om vaak met de ouders te praten?",
        [
            "Regelmatige contacten tussen ouders en school",
            "blijkt dat betrokkenheid van ouders bij het leren",
        ],
        [["gunstige invloed", "positieve invloed", "motiverend"]],
    ),
    (
        OWN,
        "Een leerling in mijn klas doet heel lastig. Hoe pak ik dat samen met thuis aan?",
        ["storend gedrag ontwikkelen", "investeren in het gewone leven"],
        [["samenwerking", "gewone leven", "kansencoach"]],
    ),
    (
        OWN,
        "Op welke manieren kunnen ouders een handje toesteken op school volgens dat Amerikaanse model?",
        ["ouders op verschillende manieren in en rondom de school kunnen helpen"],
        [["in en rondom de school", "Vrijwilligerswerk"]],
    ),
    (
        OWN,
        "Mijn leerlingen van groep 8 moeten een middelbare school kiezen maar weten niet wat er allemaal bestaat. Zegt Kansen4Kinderen daar iets over?",
        [
            "gekozen moet worden voor vervolgonderwijs",
            "een goed beeld hebben van het vervolgonderwijs",
        ],
        [["vervolgonderwijs"]],
    ),
    (
        OWN,
        "Is het goed dat kinderen na school gaan voetballen of muziekles volgen?",
        ["Het beoefenen van een sport"],
        [["sociale vaardigheden", "culturele ontwikkeling"]],
    ),
    (
        OWN,
        "Gezinnen die thuis geen Nederlands praten: hebben die kleintjes hulp nodig voor ze naar school gaan?",
        ["extra ondersteuning nodig om hun kinderen voor te bereiden"],
        [["extra ondersteuning"]],
    ),
    (
        OWN,
        "Hoe lang liepen die Vlaamse projecten rond ouders en kleuters die Europa mee betaalde?",
        ["gedurende een periode van twee jaar (2017-2018)"],
        [["twee jaar", "2017-2018"]],
    ),
    (
        OWN,
        "Voor welke ouders waren die Europese proefprojecten in Vlaanderen bedoeld?",
        ["voor de AMIF-doelgroep (derdelanders)"],
        [["derdelanders"]],
    ),
    (
        OWN,
        "Wat deed Gent zodat kleuters minder vaak thuisblijven van school?",
        ["registratie en stappenplan bij afwezigheden", "In 2017-2018 gingen we over tot actie"],
        [["afwezigheden", "instaptraject", "voorschools traject"]],
    ),
    (
        OWN,
        "Hoe zijn ze in Gent begonnen voordat ze met de scholen aan de slag gingen?",
        ["In een eerste fase maakten we een uitgebreide omgevingsanalyse"],
        [["omgevingsanalyse"]],
    ),
    (
        OWN,
        "Waar vind ik praktische ideeën voor kleuters die weinig naar de klas komen?",
        ["fiches met tips en goede praktijken"],
        [["fiches", "tips en goede praktijken"]],
    ),
    (
        OWN,
        "Wat moeten studenten voor kleuterjuf kunnen om met armoede om te gaan?",
        [
            "Dit resulteerde in vijf kerncompetenties",
            "Armoede zien en diversiteit positief benaderen",
        ],
        [["kerncompetenties", "Armoede zien", "competenties"]],
    ),
    (
        OWN,
        "Werken de hogescholen in dat Vlaamse netwerk ook echt samen met scholen uit de praktijk?",
        ["actief samen met basisscholen en andere actoren"],
        [["basisscholen"]],
    ),
    (
        OWN,
        "Ik leid een opvang en wil mijn team sterker maken zonder dat de begeleider op de groep meedraait. Kan dat?",
        ["Wanneer wij coaching geven aan een verantwoordelijke"],
        [["coaching", "verantwoordelijke"]],
    ),
    (
        OWN,
        "Wij willen met ons hele opvangteam een avond werken rond één onderwerp dat bij ons past. Bestaat daar iets voor?",
        ["een pedagogische conferentie biedt de unieke mogelijkheid"],
        [["pedagogische conferentie"]],
    ),
    (
        OWN,
        "Is er in Gent hulp om kindjes met een beperking gewoon mee te laten draaien in de opvang?",
        [
            "toegankelijkheid vergroten voor kinderen met een specifieke zorgbehoefte",
            "Centra voor Inclusieve Kinderopvang",
        ],
        [["inclusie", "Inclusieve", "specifieke zorgbehoefte"]],
    ),
    (
        OWN,
        "Hoe lang duurt zo'n intensief traject met een begeleider rond een nieuw idee voor de hele opvang?",
        [
            "Niet zelden strekt een projectbegeleiding zich uit over meerdere jaren",
            "ongeveer 4 dagen ondersteuning per maand",
        ],
        [["meerdere jaren", "4 dagen", "langere periode"]],
    ),
    (
        OWN,
        "Kunnen begeleiders in de opvang ervaringen uitwisselen in groepjes met mensen die hetzelfde werk doen?",
        [
            "Collegagroepen: collegagroepen stellen het uitwisselen",
            "organiseren we ook bijeenkomsten waarop je collega",
        ],
        [["collegagroepen", "bijeenkomsten"]],
    ),
    (
        OWN,
        "Heeft het zin om mama's en papa's mee te laten beslissen over dingen op school?",
        ["Met ouders en leerlingen samenwerken bij beslissingen op schoolniveau"],
        [["beslissingen op schoolniveau"]],
    ),
    (
        OWN,
        "Wie kan ik in Gent mailen als ik meer wil weten over die hulp voor onze opvang?",
        ["Contacteer sarah.vermeersch@stad.gent"],
        [["sarah.vermeersch@stad.gent"]],
    ),
    (
        OWN,
        "In mijn kleuterklas zitten veel kinderen van wie de ouders pas naar België kwamen. Is daar in Vlaanderen al mee geëxperimenteerd?",
        ["experimentele acties rond ouderbetrokkenheid voor de AMIF-doelgroep"],
        [["proeftuinen", "AMIF"]],
    ),
    (
        OWN,
        "Wat heeft de wijk rond de school te maken met het contact met ouders?",
        [
            "Een verbindende rol spelen bij de samenwerking",
            "ontwikkelt zich altijd in de context van school, gezin en buurt",
        ],
        [["bredere netwerk", "school, gezin en buurt"]],
    ),
]
# Questions that need two documents.
TWO_DOCS = [
    (
        DOC,
        "Welke netwerken in Vlaanderen en Nederland werken aan ouderbetrokkenheid en educatief partnerschap?",
        ["wederkerige ouder-schoolsamenwerking", "educatief partnerschap genoemd"],
        [
            ["Kansen4Kinderen", "educatief partnerschap"],
            ["Gent", "schoolpoort", "ouderbetrokkenheid"],
        ],
    ),
    (
        DOC,
        "Welke vormen van coaching bieden de Gentse kinderopvang en de Gentse proeftuin?",
        ["professionalisering: coaching", "Wanneer wij coaching geven"],
        [["coaching"]],
    ),
    (
        DOC,
        "Wat doen Kansen4Kinderen en de Gentse proeftuin om de samenwerking tussen ouders en school te versterken?",
        ["wederkerige ouder-schoolsamenwerking", "versterken van educatief partnerschap"],
        [["ouder-schoolsamenwerking", "educatief partnerschap", "kansencoach"]],
    ),
    (
        OWN,
        "Ik ben juf en wil beter omgaan met armoede in de klas: wat doen ze daarrond in Vlaanderen en in Nederland?",
        ["kinderen in kansarmoede", "context van laaggeletterdheid en armoede"],
        [["armoede", "kansarmoede"]],
    ),
]
UNANSWERABLE = [
    "Hoeveel geld kreeg Kansen4Kinderen van de provincie Drenthe?",
    "Welke kleuterscholen in Antwerpen namen deel aan de AMIF-proeftuinen?",
    "Hoeveel procent van de Gentse kleuters is vaak afwezig op school?",
    "Welke taaltesten gebruiken kleuterjuffen om de woordenschat van kleuters te meten?",
    "Hoeveel kost een plaats in een Gentse kinderopvang per dag?",
    "Welke prentenboeken raden de netwerken aan om voor te lezen aan peuters?",
    "Hoe organiseer ik een huisbezoek bij ouders die geen Nederlands spreken?",
    "Hoeveel kinderen in Drenthe groeien op in armoede?",
    "Wanneer start de inschrijvingsperiode voor de kleuterschool in Gent?",
    "Wat verdient een kansencoach per maand?",
]


SINGLE_PARTS = ("single", "two_docs", "unanswerable")


def blind_rows(path: Path) -> list[dict]:
    """The blind questions as dev-set rows; a conversation's parts follow each other."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        card = json.loads(line)
        part = card["part"]
        row = {
            "id": f"b-{card['card']}" if part in SINGLE_PARTS else f"b-{card['card']}-{part}",
            "question": card["question"],
            "style": OWN,
            "answerable": part != "unanswerable",
            "docs": card["docs"],
            "evidence": card["evidence"],
            "facts": card["facts"],
            "origin": "blind",
        }
        if part in ("follow_up", "switch"):
            row["previous"] = rows[-1]["id"]
            row["turn"] = part
        elif part == "first":
            row["_opens_conversation"] = True
        rows.append(row)
    return rows


def paraphrased_rows(path: Path, rows: list[dict]) -> list[dict]:
    """Rewrites of earlier questions: the original's labels, a new question."""
    by_id = {row["id"]: row for row in rows}
    rewritten = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        original = by_id[item["of"]]
        rewritten.append(
            {
                **original,
                "id": "p" + original["id"][1:],
                "question": item["question"],
                "paraphrase_of": original["id"],
            }
        )
    return rewritten


def assign_splits(rows: list[dict]) -> None:
    """Split once, in the file: within each kind of question (style, answerable, two documents,
    origin, conversation), alternate tune / heldout in order; a conversation stays together."""
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.get("previous") or row.get("paraphrase_of"):
            continue  # takes its conversation's, or its original's, split below
        opens_conversation = row.pop("_opens_conversation", False)
        key = (row["style"], row["answerable"], row["docs"] > 1, row["origin"], opens_conversation)
        count = seen.get(key, 0)
        seen[key] = count + 1
        row["split"] = "tune" if count % 2 == 0 else "heldout"
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        if row.get("previous") or row.get("paraphrase_of"):
            row["split"] = by_id[row.get("previous") or row["paraphrase_of"]]["split"]


def main() -> None:
    rows = []
    for number, (style, question, evidence, facts) in enumerate(ITEMS + TWO_DOCS, start=1):
        rows.append(
            {
                "id": f"q{number:02d}",
                "question": question,
                "style": style,
                "answerable": True,
                "docs": 2 if (style, question, evidence, facts) in TWO_DOCS else 1,
                "evidence": evidence,
                "facts": facts,
                "origin": "dev",
            }
        )
    for number, question in enumerate(UNANSWERABLE, start=1):
        rows.append(
            {
                "id": f"u{number:02d}",
                "question": question,
                "style": "own",
                "answerable": False,
                "docs": 0,
                "evidence": [],
                "facts": [],
                "origin": "dev",
            }
        )
    rows += blind_rows(Path(__file__).with_name("blind.jsonl"))
    rows += paraphrased_rows(Path(__file__).with_name("paraphrased.jsonl"), rows)
    assign_splits(rows)
    out = Path(__file__).with_name("devset.jsonl")
    out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    print(f"{len(rows)} questions written to {out}")


if __name__ == "__main__":
    main()
