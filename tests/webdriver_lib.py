"""What the WebDriver scripts (tests/webdriver_*.py) share: tauri-driver started, a session with
the real Tauri app opened, and the calls to it.

A first launch of WebKitWebDriver on a cold machine can drop a connection without an answer
(seen in CI on the first window test of a run): opening the session is tried again with a
fresh tauri-driver, up to three times, and the driver's own output is kept in a log that is
printed when a check fails.
"""
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecc"


def wait(what, fn, timeout=90):
    """Calls `fn` until it returns something true (an exception counts as not yet)."""
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


class Window:
    """The app `app` (data directory `data`) in a WebDriver session through tauri-driver on
    `port` (and WebKitWebDriver on `port + 1`)."""

    def __init__(self, app, data, port):
        self.app, self.port = app, port
        self.env = dict(os.environ, ALLMENDE_DATA=data)
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = os.path.join(os.path.dirname(os.path.abspath(data)), f"tauri-driver-{port}-{os.getpid()}.log")
        self.driver = None
        self.sid = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}")

    def open(self):
        """Starts tauri-driver and opens the session (the app starts), trying again with a
        fresh driver where the first tries fail."""
        for attempt in range(1, 4):
            self._start_driver()
            try:
                wait("tauri-driver starts", lambda: self.call("GET", "/status"), timeout=30)
                session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {"tauri:options": {"application": self.app}}}})
                self.sid = session["value"]["sessionId"]
                return
            except (Exception, SystemExit) as e:
                print(f"note: opening the window, try {attempt}: {e!r}")
                self._stop_driver()
        self.fail("opening the window (three tries)")

    def _start_driver(self):
        log = open(self.log_path, "ab")
        self.driver = subprocess.Popen(
            ["tauri-driver", "--port", str(self.port), "--native-port", str(self.port + 1)],
            env=self.env, stdout=log, stderr=log, start_new_session=True,
        )

    def _stop_driver(self):
        if self.driver is None:
            return
        try:
            os.killpg(self.driver.pid, signal.SIGTERM)
            self.driver.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.driver.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.driver = None

    def close(self):
        if self.sid is not None:
            try:
                self.call("DELETE", f"/session/{self.sid}")
            except Exception as e:  # the app may close the connection while quitting
                print(f"note: closing the session: {e}")
        self._stop_driver()

    def fail(self, what):
        """Ends the script with `what`, after the driver's own output."""
        try:
            with open(self.log_path, "rb") as f:
                tail = f.read()[-4000:].decode(errors="replace")
            print(f"--- tauri-driver log ({self.log_path}), last lines ---\n{tail}")
        except OSError:
            pass
        raise SystemExit(f"FAIL {what}")

    def find(self, using, value):
        found = self.call("POST", f"/session/{self.sid}/element", {"using": using, "value": value})["value"]
        if not isinstance(found, dict) or not found:
            raise LookupError(f"no element {value}: {found}")
        return found.get(ELEMENT) or found.get("ELEMENT") or next(iter(found.values()))

    def text(self, el):
        return self.call("GET", f"/session/{self.sid}/element/{el}/text")["value"]

    def script(self, source):
        return self.call("POST", f"/session/{self.sid}/execute/sync", {"script": source, "args": []})["value"]

    def shows(self, text):
        return text in (self.script("return document.body.innerText") or "")

    def click(self, using, value):
        return self.call("POST", f"/session/{self.sid}/element/{self.find(using, value)}/click", {}) is not None

    def click_button(self, name):
        return self.click("xpath", f'//button[normalize-space()="{name}"]')

    def type_into(self, css, text):
        """Types `text` into the field `css`; typing again after a dropped connection does not
        type it twice. True once the field holds it."""
        el = self.find("css selector", css)
        held = self.call("GET", f"/session/{self.sid}/element/{el}/property/value")["value"]
        if held != text:
            if held:
                self.call("POST", f"/session/{self.sid}/element/{el}/clear", {})
            self.call("POST", f"/session/{self.sid}/element/{el}/value", {"text": text})
        return self.call("GET", f"/session/{self.sid}/element/{el}/property/value")["value"] == text


def run(window, checks):
    """Opens `window`, runs `checks(window)`, closes it; a failing step ends the script with
    the step's traceback and the driver's log."""
    try:
        window.open()
        checks(window)
    except SystemExit as e:
        if e.code not in (None, 0):
            print(e.code)
            window.fail("see above")
        raise
    except Exception:
        traceback.print_exc()
        window.fail("an unexpected error (traceback above)")
    finally:
        window.close()
    sys.exit(0)
