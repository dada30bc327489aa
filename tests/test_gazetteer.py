"""The shipped gazetteer (kg/data/gazetteer.tsv), its loader and its builder (tools/build_gazetteer.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from kg.link.candidates import Candidate, CandidateSource, fold
from kg.link.gazetteer import AMBIGUOUS, HEADER, KINDS, PLACE_KINDS, Gazetteer, default_path, parse
from kg.link.linker import ALLOWED_KINDS
from kg.nlp.lexicon import ADMIN_AREAS, KNOWN, countries

ROOT = Path(__file__).resolve().parent.parent
BUILDER = ROOT / "tools" / "build_gazetteer.py"
FIXTURE = Path(__file__).parent / "data" / "gazetteer"

IRAQ, SYRIA = "Q796", "Q858"
# first-level divisions (countries-states-cities states.csv wikiDataId, checked by hand)
IRAQI_GOVERNORATES = {
    "Anbar": "Q187334", "Babil": "Q59202", "Baghdad": "Q191075", "Basra": "Q193551", "Dhi Qar": "Q215649",
    "Diyala": "Q217075", "Duhok": "Q189541", "Erbil": "Q213189", "Karbala": "Q214104", "Kirkuk": "Q193268",
    "Maysan": "Q213170", "Muthanna": "Q212761", "Najaf": "Q192882", "Nineveh": "Q189352", "Qadisiyyah": "Q62987",
    "Saladin": "Q190131", "Sulaymaniyah": "Q213182", "Wasit": "Q189747",
}
SYRIAN_PROVINCES = {
    "Aleppo": "Q214064", "Damascus": "Q2007044", "Daraa": "Q1689560", "Deir ez-Zor": "Q232387", "Hama": "Q232355",
    "Hasakah": "Q233914", "Homs": "Q214094", "Idlib": "Q233218", "Latakia": "Q233236", "Quneitra": "Q219690",
    "Raqqa": "Q235563", "Rif Dimashq": "Q232399", "Suwayda": "Q236797", "Tartus": "Q232382",
}
# names the product owner gave QIDs for -> (QID, kind)
TRUSTED = {
    "Iraq": ("Q796", "country"), "Syria": ("Q858", "country"), "Syrian Arab Republic": ("Q858", "country"),
    "United States": ("Q30", "country"), "US": ("Q30", "country"), "U.S.": ("Q30", "country"),
    "America": ("Q30", "country"), "United States of America": ("Q30", "country"),
    "Baghdad": ("Q1530", "settlement"), "Damascus": ("Q3766", "settlement"), "Kirkuk": ("Q173310", "settlement"),
    "Brussels": ("Q239", "settlement"),
    "Saladin": ("Q190131", "admin"), "Salahuddin": ("Q190131", "admin"), "Salah al-Din": ("Q190131", "admin"),
    "Diyala": ("Q217075", "admin"), "Deir al-Zour": ("Q232387", "admin"), "Deir ez-Zor": ("Q232387", "admin"),
    "European Union": ("Q458", "international"), "EU": ("Q458", "international"),
    "United Nations": ("Q1065", "international"), "UN": ("Q1065", "international"),
    "Islamic State": ("Q2429253", "armed"), "ISIS": ("Q2429253", "armed"), "ISIL": ("Q2429253", "armed"),
    "IS": ("Q2429253", "armed"), "Daesh": ("Q2429253", "armed"),
    "Muqtada al-Sadr": ("Q216826", "human"), "Bashar al-Assad": ("Q44329", "human"),
    "Reuters": ("Q130879", "media"),
}
# territories of kg.nlp.lexicon's country list (from pycountry) that the gazetteer leaves out on purpose
NOT_COUNTRIES = {"American Samoa", "Anguilla", "Antarctica", "Aruba", "Bermuda", "Bonaire", "Bouvet Island",
                 "British Indian Ocean Territory", "Cayman Islands", "Christmas Island", "Cocos (Keeling) Islands",
                 "Cook Islands", "Curaçao", "Falkland Islands (Malvinas)", "Faroe Islands", "French Guiana",
                 "French Polynesia", "French Southern Territories", "Gibraltar", "Greenland", "Guadeloupe", "Guam",
                 "Guernsey", "Heard Island and McDonald Islands", "Hong Kong", "Isle of Man", "Jersey", "Macao",
                 "Martinique", "Mayotte", "Montserrat", "New Caledonia", "Niue", "Norfolk Island",
                 "Northern Mariana Islands", "Pitcairn", "Puerto Rico", "Réunion", "Saint Barthélemy", "Saint Helena",
                 "Saint Martin (French part)", "Saint Pierre and Miquelon", "Sint Maarten (Dutch part)",
                 "South Georgia and the South Sandwich Islands", "Svalbard and Jan Mayen", "Tokelau",
                 "Turks and Caicos Islands", "United States Minor Outlying Islands", "Virgin Islands",
                 "Wallis and Futuna", "Western Sahara", "Åland Islands"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture(scope="module")
def raw() -> bytes:
    return default_path().read_bytes()


def qids(found: list[Candidate]) -> dict[str, Candidate]:
    return {c.qid: c for c in found}


# ------------------------------------------------------------------------------------- the file itself
def test_file_is_small_utf8_tsv_with_the_header(raw: bytes) -> None:
    assert len(raw) < 200_000
    text = raw.decode("utf-8")
    assert not text.startswith("\ufeff") and "\r" not in text and text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert lines[0].split("\t") == list(HEADER)
    assert all(len(line.split("\t")) == len(HEADER) for line in lines)
    assert all(line == line.strip() and "  " not in line for line in lines)


def test_rows_sorted_by_qid_number_qids_unique_and_well_formed(gazetteer: Gazetteer) -> None:
    ids = [e.qid for e in gazetteer.entries]
    assert all(re.fullmatch(r"Q[1-9][0-9]*", q) for q in ids)
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=lambda q: int(q[1:]))
    assert 250 <= len(gazetteer) <= 500


def test_kinds_are_known_to_the_linker(gazetteer: Gazetteer) -> None:
    linkable = frozenset().union(*ALLOWED_KINDS.values())
    assert linkable == KINDS
    assert {e.kind for e in gazetteer.entries} <= linkable


def test_coordinates_in_range_and_only_for_places(gazetteer: Gazetteer) -> None:
    for entry in gazetteer.entries:
        if entry.coordinates is None:
            continue
        lon, lat = entry.coordinates
        assert -180 <= lon <= 180 and -90 <= lat <= 90, entry
        assert entry.kind in PLACE_KINDS, entry
    places = [e for e in gazetteer.entries if e.kind in ("country", "admin")]
    assert all(e.coordinates is not None for e in places)


def test_regional_coordinates_are_where_they_should_be(gazetteer: Gazetteer) -> None:
    """Iraqi and Syrian places lie in a box around the two countries (catches swapped lon/lat)."""
    for entry in gazetteer.entries:
        if entry.country in (IRAQ, SYRIA) and entry.coordinates is not None:
            lon, lat = entry.coordinates
            assert 35 <= lon <= 49 and 29 <= lat <= 38, entry


def test_country_column_points_at_countries_of_the_gazetteer(gazetteer: Gazetteer) -> None:
    countries_ = {e.qid for e in gazetteer.entries if e.kind == "country"}
    for entry in gazetteer.entries:
        if entry.country is not None:
            assert entry.country in countries_, entry
    assert all(e.country == e.qid for e in gazetteer.entries if e.kind == "country")


def test_no_name_denotes_two_items_of_one_kind(gazetteer: Gazetteer) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in gazetteer.entries:
        for name in (entry.label, *entry.aliases):
            owners[(fold(name), entry.kind)].add(entry.qid)
    clashes = {key: sorted(q) for key, q in owners.items() if len(q) > 1 and key[0] not in AMBIGUOUS}
    assert clashes == {}


def test_aliases_do_not_repeat_the_label(gazetteer: Gazetteer) -> None:
    for entry in gazetteer.entries:
        folded = [fold(a) for a in entry.aliases]
        assert fold(entry.label) not in folded and len(folded) == len(set(folded)), entry


# ------------------------------------------------------------------------------------------- coverage
def test_at_least_190_countries(gazetteer: Gazetteer) -> None:
    assert sum(e.kind == "country" for e in gazetteer.entries) >= 190


def test_every_lexicon_country_is_found(gazetteer: Gazetteer) -> None:
    missing = [name for name in sorted(set(countries().values()) - NOT_COUNTRIES)
               if not any("country" in c.kinds for c in gazetteer.lookup(name))]
    assert missing == []


@pytest.mark.parametrize(("divisions", "country"), [(IRAQI_GOVERNORATES, IRAQ), (SYRIAN_PROVINCES, SYRIA)])
def test_all_governorates_and_provinces(gazetteer: Gazetteer, divisions: dict[str, str], country: str) -> None:
    for label, qid in divisions.items():
        candidate = gazetteer.get(qid)
        assert candidate is not None, label
        assert candidate.kinds == {"admin"} and candidate.label == label and candidate.country == country
        assert qid in qids(gazetteer.lookup(label))
    assert len(IRAQI_GOVERNORATES) == 18 and len(SYRIAN_PROVINCES) == 14


def test_labels_are_the_lexicon_canonical_names(gazetteer: Gazetteer) -> None:
    admin_labels = {e.label for e in gazetteer.entries if e.kind == "admin"}
    assert set(ADMIN_AREAS) - admin_labels == {"Halabja"}  # no checked QID for Halabja Governorate
    labels = {e.label for e in gazetteer.entries}
    for name in ("Islamic State", "European Union", "United Nations", "Reuters", "Associated Press",
                 "Muqtada al-Sadr", "Bashar al-Assad", "Kurdistan Region"):
        assert name in KNOWN and name in labels


@pytest.mark.parametrize(("name", "expected"), sorted(TRUSTED.items()))
def test_trusted_names(gazetteer: Gazetteer, name: str, expected: tuple[str, str]) -> None:
    qid, kind = expected
    found = qids(gazetteer.lookup(name))
    assert qid in found, name
    assert found[qid].kinds == {kind}
    assert [c for c in found.values() if kind in c.kinds] == [found[qid]]  # the only one of its kind


def test_baghdad_is_the_city_and_the_governorate(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup("Baghdad")
    assert [(c.qid, c.kinds, c.exact) for c in found] == [
        ("Q1530", frozenset({"settlement"}), True), ("Q191075", frozenset({"admin"}), True)]
    assert all(c.country == IRAQ and c.coordinates is not None and c.sitelinks == 0 for c in found)


def test_kirkuk_city_and_governorate(gazetteer: Gazetteer) -> None:
    assert qids(gazetteer.lookup("Kirkuk")).keys() == {"Q173310", "Q193268"}


# ---------------------------------------------------------------------------------------------- loader
def test_is_a_candidate_source(gazetteer: Gazetteer) -> None:
    source: CandidateSource = gazetteer
    assert source.name == "gazetteer"


def test_candidates_keys_exactness_and_folding(gazetteer: Gazetteer) -> None:
    found = gazetteer.candidates(["SALAHUDDIN", "Saladin", "Kirkūk", "the Islamic State", "Atlantis", "Daesh"])
    assert set(found) == {"SALAHUDDIN", "Saladin", "Kirkūk", "the Islamic State", "Daesh"}
    assert [(c.qid, c.exact) for c in found["SALAHUDDIN"]] == [("Q190131", False)]
    assert [(c.qid, c.exact) for c in found["Saladin"]] == [("Q190131", True)]
    assert [(c.qid, c.exact) for c in found["Daesh"]] == [("Q2429253", False)]
    assert found["the Islamic State"][0].qid == "Q2429253"
    assert gazetteer.candidates([]) == {}


def test_get(gazetteer: Gazetteer) -> None:
    iraq = gazetteer.get("Q796")
    assert iraq is not None and iraq.label == "Iraq" and iraq.kinds == {"country"} and iraq.exact
    assert "Q796" in gazetteer and "Q0" not in gazetteer
    assert gazetteer.get("Q999999999") is None


def test_parse_rejects_bad_lines() -> None:
    header = "\t".join(HEADER)
    with pytest.raises(ValueError, match="header"):
        parse(["qid\tlabel\n"])
    with pytest.raises(ValueError, match="unknown kind"):
        parse([header, "Q1\tX\tplanet\t\t\t\t\t"])
    with pytest.raises(ValueError, match="fields"):
        parse([header, "Q1\tX\tcountry"])
    with pytest.raises(ValueError, match="both"):
        parse([header, "Q1\tX\tcountry\t\t1.0\t\t\t"])
    assert parse([header, "Q1\tX\tcountry\tA|B\t1\t2\tQ1\td", ""])[0].aliases == ("A", "B")


# --------------------------------------------------------------------------------------------- builder
def run_builder(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BUILDER), "--geo", str(FIXTURE), "--out", str(out), *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)


def test_builder_is_deterministic_on_a_fixture(tmp_path: Path, gazetteer: Gazetteer) -> None:
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    assert run_builder(first, "--partial").returncode == 0
    assert run_builder(second, "--partial").returncode == 0
    assert first.read_bytes() == second.read_bytes()
    built = parse(first.read_text(encoding="utf-8").splitlines())
    ids = [e.qid for e in built]
    assert ids == sorted(ids, key=lambda q: int(q[1:]))
    by_qid = {e.qid: e for e in built}
    # the three fixture rows, with the fixture's coordinates
    assert by_qid["Q796"].kind == "country" and by_qid["Q796"].coordinates == (44.0, 33.0)
    assert by_qid["Q190131"].label == "Saladin" and by_qid["Q190131"].coordinates == (43.5, 34.5)
    assert by_qid["Q1530"].kind == "settlement" and by_qid["Q1530"].coordinates == (44.4, 33.3)
    # curated rows come whatever the geo files hold; and they read the same as in the shipped file
    assert {"Q2429253", "Q458", "Q1065", "Q239"} <= set(by_qid)
    for entry in built:
        shipped = gazetteer.get(entry.qid)
        assert shipped is not None and shipped.label == entry.label and shipped.kinds == {entry.kind}
    assert by_qid["Q190131"].aliases == next(e for e in gazetteer.entries if e.qid == "Q190131").aliases


def test_builder_refuses_missing_rows_unless_partial(tmp_path: Path) -> None:
    result = run_builder(tmp_path / "out.tsv")
    assert result.returncode != 0
    assert "missing" in result.stderr and not (tmp_path / "out.tsv").exists()


def test_wikidata_refresh_against_a_stub_endpoint(tmp_path: Path) -> None:
    """The refresh mode POSTs batched VALUES queries with kg's User-Agent and merges what comes back."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    requests: list[tuple[str, str, str]] = []
    entity = "http://www.wikidata.org/entity/"

    def binding(item: str, what: str, value: str) -> dict[str, dict[str, str]]:
        return {"item": {"type": "uri", "value": entity + item}, "what": {"type": "literal", "value": what},
                "value": {"type": "literal", "value": value}}

    answer = {"head": {"vars": ["item", "what", "value"]}, "results": {"bindings": [
        binding("Q190131", "label", "Saladin Governorate"),
        binding("Q190131", "alias", "Salah El Din"),
        binding("Q190131", "coord", "Point(43.7 34.6)"),
        binding("Q190131", "country", entity + "Q796"),
        binding("Q2429253", "alias", "ISIS"),
    ]}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            requests.append((self.command, self.headers.get("User-Agent", ""), parse_qs(body)["query"][0]))
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    base = tmp_path / "base.tsv"
    assert run_builder(base, "--partial").returncode == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = tmp_path / "refreshed.tsv"
        result = subprocess.run([sys.executable, str(BUILDER), "--base", str(base), "--out", str(out),
                                 "--wikidata-endpoint", f"http://127.0.0.1:{server.server_port}/sparql"],
                                capture_output=True, text=True, cwd=ROOT, check=False)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert len(requests) == 1  # fewer than one batch of QIDs
    method, agent, query = requests[0]
    assert method == "POST" and agent == "kg-gazetteer-builder/0.1 (https://w3id.org/kg-news)"
    assert "VALUES ?item {" in query and "wd:Q190131" in query and "wdt:P625" in query and "wdt:P17" in query
    refreshed = {e.qid: e for e in parse(out.read_text(encoding="utf-8").splitlines())}
    saladin = refreshed["Q190131"]
    assert saladin.label == "Saladin" and saladin.coordinates == (43.7, 34.6) and saladin.country == "Q796"
    assert "Salah El Din" in saladin.aliases
    before = {e.qid: e for e in parse(base.read_text(encoding="utf-8").splitlines())}
    assert refreshed["Q2429253"] == before["Q2429253"]  # nothing new for it
    assert refreshed["Q796"] == before["Q796"]  # not in the answer: kept as is
