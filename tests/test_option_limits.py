"""An option that removes nothing says which limit stops it."""

import pytest

import crudeflow
from crudeflow.cli import main
from crudeflow.simulate.option_limits import option_sentence, what_stops
from crudeflow.simulate.scenario import read_scenario


@pytest.fixture(scope="module")
def net():
    return crudeflow.load("kazakhstan").network


def test_new_caspian_tankers_are_stopped_by_the_btc_quota(net):
    # the tankers only reach Sangachal, and Kazakh oil leaves Sangachal by BTC (2.2 Mt/yr SOCAR quota) or Supsa (idle)
    option = read_scenario("caspian-tankers-6", net).scenario
    stops = what_stops(net, option, 2024)
    assert stops.startswith("its links (aktau_baku, kuryk_baku) can carry at most 2.20 Mt/yr with it as without it")
    assert "contract 'socar-btc-cap' on link btc" in stops


def test_option_sentence_says_what_was_removed():
    nothing = "x removes nothing: lost export 4.000 Mt with it and without it; held by y."
    assert option_sentence("x", 4.0, 4.0, "held by y") == nothing
    assert option_sentence("x", 3.0, 4.0, "") == "x removes 1.000 Mt of the 4.000 Mt of exports lost without it."
    assert option_sentence("x", 5.0, 4.0, "") == "x adds 1.000 Mt to the 4.000 Mt of exports lost without it."


def test_simulate_with_an_option_that_removes_nothing_says_why(capsys):
    main(["simulate", "cpc-court-halt-30d", "--with", "caspian-tankers-6"])
    text = " ".join(capsys.readouterr().out.split())  # unwrapped
    assert "note: caspian-tankers-6 removes nothing: lost export 4.045 Mt with it and without it;" in text
    assert "held by contract 'socar-btc-cap' on link btc" in text
