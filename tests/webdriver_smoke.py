#!/usr/bin/env python3
"""The real Tauri window under Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver).

Usage (scripts/test.sh runs it): xvfb-run -a python3 tests/webdriver_smoke.py APP DATA_DIR
Checks that the window shows the demo community and that a command round trip works:
submitting an idea through the window's form stores it (the CLI then lists it).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver_lib import Window, run, wait  # noqa: E402

APP, DATA = sys.argv[1], sys.argv[2]
TITLE = "Idee aus dem Fenster"


def checks(w):
    heading = wait("the window shows the demo community", lambda: (lambda t: t if t == "Grünhausen" else None)(w.text(w.find("css selector", "main h1"))))
    print(f"ok   window shows {heading}")
    # A busy machine can drop a driver connection: find and click again until it takes.
    wait("clicking Ideen", lambda: w.click("xpath", '//nav//button[normalize-space()="Ideen"]'))
    wait("the ideas form appears", lambda: w.find("css selector", "input[name=title]"))
    wait("typing the title", lambda: w.type_into("input[name=title]", TITLE))
    wait("sending the idea", lambda: w.click("css selector", "form.stack button[type=submit]"))
    wait("the new idea shows in the window", lambda: w.find("xpath", f"//*[contains(text(), '{TITLE}')]"))
    print("ok   command round trip through Tauri IPC")


run(Window(APP, DATA, 4444), checks)
