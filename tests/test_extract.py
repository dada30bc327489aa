"""Extraction with the real pipeline: entities typed into the ontology, operations, policies,
statements and relations, on the project's own test articles and focused sentences."""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.language import Language

from kg.errors import ModelError
from kg.extract.from_doc import extract
from kg.model import LOCATION_CLASSES, Article, Extraction
from kg.nlp.load import load_pipeline
from tests.helpers import label, run


def classes(x: Extraction) -> dict[str, str]:
    return {e.label: e.cls for e in x.entities}


def labels(x: Extraction, refs: tuple[tuple[str, str], ...]) -> set[str]:
    return {label(x, r) for r in refs}


# --- entities -------------------------------------------------------------------------------------

def test_operation_article_entities_are_typed(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("operation.txt")
    found = classes(x)
    assert found["Islamic State"] == "ArmedGroup"
    assert found["Diyala"] == "AdministrativeArea"
    assert found["Saladin"] == "AdministrativeArea"
    assert found["Hamrin mountains"] == "NaturalFeature"
    assert found["Tuz Khurmatu"] == "Settlement"
    assert found["K1 military base"] == "Facility"
    assert found["Saraya Hurras al-Rafidain"] == "ArmedGroup"
    assert found["5th Division of the Iraqi Army"] == "SecurityForce"
    assert "Person" not in found.values()


def test_mention_offsets_are_exact(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("statements.txt")
    assert x.mentions
    for mention in x.mentions:
        assert x.article.text[mention.span.start : mention.span.end] == mention.span.text
    for fact in (*x.events, *x.policies, *x.statements, *x.relations):
        ev = fact.evidence
        assert x.article.text[ev.start : ev.end] == ev.text


def test_acronym_and_surname_resolve_to_the_full_name(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("statements.txt")
    pmf = next(e for e in x.entities if e.label == "Popular Mobilization Forces")
    assert "PMF" in pmf.aliases
    assert sum(m.entity == pmf.ref for m in x.mentions) >= 3
    hamdani = next(e for e in x.entities if e.label == "Jalal Hamdani")
    assert "Hamdani" in hamdani.aliases
    assert not any(e.label == "Hamdani" for e in x.entities)


def test_head_noun_refers_back_to_the_named_group(nlp: Language) -> None:
    x = run(nlp, "The Wataniya Alliance led by Karim Al-Zaidi rejected the budget. "
                 "In a statement, the Alliance said the vote was illegal.")
    alliance = next(e for e in x.entities if e.label == "Wataniya Alliance")
    assert alliance.cls == "PoliticalGroup"
    assert sum(m.entity == alliance.ref for m in x.mentions) == 2
    assert classes(x)["Karim Al-Zaidi"] == "Person"


def test_governorates_listed_together_are_governorates_not_cities(nlp: Language) -> None:
    x = run(nlp, "Troops combed the desert between Kirkuk, Saladin and Diyala on Monday. "
                 "Later, a bomb exploded in central Baghdad.")
    found = classes(x)
    assert found["Kirkuk"] == "AdministrativeArea"
    assert found["Saladin"] == "AdministrativeArea"  # the governorate, not the sultan
    assert found["Baghdad"] == "Settlement"


def test_unit_is_part_of_its_force(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("operation.txt")
    part_of = [(label(x, r.subject), label(x, r.object)) for r in x.relations if r.predicate == "partOf" and r.object]
    assert ("5th Division of the Iraqi Army", "Iraqi Army") in part_of


# --- operations -----------------------------------------------------------------------------------

def test_search_operation_with_agent_target_places_and_date(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("operation.txt")
    search = next(e for e in x.events if e.cls == "SearchOperation")
    assert "5th Division of the Iraqi Army" in labels(x, search.agents)
    assert labels(x, search.targets) == {"Islamic State"}
    assert {"Diyala", "Saladin"} <= labels(x, search.locations)
    assert search.time is not None and search.time.start == dt.date(2025, 3, 4)  # "on Tuesday" before 6 March
    assert search.time.precision == "Day"
    assert 0 < search.confidence <= 1


def test_arrest_and_rocket_attack(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("operation.txt")
    arrest = next(e for e in x.events if e.cls == "Arrest")
    assert labels(x, arrest.locations) == {"Tuz Khurmatu"}
    assert labels(x, arrest.targets) == {"Islamic State"}
    rocket = next(e for e in x.events if e.cls == "RocketAttack")
    assert labels(x, rocket.targets) == {"K1 military base"}
    assert labels(x, rocket.locations) == {"K1 military base", "Kirkuk"}  # the attacked place, and where it is
    assert rocket.status == "Completed"


def test_agent_from_led_by_and_ongoing_pursuit(nlp: Language) -> None:
    x = run(nlp, "The Iraqi army continues to hunt ISIS cells in the Makhoul mountains.\n\n"
                 "Led by the Federal Police, the second team searched the area between the Tharthar Valley "
                 "and the Sarah Bridge.")
    hunt = next(e for e in x.events if e.trigger.text == "hunt")
    assert labels(x, hunt.agents) == {"Iraqi Army"}
    assert labels(x, hunt.targets) == {"Islamic State"}
    assert hunt.status == "Ongoing"
    search = next(e for e in x.events if e.cls == "SearchOperation" and e is not hunt)
    assert labels(x, search.agents) == {"Federal Police"}
    assert labels(x, search.locations) == {"Tharthar Valley", "Sarah Bridge"}


def test_rocket_and_assassination_carried_out_by_a_group(nlp: Language) -> None:
    x = run(nlp, "Residents fear more rocket attacks and assassinations carried out by Kataib Hezbollah.")
    found = {e.cls: labels(x, e.agents) for e in x.events}
    assert found == {"RocketAttack": {"Kataib Hezbollah"}, "Assassination": {"Kataib Hezbollah"}}


def test_events_without_any_participant_are_not_asserted(nlp: Language) -> None:
    x = run(nlp, "The attacks must stop, he said.")
    assert x.events == ()


# --- policies -------------------------------------------------------------------------------------

def test_policy_article(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("policy.txt")
    by_class = {p.cls: p for p in x.policies}
    easing = next(p for p in x.policies if p.cls == "Sanction" and p.status == "Proposed")
    assert easing.proposed_change == "Eased"
    assert labels(x, easing.issuers) == {"European Union"}
    assert labels(x, easing.targets) == {"Syria"}
    assert easing.time is not None and easing.time.precision == "Week"
    assert easing.time.start == dt.date(2025, 3, 10)  # the Monday of "next week"
    ban = by_class["Ban"]
    assert ban.sectors == ("oil",) and ban.status == "InForce"
    assert labels(x, ban.targets) == {"Syria"}
    freeze = by_class["AssetFreeze"]
    assert "banking" in freeze.sectors
    designation = by_class["Designation"]
    assert labels(x, designation.issuers) == {"United Nations"}
    assert labels(x, designation.targets) == {"Hayat Tahrir al-Sham"}


def test_demonym_target_and_sectors_of_a_suspension_call(nlp: Language) -> None:
    x = run(nlp, "Four EU states urged the bloc this month to suspend sanctions on Syria in trade and aviation.\n\n"
                 "EU sanctions include a ban on Syrian oil exports.")
    suspend = next(p for p in x.policies if p.status == "Proposed")
    assert suspend.proposed_change == "Suspended"
    assert suspend.sectors == ("aviation", "trade")
    assert suspend.time is not None and suspend.time.precision == "Month"
    ban = next(p for p in x.policies if p.cls == "Ban")
    assert labels(x, ban.targets) == {"Syria"}  # from the demonym "Syrian"
    assert labels(x, ban.issuers) == {"European Union"}  # shared within the sentence


# --- statements -----------------------------------------------------------------------------------

def test_statements_with_quotes_pronouns_and_carry_over(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("statements.txt")
    said = {(label(x, s.speaker), s.quote.text) for s in x.statements if s.speaker}
    assert ("Adnan al-Rubaie", "We will find those responsible and bring them to justice") in said
    assert ("Faleh al-Obeidi", "that the state must control all weapons") in said
    assert ("Helena Varga", "Violence must not decide the future of Iraq") in said
    # a paragraph that is only a quotation belongs to the speaker before it
    assert ("Jalal Hamdani", "Whoever fires at the airport is firing at every Iraqi family.") in said
    told = next(s for s in x.statements if s.addressee)
    assert label(x, told.addressee) == "Reuters"  # type: ignore[arg-type]
    monday = next(s for s in x.statements if s.quote.text.startswith("that the state"))
    assert monday.time is not None and monday.time.start == dt.date(2025, 3, 3)
    for s in x.statements:
        assert x.article.text[s.quote.start : s.quote.end] == s.quote.text


def test_reported_speech_date_is_not_part_of_the_quote(nlp: Language) -> None:
    x = run(nlp, "EU foreign policy chief Anna Lindqvist said on Wednesday she expects a deal on Syria next month.")
    statement = x.statements[0]
    assert statement.quote.text.startswith("she expects")
    assert statement.time is not None and statement.time.start == dt.date(2025, 3, 5)


# --- relations ------------------------------------------------------------------------------------

def test_relations(extract_file) -> None:  # type: ignore[no-untyped-def]
    x = extract_file("statements.txt")
    found = {(label(x, r.subject), r.predicate, label(x, r.object)) for r in x.relations if r.object}
    assert ("Faleh al-Obeidi", "leaderOf", "National Dawn Movement") in found
    assert ("Jalal Hamdani", "leaderOf", "Unity of Iraq Alliance") in found
    assert ("Ali al-Tamimi", "spokespersonFor", "Federal Police") in found


def test_position_with_a_title(nlp: Language) -> None:
    x = run(nlp, "European Union foreign policy chief Anna Lindqvist met Syrian officials.")
    positions = [r for r in x.relations if r.position]
    assert [(label(x, r.subject), r.position.label, label(x, r.position.organization))  # type: ignore[union-attr]
            for r in positions] == [("Anna Lindqvist", "foreign policy chief", "European Union")]
    assert not any(r.predicate == "leaderOf" for r in x.relations)  # a chief of policy, not of the Union


def test_coalition_opposes_the_group_it_fights(nlp: Language) -> None:
    x = run(nlp, "A spokesman for the US-led coalition fighting ISIS, Colonel John Reed, said the raid succeeded.")
    found = {(label(x, r.subject), r.predicate, label(x, r.object)) for r in x.relations if r.object}
    assert ("US-led coalition", "opposes", "Islamic State") in found
    assert ("John Reed", "spokespersonFor", "US-led coalition") in found


# --- dates and robustness -------------------------------------------------------------------------

def test_without_a_dateline_relative_dates_stay_unanchored(nlp: Language) -> None:
    x = run(nlp, "The Federal Police arrested two ISIS members in Mosul on Tuesday.", date=None)
    arrest = x.events[0]
    assert arrest.time is not None and arrest.time.text == "Tuesday" and arrest.time.start is None


def test_stream_keeps_order_and_reports_failures(nlp: Language) -> None:
    articles = [Article(id=f"a{i}", text=f"ISIS attacked Kirkuk on day {i}.") for i in range(5)]
    assert [x.article.id for x in extract(iter(articles), nlp)] == [f"a{i}" for i in range(5)]


def test_missing_model_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="is not installed - run: python -m spacy download no_such_pipeline_xx"):
        load_pipeline("no_such_pipeline_xx")


def test_planned_meeting_with_place_and_date(nlp: Language) -> None:
    x = run(nlp, "EU interior ministers will review the measures during a meeting in Luxembourg on April 2.")
    meeting = next(e for e in x.events if e.cls == "Meeting")
    assert labels(x, meeting.agents) == {"European Union"}
    assert labels(x, meeting.locations) == {"Luxembourg"}
    assert meeting.time is not None and meeting.time.start == dt.date(2025, 4, 2)
    assert meeting.status == "Planned"


def test_regime_forces_and_places_they_strike(nlp: Language) -> None:
    x = run(nlp, "Regime forces shelled Kafr Nabudah on Monday, activists said.")
    found = classes(x)
    assert found["Syrian government forces"] == "SecurityForce"
    assert found["Kafr Nabudah"] in LOCATION_CLASSES  # an unknown name that is shelled is a place
    shelling = next(e for e in x.events if e.cls == "Attack")
    assert labels(x, shelling.agents) == {"Syrian government forces"}
    assert "Kafr Nabudah" in labels(x, shelling.locations)
    other = run(nlp, "The Iranian regime denied any role.")
    assert "Syrian government forces" not in classes(other)


def test_strike_report_style(nlp: Language) -> None:
    x = run(nlp, "Coalition military forces conducted strikes against ISIL near Tal Afar on Sunday.")
    strike = next(e for e in x.events if e.cls == "Airstrike")
    assert labels(x, strike.agents) == {"US-led coalition"}
    assert labels(x, strike.targets) == {"Islamic State"}
    assert classes(x)["Tal Afar"] in LOCATION_CLASSES
    listed = run(nlp, "Near Palmyra, one strike destroyed an ISIL vehicle.")
    assert classes(listed)["Palmyra"] == "Settlement"  # not a person called "Near Palmyra"


def test_facts_are_found_in_the_worker_processes_and_travel_pickled(nlp: Language) -> None:
    """With n_process=2 the worker processes run facts_of (the kg_facts component), not the process that
    gathers their Docs: the Docs come back carrying the facts, pickled, equal to what one process finds."""
    import pickle

    from spacy.tokens import Doc

    from kg.extract.from_doc import Facts, facts_in_pipeline, facts_of
    from kg.nlp.parse import parse_articles

    day = dt.date(2024, 5, 2)
    texts = ["Insurgents attacked a police post in Kirkuk on Tuesday, killing two officers.",
             "The European Union imposed sanctions on three Syrian ministers on Monday.",
             "Government forces shelled rebel positions near Aleppo, the ministry said."]
    batch = [Article(id=f"w{i}", text=text, date=day) for i, text in enumerate(texts)]

    def prepare(doc: Doc, article: Article) -> None:
        doc._.kg_facts_in = [article.date.toordinal() if article.date else None, None]

    facts_in_pipeline(nlp, portable=True)
    try:
        parsed = list(parse_articles(batch, nlp, on_failure=print, batch_size=1, n_process=2, prepare=prepare))
    finally:
        facts_in_pipeline(nlp, portable=False)
    assert [a.id for a, _ in parsed] == ["w0", "w1", "w2"]
    for article, doc in parsed:
        assert isinstance(doc._.kg_facts, bytes)
        found = pickle.loads(doc._.kg_facts)
        assert isinstance(found, Facts) and found.entities and (found.events or article.id != "w0")
        doc._.kg_facts = None
        assert found == facts_of(doc, article.date)
