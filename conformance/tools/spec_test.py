"""The spec data validates, each validator check fires on a broken copy, the page diff finds the
known differences, and zlab's engine socket table agrees with the 4.3 data."""

import io
import json
import re
import shutil
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEEDS = spec.seeds_dir()
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(),
                                 reason=f"seed texts not found at {SEEDS} (set ZLAB_SEEDS)")


@pytest.fixture(scope="module")
def real():
    return spec.load_spec()


# ---------------------------------------------------------------------------------------------
# the real data


@needs_seeds
def test_real_data_validates(real):
    assert spec.validate(real) == []


def test_counts_and_coverage(real):
    assert {r.type for r in real.pages["4.3"]} == set(spec.ALL_TYPES)
    assert len(spec.classic_types(real)) == 12 and len(spec.draft_types(real)) == 8
    assert len(real.pages["4.3"]) == 20 * 6 and len(real.pages["4.0"]) == 12 * 6
    pending = {r.type for r in real.pages["4.3"] if r.status == "pending"}
    assert pending <= spec.draft_types(real)
    assert spec.classic_types(real) <= spec.built_types(real)


def test_missing_rows_are_none_stated_not_invented(real):
    none = {(r.type, r.column) for r in real.pages["4.3"] if r.value == spec.NONE_STATED}
    assert none == {("SUB", "mute"), ("REP", "mute"), ("DISH", "mute")}
    none40 = {(r.type, r.column) for r in real.pages["4.0"] if r.value == spec.NONE_STATED}
    assert none40 == {("SUB", "mute"), ("REP", "mute")}


def test_required_rules_exist(real):
    ids = {r.id for r in real.rules}
    for rid in ("rule/REQ/envelope-delimiter", "rule/REQ/strict-alternation",
                "rule/REP/save-envelope", "rule/REP/reply-to-requester",
                "rule/REP/reply-discarded-if-requester-gone", "rule/DEALER/delimiter-to-rep",
                "rule/ROUTER/prepend-routing-id", "rule/ROUTER/unroutable-dropped",
                "rule/ROUTER/mandatory-unroutable", "rule/ROUTER/mute-drop",
                "rule/ROUTER/mandatory-mute-eagain", "rule/ROUTER/mandatory-pollin-pollout",
                "rule/STREAM/connect-disconnect-notification", "rule/STREAM/close-by-empty-frame",
                "rule/STREAM/routing-id-frame-sndmore", "rule/STREAM/unroutable-error",
                "rule/XPUB/subscription-messages", "rule/XPUB/unprefixed-received-no-effect",
                "rule/XSUB/sends-subscriptions", "rule/SUB/prefix-match",
                "rule/SUB/initially-unsubscribed", "rule/PUB/never-blocks",
                "rule/PUB/drop-for-muted-subscriber-only", "rule/PUSH/block-when-mute",
                "rule/PAIR/single-peer", "rule/hwm/per-pipe", "rule/hwm/counted-in-messages",
                "rule/general/multipart-atomic"):
        assert rid in ids, rid


def test_required_divergences_exist(real):
    ids = {d.id for d in real.divergences}
    for did in ("div/general/incompatible-peer-no-error", "div/SCATTER-GATHER/compatible-peers",
                "div/SUB/no-mute-row", "div/REP/no-mute-row", "div/DISH/no-mute-row",
                "div/XSUB/mute-row", "div/STREAM-ROUTER/mute-action"):
        assert did in ids, did


@needs_seeds
def test_committed_records_are_what_the_pages_say():
    """sockets-*.json is exactly what the extractor derives from the seed pages."""
    for page, name in spec.PAGES.items():
        committed = spec.load_json(spec.SPEC_DIR / name)["records"]
        assert spec.extract_page(page)["records"] == committed, f"regenerate {name}"


@needs_seeds
def test_rendered_40_page_agrees_with_its_html_source(real):
    html = spec.parse_html_source(spec.read_lines(SEEDS / "001_fc807e099f5f3aad.txt"))
    assert set(html) == set(spec.classic_types(real))
    for rec in real.pages["4.0"]:
        cells = html[rec.type][2]
        if rec.value == spec.NONE_STATED:
            assert rec.column not in cells
        else:
            assert spec.squash(cells[rec.column]) == spec.squash(
                spec.cell_text(rec.column, rec.source_text)), rec.id


def test_normalise_vocabulary():
    assert spec.normalise("mute", "Drop (see text)") == "drop"
    assert spec.normalise("mute", "Return EAGAIN") == "eagain"
    assert spec.normalise("pattern", "Send, Receive, Send, Receive, \u2026") == \
        "send-receive-alternating"
    assert spec.normalise("compatible", "'ZMQ_SCATTER'") == ["SCATTER"]
    assert spec.normalise("compatible", "none.") == []
    with pytest.raises(ValueError):
        spec.normalise("mute", "Explode")


# ---------------------------------------------------------------------------------------------
# each check fires on a deliberately broken copy


@pytest.fixture
def broken(tmp_path):
    """A writable copy of conformance/spec; edit(name, fn) mutates one file's JSON."""
    d = tmp_path / "spec"
    shutil.copytree(spec.SPEC_DIR, d)

    def edit(name, fn):
        p = d / name
        data = json.loads(p.read_text())
        fn(data)
        p.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        return spec.validate(spec.load_spec(d))
    return edit


def _rec(data, rid):
    return next(r for r in data["records"] if r["id"] == rid)


def _rule(data, rid):
    return next(r for r in data["rules"] if r["id"] == rid)


def _only(problems, pattern):
    assert problems, "the broken copy validated"
    assert any(re.search(pattern, p) for p in problems), problems
    return problems


@needs_seeds
def test_duplicate_record_id_is_caught(broken):
    _only(broken("sockets-4.3.json",
                 lambda d: d["records"].append(dict(_rec(d, "socket/PUB/mute")))),
          r"sockets-4\.3: duplicate id socket/PUB/mute")


@needs_seeds
def test_duplicate_rule_id_is_caught(broken):
    _only(broken("rules.json", lambda d: d["rules"].append(dict(d["rules"][0]))),
          r"rules: duplicate id rule/REQ/envelope-delimiter")


@needs_seeds
def test_unknown_vocabulary_value_is_caught(broken):
    _only(broken("sockets-4.3.json",
                 lambda d: _rec(d, "socket/ROUTER/mute").update(value="explode")),
          r"'explode' is not in the mute vocabulary")


@needs_seeds
def test_value_that_contradicts_its_text_is_caught(broken):
    _only(broken("sockets-4.3.json",
                 lambda d: _rec(d, "socket/ROUTER/mute").update(value="block")),
          r"value 'block' but the text reads 'drop'")


@needs_seeds
def test_quote_not_at_cited_lines_is_caught(broken):
    def shift(d):
        cit = _rule(d, "rule/ROUTER/mandatory-unroutable")["citations"][0]
        cit["lines"] = [cit["lines"][0] + 5, cit["lines"][1] + 5]
    _only(broken("rules.json", shift), r"quoted text is not at 002_27a6255f495e6374\.txt")


@needs_seeds
def test_record_quote_not_at_cited_lines_is_caught(broken):
    def shift(d):
        cit = _rec(d, "socket/PUB/compatible")["citation"]
        cit["lines"] = [cit["lines"][0] - 1, cit["lines"][1] - 1]
    _only(broken("sockets-4.3.json", shift), r"socket/PUB/compatible: quoted text is not at")


@needs_seeds
def test_line_range_outside_file_is_caught(broken):
    _only(broken("rules.json", lambda d: _rule(d, "rule/REQ/envelope-delimiter")["citations"][0]
                 .update(lines=[9000, 9001])), r"line range .* outside")


@needs_seeds
def test_unknown_seed_file_is_caught(broken):
    _only(broken("rules.json", lambda d: _rule(d, "rule/REQ/envelope-delimiter")["citations"][0]
                 .update(file="999_missing.txt")), r"not a seed listed in sources\.json")


MAN_PAGE = Path("/usr/share/man/man3/zmq_setsockopt.3.gz")
needs_man_page = pytest.mark.skipif(not MAN_PAGE.is_file() or shutil.which("man") is None,
                                    reason="zmq_setsockopt(3) (libzmq3-dev) or man(1) missing")


@needs_seeds
@needs_man_page
def test_man_page_quote_not_in_its_section_is_caught(broken):
    # The quote is on the page, but under another option: the section is checked too.
    def move(d):
        _rule(d, "rule/ROUTER/handover-takes-id")["citations"][1]["section"] = "ZMQ_CONFLATE"
    _only(broken("rules.json", move), r"quoted text is not in zmq_setsockopt\(3\) ZMQ_CONFLATE")

    def reword(d):
        cit = _rule(d, "rule/general/conflate-keeps-last")["citations"][0]
        cit["quote"] = cit["quote"].replace("last message", "first message", 1)
    _only(broken("rules.json", reword), r"conflate-keeps-last citation 1: quoted text is not in")


@needs_seeds
def test_unknown_man_page_or_section_is_caught(broken):
    _only(broken("rules.json", lambda d: _rule(d, "rule/REQ/relaxed-resend")["citations"][0]
                 .update(man="zmq_frobnicate(3)")), r"not a man page listed in sources\.json")
    _only(broken("rules.json", lambda d: _rule(d, "rule/REQ/correlate-request-id")["citations"][0]
                 .pop("section")), r"needs a section \(the option\) and a quote")


@needs_seeds
def test_none_stated_where_the_table_has_the_row_is_caught(broken):
    def fake(d):
        sub = _rec(d, "socket/SUB/mute")
        pub = _rec(d, "socket/PUB/mute")
        pub.update(value="none-stated", source_text=None,
                   citation=dict(sub["citation"], lines=[213, 224],
                                 heading="Table 5. Summary of ZMQ_PUB characteristics"))
    _only(broken("sockets-4.3.json", fake), r"none-stated but the cited table has")


@needs_seeds
def test_rule_with_unknown_kind_type_or_rfc_is_caught(broken):
    def bad(d):
        r = _rule(d, "rule/PUB/never-blocks")
        r["kind"] = "vibes"
        r["applies_to"].append("DGRAMX")
        r["citations"][1]["rfc"] = 99
    problems = broken("rules.json", bad)
    _only(problems, r"unknown kind 'vibes'")
    _only(problems, r"applies_to must list known socket types")
    _only(problems, r"unknown RFC 99")


@needs_seeds
def test_divergence_and_profile_references_are_checked(broken):
    problems = broken("divergences.json", lambda d: d["divergences"][0]["affects"].append(
        "rule/NOPE/nothing"))
    _only(problems, r"affects unknown rule/NOPE/nothing")
    problems = broken("profiles.json", lambda d: d["expectations"][0].update(
        divergence="div/none"))
    _only(problems, r"names unknown divergence div/none")


@needs_seeds
def test_changed_seed_is_caught(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    p = seeds / "004_4dc7f3c9459f2ee0.txt"
    p.write_text(p.read_text().replace("Drop", "Block"))
    _only(spec.validate(spec.load_spec(), seeds), r"004_4dc7f3c9459f2ee0\.txt changed")


# ---------------------------------------------------------------------------------------------
# page diff and CLI


def test_page_diff_lists_known_differences(real):
    rows = {r[0]: r for r in spec.page_diff(real)}
    for t in spec.draft_types(real):
        assert rows[f"socket/{t}/*"][3] == "type only on the 4.3 page"
    assert rows["socket/ROUTER/mute"][1:] == ("Drop", "Drop (see text)", "wording only")
    # For the classic twelve the normalised values agree on both pages.
    assert not [r for r in rows.values() if r[3] == "value"]


def _run(*argv):
    out = io.StringIO()
    with redirect_stdout(out):
        rc = spec.main(list(argv))
    return rc, out.getvalue()


def test_cli_list_and_diff(real):
    rc, out = _run("--list")
    assert rc == 0
    for r in real.rules:
        assert re.search(rf"^{re.escape(r.id)}\s+{r.status}\b", out, re.M), r.id
    assert re.search(r"^4\.3:socket/ROUTER/mute\s+active\s+drop", out, re.M)
    rc, out = _run("--diff-pages")
    assert rc == 0 and "socket/CHANNEL/*" in out and "div/STREAM/notifications" in out


@needs_seeds
def test_cli_check_exit_status(tmp_path):
    assert _run("--check")[0] == 0
    d = tmp_path / "spec"
    shutil.copytree(spec.SPEC_DIR, d)
    data = json.loads((d / "rules.json").read_text())
    data["rules"].append(dict(data["rules"][0]))
    (d / "rules.json").write_text(json.dumps(data))
    rc, out = _run("--check", "--spec-dir", str(d))
    assert rc == 1 and "duplicate id" in out


@needs_seeds
def test_locate_finds_wrapped_quotes():
    lines = spec.read_lines(SEEDS / "002_27a6255f495e6374.txt")
    assert spec.locate(lines, "However, if ZMQ_ROUTER_MANDATORY socket option is set to 1, the "
                              "socket shall fail with EHOSTUNREACH in both cases.") == (641, 642)


# ---------------------------------------------------------------------------------------------
# the engine's own socket table against the 4.3 data

ENGINE_TABLE = ROOT / "engine" / "base" / "socket_type.cc"
ROW = re.compile(r"\{T::k(?P<enum>\w+),\s*\"(?P<name>[A-Z]+)\",\s*(?P<zmq>\d+),"
                 r"\s*(?P<draft>true|false),\s*(?P<send>true|false),\s*(?P<recv>true|false),"
                 r"\s*O::k(?P<out>\w+),\s*I::k(?P<inc>\w+),\s*M::k(?P<mute>\w+),"
                 r"\s*(?P<peers>\w+|\{\})\}")
PEERS = re.compile(r"constexpr T (?P<var>k\w+Peers)\[\] = \{(?P<list>[^}]*)\};")

OUTGOING = {"RoundRobin": "round-robin", "FanOut": "fan-out", "LastPeer": "last-peer",
            "ByRoutingId": "see-text", "None": "n/a"}
INCOMING = {"FairQueued": "fair-queued", "LastPeer": "last-peer", "None": "n/a"}
MUTE = {"Block": "block", "Drop": "drop", "Again": "eagain", "None": "none-stated"}
ABILITY = {"send-only": (True, False), "receive-only": (False, True)}  # otherwise both


def engine_rows() -> dict:
    text = ENGINE_TABLE.read_text()
    rows = {m["name"]: m.groupdict() for m in ROW.finditer(text)}
    enum_to_name = {m["enum"]: m["name"] for m in rows.values()}
    peer_lists = {m["var"]: [enum_to_name[e.strip()[len("T::k"):]]
                             for e in m["list"].split(",") if e.strip()]
                  for m in PEERS.finditer(text)}
    for r in rows.values():
        r["peer_names"] = [] if r["peers"] == "{}" else peer_lists[r["peers"]]
    return rows


def engine_view(row: dict, single_peer: bool) -> dict:
    """The engine row in the spec's vocabulary, column by column."""
    def strategy(table, value):
        if value == "Single":  # one peer, nothing to route: the page says N/A
            return "n/a" if single_peer else "single (not n/a: type is not single-peer)"
        return table.get(value, f"unmapped {value}")
    return {"compatible": sorted(row["peer_names"]),
            "outgoing": strategy(OUTGOING, row["out"]),
            "incoming": strategy(INCOMING, row["inc"]),
            "mute": MUTE.get(row["mute"], f"unmapped {row['mute']}"),
            "ability": (row["send"] == "true", row["recv"] == "true")}


def spec_view(real, t: str) -> dict:
    recs = {r.column: r.value for r in real.pages["4.3"] if r.type == t}
    return {"compatible": sorted(recs["compatible"]), "outgoing": recs["outgoing"],
            "incoming": recs["incoming"], "mute": recs["mute"],
            "ability": ABILITY.get(recs["pattern"], (True, True)),
            "direction": recs["direction"]}


def disagreements(real, types) -> list:
    rows = engine_rows()
    single_peer = {t for r in real.rules if r.id.endswith("/single-peer") for t in r.applies_to}
    engine_values = {k: v for d in real.divergences for k, v in d.engine_values.items()}
    out = []
    for t in types:
        if t not in rows:
            out.append(f"{t}: no row in {ENGINE_TABLE.relative_to(ROOT)}")
            continue
        eng, want = engine_view(rows[t], t in single_peer), spec_view(real, t)
        for col in ("compatible", "outgoing", "incoming", "mute", "ability"):
            expected = want[col]
            registered = engine_values.get(f"4.3:socket/{t}/{col}")
            if registered is not None:
                expected = sorted(registered) if col == "compatible" else registered
            if eng[col] != expected:
                out.append(f"{t} {col}: engine has {eng[col]!r}, 4.3 page says {want[col]!r}"
                           + ("" if registered is None else f" (register: {registered!r})"))
        if want["direction"] == "bidirectional" and eng["ability"] != (True, True):
            out.append(f"{t} direction: page says bidirectional, engine send/recv is "
                       f"{eng['ability']}")
    return out


def test_engine_table_parses(real):
    rows = engine_rows()
    assert set(spec.classic_types(real)) <= set(rows), sorted(rows)
    assert rows["ROUTER"]["peer_names"] == ["REQ", "DEALER", "ROUTER"]


def test_engine_agrees_with_43_page_for_classic_types(real):
    problems = disagreements(real, spec.classic_types(real))
    assert problems == [], "engine/base/socket_type.cc disagrees with sockets-4.3.json " \
        "(list a deliberate choice in divergences.json engine_values):\n  " + "\n  ".join(problems)


def test_engine_agrees_with_43_page_for_draft_types_via_register(real):
    """The draft rows exist in the engine table already; where it follows an RFC instead of the
    page (SCATTER/GATHER) the register must say so, and says the engine's value exactly."""
    problems = disagreements(real, spec.draft_types(real))
    assert problems == [], "\n  ".join(problems)
    sg = real.divergence("div/SCATTER-GATHER/compatible-peers")
    assert sg.engine_values["4.3:socket/SCATTER/compatible"] == ["GATHER"]


def test_register_engine_values_are_not_stale(real):
    """Every engine value the register records is what the engine table really has."""
    rows = engine_rows()
    single_peer = {t for r in real.rules if r.id.endswith("/single-peer") for t in r.applies_to}
    for d in real.divergences:
        for target, value in d.engine_values.items():
            _, _, rid = target.partition(":")
            _, t, col = rid.split("/")
            got = engine_view(rows[t], t in single_peer)[col]
            assert got == (sorted(value) if col == "compatible" else value), (d.id, target)


def test_engine_disagreement_is_reported(real, tmp_path, monkeypatch):
    """A deliberately wrong engine row (PUB also talking to PULL, ROUTER blocking when mute) is
    reported column by column, and a register entry without engine_values does not hide it."""
    text = ENGINE_TABLE.read_text()
    text = text.replace("kPubPeers[] = {T::kSub, T::kXSub}", "kPubPeers[] = {T::kSub, T::kPull}")
    text = re.sub(r"(\{T::kRouter,.*?)M::kDrop", r"\1M::kBlock", text)
    fake = tmp_path / "socket_type.cc"
    fake.write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ENGINE_TABLE", fake)
    problems = disagreements(real, spec.classic_types(real))
    assert "PUB compatible: engine has ['PULL', 'SUB'], 4.3 page says ['SUB', 'XSUB']" in problems
    assert "ROUTER mute: engine has 'block', 4.3 page says 'drop'" in problems
