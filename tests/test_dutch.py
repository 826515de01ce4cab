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
    assert Analyzer(stemmer="dutch_porter", compounds=False).terms("gezinnen") == ["gezin"]


def test_plurals_meet_their_singular_and_a_magazine_is_no_class():
    analyzer = Analyzer(compounds=False)
    # Porter's stemmer left 'klass', 'less', 'stapp' and made 'kans' into 'kan'.
    for singular, plural in (("klas", "klassen"), ("les", "lessen"), ("stap", "stappen"),
                             ("gezin", "gezinnen"), ("kans", "kansen")):  # fmt: skip
        assert analyzer.terms(singular) == analyzer.terms(plural), plural
    assert analyzer.terms("kans") != analyzer.terms("kan")
    # 'Klasse' (the magazine, or 'quality') is not a class.
    assert analyzer.terms("Klasse") != analyzer.terms("klas")
