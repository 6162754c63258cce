"""The word gate benchmark runs and reports what it promises (small sizes: speed is shown
by running it, not by a timed test)."""

import json


def test_wordgate_scan_prints_one_json_line_with_its_figures(capsys):
    from bench.wordgate_scan import main

    assert main(["--words", "3000", "--chars", "600", "--seconds", "0.05"]) == 0
    report = json.loads(capsys.readouterr().out.strip())
    assert report["bench"] == "wordgate-scan" and report["words"] == 3000
    assert report["scans_per_second"] > 0 and report["naive_per_second"] > 0
    ratio = report["scans_per_second"] / report["naive_per_second"]
    assert abs(report["speedup"] - ratio) <= 0.02 * ratio + 0.1
    # The planted words are found, the dodged ones (赌 博-网站, 办*证*刻*章) only by the gate,
    # and the two evasions only the normalisation sees (traditional characters, letters
    # between the characters) only by today's gate, not the one before it.
    assert report["hits"] == 7 and report["before_hits"] == 5 and report["naive_hits"] == 3
    assert report["before_per_second"] > 0 and report["slowdown"] > 0
