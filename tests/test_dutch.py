from assistant.dutch import Analyzer, build_vocabulary, fold


def test_everyday_and_regional_words_meet_the_documents_terms():
    analyzer = Analyzer(compounds=False)
    assert (
        analyzer.terms("de juf") == analyzer.terms("de leerkracht") == analyzer.terms("de leraar")
    )
    assert (
        analyzer.terms("crèche")
        == analyzer.terms("kinderdagverblijf")
        == analyzer.terms("kinderopvang")
    )
    assert analyzer.terms("de middelbare school") == analyzer.terms("het secundair onderwijs")
    assert analyzer.terms("kindjes") == analyzer.terms("kinderen")
    assert Analyzer(synonyms=False, compounds=False).terms("juf") != analyzer.terms("leerkracht")


def test_compounds_split_into_parts_the_corpus_knows():
    vocabulary = build_vocabulary(
        ["De ouders tonen betrokkenheid bij de kleuter en de participatie."], "dutch_porter"
    )
    analyzer = Analyzer(vocabulary=vocabulary)
    terms = analyzer.terms("ouderbetrokkenheid")
    assert set(analyzer.terms("ouders betrokkenheid")) <= set(terms)
    assert set(analyzer.terms("kleuter participatie")) <= set(analyzer.terms("kleuterparticipatie"))
    assert analyzer.split("onderwijs") == ()


def test_stop_words_and_accents():
    assert Analyzer(compounds=False).words("Welke rol speelt de crèche?") == [
        "rol",
        "speelt",
        "kinderopvang",
    ]
    assert fold("Één Crèche") == "een creche"


def test_the_two_snowball_stemmers_differ_on_the_ge_prefix():
    assert Analyzer(stemmer="dutch", compounds=False).terms("gezinnen") == ["zin"]
    assert Analyzer(stemmer="dutch_porter", compounds=False).terms("gezinnen") == ["gezinn"]
