#!/usr/bin/env python3
"""A newcomer joins a large community in the real Tauri window (tauri-driver + WebKitWebDriver
under Xvfb), and the window says how far the join has come while it runs.

Usage (tests/tauri_app.rs runs it): xvfb-run -a python3 tests/webdriver_join.py APP DATA TOKEN TOTAL
Checks: the window offers to join with an invite; while the join runs it shows
"N % von Hofheim empfangen (X von Y Einträgen)" with Y at least TOTAL, N matching X and Y, and
X only growing; the newcomer ends up in the community.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

APP, DATA, TOKEN, TOTAL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DRIVER = "http://127.0.0.1:4445"
SHOWN = r"(\d+) % von Hofheim empfangen \(([\d.]+) von ([\d.]+) Einträgen\)"


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(DRIVER + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


def wait(what, fn, timeout=90):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # element not there yet, or a dropped driver connection
            last = e
        time.sleep(0.3)
    raise SystemExit(f"FAIL {what} ({last})")


env = dict(os.environ, ALLMENDE_DATA=DATA)
driver = subprocess.Popen(["tauri-driver", "--port", "4445", "--native-port", "4446"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    wait("tauri-driver starts", lambda: call("GET", "/status"))
    session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"tauri:options": {"application": APP}}}})
    sid = session["value"]["sessionId"]

    def find(using, value):
        found = call("POST", f"/session/{sid}/element", {"using": using, "value": value})["value"]
        if not isinstance(found, dict) or not found:
            raise LookupError(f"no element {value}: {found}")
        return found.get("element-6066-11e4-a52e-4f735466cecc") or found.get("ELEMENT") or next(iter(found.values()))

    def script(source):
        return call("POST", f"/session/{sid}/execute/sync", {"script": source, "args": []})["value"]

    def shows(text):
        return text in (script("return document.body.innerText") or "")

    def click_button(name):
        xpath = f'//button[normalize-space()="{name}"]'
        return call("POST", f"/session/{sid}/element/{find('xpath', xpath)}/click", {}) is not None

    wait("the window offers to join with an invite", lambda: shows("Mit einer Einladung beitreten"))
    print("ok   the window offers to join with an invite")

    def type_token():
        el = find("css selector", "textarea[name=invite-token]")
        held = call("GET", f"/session/{sid}/element/{el}/property/value")["value"]
        if held != TOKEN:
            if held:
                call("POST", f"/session/{sid}/element/{el}/clear", {})
            call("POST", f"/session/{sid}/element/{el}/value", {"text": TOKEN})
        return call("GET", f"/session/{sid}/element/{el}/property/value")["value"] == TOKEN

    wait("typing the invite", type_token)
    wait("checking the invite", lambda: click_button("Einladung prüfen"))
    wait("the newcomer is asked first", lambda: shows("Dieser Gemeinschaft beitreten?"))
    print("ok   the newcomer is asked first")
    # Every text the window shows about the join, as it changes.
    script(
        "window.__seen = [];"
        "const look = () => {"
        f"  const m = document.body.innerText.match(/{SHOWN}/);"
        "  if (m && window.__seen[window.__seen.length - 1] !== m[0]) window.__seen.push(m[0]);"
        "};"
        "new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});"
        "return true;"
    )
    wait("joining", lambda: click_button("Beitreten"))
    wait("the newcomer has joined", lambda: shows("Willkommen bei Hofheim"), timeout=600)
    print("ok   the newcomer has joined")
    seen = script("return window.__seen") or []
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
    try:
        call("DELETE", f"/session/{sid}")
    except Exception as e:  # the app may close the connection while quitting; checks are done
        print(f"note: closing the session: {e}")
    if failures:
        raise SystemExit(f"{len(failures)} checks failed: {failures}")
finally:
    driver.terminate()
    driver.wait(timeout=10)
