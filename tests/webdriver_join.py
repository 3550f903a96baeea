#!/usr/bin/env python3
"""A newcomer joins a large community in the real Tauri window (tauri-driver + WebKitWebDriver
under Xvfb), and the window says how far the join has come while it runs.

Usage (tests/tauri_app.rs runs it): xvfb-run -a python3 tests/webdriver_join.py APP DATA TOKEN TOTAL
Checks: the window offers to join with an invite; while the join runs it shows
"N % von Hofheim empfangen (X von Y Einträgen)" with Y at least TOTAL, N matching X and Y, and
X only growing; the newcomer ends up in the community.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver_lib import Window, run, wait  # noqa: E402

APP, DATA, TOKEN, TOTAL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SHOWN = r"(\d+) % von Hofheim empfangen \(([\d.]+) von ([\d.]+) Einträgen\)"


def checks(w):
    wait("the window offers to join with an invite", lambda: w.shows("Mit einer Einladung beitreten"))
    print("ok   the window offers to join with an invite")
    wait("typing the invite", lambda: w.type_into("textarea[name=invite-token]", TOKEN))
    wait("checking the invite", lambda: w.click_button("Einladung prüfen"))
    wait("the newcomer is asked first", lambda: w.shows("Dieser Gemeinschaft beitreten?"))
    print("ok   the newcomer is asked first")
    # Every text the window shows about the join, as it changes.
    wait("watching the window", lambda: w.script(
        "window.__seen = window.__seen || [];"
        "if (!window.__watching) {"
        "  window.__watching = true;"
        "  const look = () => {"
        f"    const m = document.body.innerText.match(/{SHOWN}/);"
        "    if (m && window.__seen[window.__seen.length - 1] !== m[0]) window.__seen.push(m[0]);"
        "  };"
        "  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});"
        "}"
        "return true;"
    ))
    wait("joining", lambda: w.click_button("Beitreten"))
    wait("the newcomer has joined", lambda: w.shows("Willkommen bei Hofheim"), timeout=600)
    print("ok   the newcomer has joined")
    seen = wait("reading what the window showed", lambda: (w.script("return window.__seen"),))[0] or []
    print(f"     shown while joining: {' | '.join(seen)}")
    failures = []

    def check(ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    def number(text):
        return int(text.replace(".", ""))

    parsed = []
    for s in seen:
        m = re.search(SHOWN, s)
        parsed.append((int(m.group(1)), number(m.group(2)), number(m.group(3))))
    check(len(parsed) > 0, "the window said how much had arrived while the join ran")
    check(all(of >= TOTAL for _, _, of in parsed), f"out of the whole community (at least {TOTAL} entries, in German digit groups)")
    check(all(done <= of and pct == done * 100 // of for pct, done, of in parsed), "the share matches the counts")
    check(all(i == 0 or parsed[i][1] >= parsed[i - 1][1] for i in range(len(parsed))), "the share only grows")
    if failures:
        raise SystemExit(f"{len(failures)} checks failed: {failures}")


run(Window(APP, DATA, 4446), checks)
