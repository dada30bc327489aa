"""Factuality of events, policies and statements, read off the dependency parse (kg/extract/factuality.py),
through the real pipeline, and kg:factuality in the RDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Dataset, URIRef
from spacy.language import Language

from kg.cli import cli
from kg.extract.from_doc import extract
from kg.model import Event
from kg.rdf.files import RdfWriter
from kg.rdf.mapping import to_quads
from kg.rdf.vocab import KG
from tests.helpers import article, run


def event_at(nlp: Language, text: str, trigger: str) -> Event:
    """The one event whose trigger overlaps the first ``trigger`` in ``text``."""
    start = text.index(trigger)
    found = [e for e in run(nlp, text).events if e.trigger.start < start + len(trigger) and start < e.trigger.end]
    assert len(found) == 1, (text, [(e.cls, e.trigger.text) for e in run(nlp, text).events])
    return found[0]


NEGATED = [
    pytest.param("Syrian forces did not shell Douma on Monday.", "shell", id="neg-on-trigger"),
    pytest.param("Kurdish fighters never attacked the village of Tel Tamr.", "attacked", id="never"),
    pytest.param("There was no airstrike on Jisr al-Shughur, the monitor said.", "airstrike", id="no-on-noun"),
    pytest.param("The coalition did not carry out a raid in Hajin.", "raid", id="neg-on-governing-verb"),
    pytest.param("The ministry denied that its jets bombed a bakery in Ariha.", "bombed", id="denied-that"),
    pytest.param("The army rejected reports of an ambush near Palmyra.", "ambush", id="rejected-reports-of"),
    pytest.param("Officials dismissed claims that militias detained students in Nasiriyah.", "detained",
                 id="dismissed-claims-that"),
    pytest.param("Police refuted a report that gunmen attacked a bank in Kandahar.", "attacked", id="refuted-report"),
    pytest.param("Army denies shelling of Homs hospital", "shelling", id="headline-denial"),
    pytest.param("Police foiled a bomb attack on a church in Alexandria.", "attack", id="foiled"),
    pytest.param("The army has no plans for an offensive on Daraa.", "offensive", id="no-plans"),
]
POSSIBLE = [
    pytest.param("Islamic State may have carried out the bombing in Samarra.", "bombing", id="modal-perfect"),
    pytest.param("The attack on Kirkuk might have been carried out by Islamic State.", "attack",
                 id="might-have-been"),
    pytest.param("Rebels could be behind the shelling of Latakia, a monitor said.", "shelling", id="could-be-behind"),
    pytest.param("Russian jets reportedly bombed a market in Maarat al-Numan.", "bombed", id="reportedly"),
    pytest.param("Soldiers allegedly killed three farmers in Tal Rifaat.", "killed", id="allegedly"),
    pytest.param("The alleged massacre in Houla was investigated by the United Nations.", "massacre", id="alleged"),
    pytest.param("Unconfirmed reports said Houthi rebels attacked a base near Taiz.", "attacked",
                 id="unconfirmed-reports"),
    pytest.param("Al-Shabaab is suspected of attacking a hotel in Mogadishu.", "attacking", id="suspected-of"),
    pytest.param("Boko Haram is believed to have ambushed a convoy near Damboa.", "ambushed", id="believed-to"),
    pytest.param("It is unclear whether Iranian forces carried out the attack on Abu Kamal.", "attack",
                 id="unclear-whether"),
    pytest.param("The ministry could not confirm the airstrike on Saada.", "airstrike", id="not-confirmed"),
]
PLANNED = [
    pytest.param("Turkish troops will attack Tal Abyad.", "attack", id="will"),
    pytest.param("The army is going to launch an offensive on Hawija.", "offensive", id="going-to"),
    pytest.param("The government plans to attack the rebel camp in Sirte.", "attack", id="plans-to"),
    pytest.param("Hezbollah threatened to attack Israeli bases in the Golan.", "attack", id="threatened-to"),
    pytest.param("Nigerian generals vowed to hunt down the kidnappers in Zamfara.", "hunt", id="vowed-to"),
    pytest.param("Israel warned that it would bomb Iranian positions in Syria.", "bomb", id="warned-would"),
    pytest.param("Kurdish forces intend to attack Islamic State in Hajin.", "attack", id="intend-to"),
    pytest.param("Defence ministers will discuss the border during a meeting in Ankara on May 3.", "meeting",
                 id="will-during"),
    pytest.param("Police are preparing a raid on a smuggling ring in Mersin.", "raid", id="preparing"),
    pytest.param("The upcoming offensive on Tikrit will be led by the army.", "offensive", id="upcoming"),
    pytest.param("Army plans assault on Tal Afar", "assault", id="headline-plans"),
    pytest.param("Saudi Arabia would attack Houthi positions in Sanaa if the talks failed.", "attack",
                 id="would-if"),
]
ASSERTED = [
    pytest.param("Syrian forces shelled Douma on Monday.", "shelled", id="past"),
    pytest.param("Iraqi troops are fighting Islamic State in Mosul.", "fighting", id="present"),
    pytest.param("Police said the bomb killed four people in Kirkuk.", "bomb", id="reported-speech"),
    pytest.param("Gunmen attacked a checkpoint in Arish, according to the interior ministry.", "attacked",
                 id="according-to"),
    pytest.param("Iran denied any role in the attack on the tanker near Fujairah.", "attack",
                 id="denied-role-not-attack"),
    pytest.param("Police will investigate the bombing in Quetta.", "bombing", id="future-investigation"),
    pytest.param("The airstrike on Raqqa did not kill any civilians, the coalition said.", "airstrike",
                 id="negated-outcome"),
    pytest.param("The Iraqi army will continue its operation against Islamic State in Hajin.", "operation",
                 id="continue"),
    pytest.param("Car bomb kills six in Mogadishu", "bomb", id="headline"),
    pytest.param("The United Nations warned that attacks on hospitals in Idlib had increased.", "attacks",
                 id="warned-that-past"),
    pytest.param("The cleric warned about what he called a collapse of the state amid rocket attacks in Basra.",
                 "attacks",
                 id="warned-amid"),
]


@pytest.mark.parametrize(("text", "trigger"), NEGATED)
def test_negated(nlp: Language, text: str, trigger: str) -> None:
    assert event_at(nlp, text, trigger).factuality == "Negated"


@pytest.mark.parametrize(("text", "trigger"), POSSIBLE)
def test_possible(nlp: Language, text: str, trigger: str) -> None:
    assert event_at(nlp, text, trigger).factuality == "Possible"


@pytest.mark.parametrize(("text", "trigger"), PLANNED)
def test_planned_and_its_status(nlp: Language, text: str, trigger: str) -> None:
    event = event_at(nlp, text, trigger)
    assert (event.factuality, event.status) == ("Planned", "Planned")


@pytest.mark.parametrize(("text", "trigger"), ASSERTED)
def test_asserted(nlp: Language, text: str, trigger: str) -> None:
    event = event_at(nlp, text, trigger)
    assert event.factuality == "Asserted" and event.status != "Planned"


def test_relative_clause_keeps_its_own_factuality(nlp: Language) -> None:
    text = "The brigade that shelled Douma on Monday did not attack Harasta."
    assert event_at(nlp, text, "shelled").factuality == "Asserted"
    assert event_at(nlp, text, "attack").factuality == "Negated"


OTHER_FACTS = [
    pytest.param("policies", "The European Union imposed sanctions on Syria.", "Asserted", id="policy-past"),
    pytest.param("policies", "The European Union will impose sanctions on Syria.", "Planned", id="policy-will"),
    pytest.param("policies", "The European Union did not impose sanctions on Syria.", "Negated", id="policy-neg"),
    # a change to a policy is its status, not its factuality: the sanctions are in force
    pytest.param("policies", "The European Union may ease its sanctions on Syria.", "Asserted",
                 id="policy-change"),
    pytest.param("statements", 'Jens Stoltenberg said that "the alliance stands united".', "Asserted",
                 id="statement-said"),
    pytest.param("statements", 'Jens Stoltenberg did not say that "the alliance stands united".', "Negated",
                 id="statement-neg"),
    pytest.param("statements", 'Jens Stoltenberg reportedly said that "the alliance stands united".', "Possible",
                 id="statement-reportedly"),
    pytest.param("statements", 'Jens Stoltenberg will say that "the alliance stands united".', "Planned",
                 id="statement-will"),
]


@pytest.mark.parametrize(("kind", "text", "value"), OTHER_FACTS)
def test_policies_and_statements(nlp: Language, kind: str, text: str, value: str) -> None:
    [found] = getattr(run(nlp, text), kind)
    assert found.factuality == value


def test_factuality_in_rdf_conforms_to_the_shapes(nlp: Language, tmp_path: Path) -> None:
    text = ("The army did not carry out an airstrike on Raqqa. Turkish troops will attack Tal Abyad. "
            "Russian jets reportedly bombed a market in Idlib. Syrian forces shelled Douma. "
            "The European Union will impose sanctions on Syria. "
            'Jens Stoltenberg said that "the alliance stands united".')
    [x] = extract([article(text)], nlp)
    out = tmp_path / "facts.trig"
    with RdfWriter(out, "trig") as writer:
        writer.write(to_quads(x))
    graph = Dataset()
    graph.parse(out, format="trig")
    marked = {(s, o) for s, _, o, _ in graph.quads((None, URIRef(str(KG.factuality)), None, None))}
    assert {str(o).rsplit("#", 1)[1] for _, o in marked} == {"Asserted", "Negated", "Possible", "Planned"}
    kinds = {str(t).rsplit("#", 1)[1] for s, _ in marked for _, _, t, _ in graph.quads((s, RDF.type, None, None))}
    assert {"Sanction", "Statement", "Airstrike", "Attack"} <= kinds, kinds
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_kg_query_events_shows_the_factuality(tmp_path: Path) -> None:
    text = ("The Iraqi army did not carry out an airstrike on Fallujah on Tuesday.\n\n"
            "Syrian forces shelled Douma on Monday.")
    source = tmp_path / "article.jsonl"
    source.write_text(json.dumps({"id": "fact-1", "date": "2025-03-06", "text": text}) + "\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "article.trig"
    extracted = runner.invoke(cli, ["extract", str(source), "--no-link", "-o", str(out)])
    assert extracted.exit_code == 0, extracted.stderr
    result = runner.invoke(cli, ["query", "events", "--data", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    shown = {row["evidence"]: row["factuality"] for row in json.loads(result.stdout)}
    assert shown == {"The Iraqi army did not carry out an airstrike on Fallujah on Tuesday.": str(KG.Negated),
                     "Syrian forces shelled Douma on Monday.": str(KG.Asserted)}
