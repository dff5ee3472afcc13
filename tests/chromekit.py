"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol through
--remote-debugging-pipe: JSON messages ending in NUL on fds 3 (to the browser) and 4 (from it).
No port, no websocket and no extra package — the pipe is what Puppeteer uses too.

`Page.open` loads a URL and records what a person's console would show (console.error/assert
calls, uncaught exceptions, Log entries of level error) and every request the page made."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest


def chromium_or_skip() -> str:
    """The chromium binary; missing, the test FAILS in CI (CI=true: `.ci/run` installs it)
    and is skipped elsewhere, saying why."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "chromium não está instalado (apt-get install chromium; .ci/run o instala)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _above_9(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium process; `close` ends it (and only it)."""

    def __init__(self, binary: str, profile: Path, timeout: float = 15.0) -> None:
        self.deadline = time.monotonic() + timeout
        to_r, self._to = os.pipe()
        self._from, from_w = os.pipe()
        # bash puts the pipe ends on fds 3 and 4, then becomes chromium; they are moved above 9
        # first, so no redirection overwrites or closes an end another one still needs (bash:
        # dash takes no fd number above 9)
        to_r, from_w = _above_9(to_r), _above_9(from_w)
        script = f'exec "$0" "$@" 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-'
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                 f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                 "--disable-extensions", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 "--mute-audio", "about:blank"]
        # its chatter goes to a file: an unread pipe could fill and stall the browser
        profile.mkdir(parents=True, exist_ok=True)
        self.log = profile / "stderr.txt"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(["bash", "-c", script, binary, *flags],
                                         pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        os.close(to_r)
        os.close(from_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                raise TimeoutError("chromium não respondeu a tempo")
            chunk = os.read(self._from, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium fechou o pipe: "
                                   + self.log.read_text("utf-8", "replace")[-2000:])
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """One command; the events read while waiting for its answer are kept in `events`."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})  # type: ignore[no-any-return]
            self.events.append(answer)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to, self._from):
            os.close(fd)


class Page:
    """A tab of `browser`, 1280 px wide, with console, log and network events on."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = browser.send("Target.attachToTarget", targetId=target,
                                    flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, self.session, **params)

    def open(self, url: str) -> None:
        self.browser.events.clear()
        self.send("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired")

    def _mine(self) -> list[dict[str, Any]]:
        return [e for e in self.browser.events if e.get("sessionId") == self.session]

    def console_errors(self) -> list[str]:
        """What the DevTools console would show as errors since `open`."""
        out = []
        for event in self._mine():
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                out.append(f"console.{params['type']}: {params['args']}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exceção: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self._mine()
                if e.get("method") == "Network.requestWillBeSent"]

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path: Path, scale: float = 1) -> tuple[int, int]:
        """The whole page as a PNG (`scale`: smaller, for docs/); returns its CSS size."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        width, height = int(size["width"]), int(size["height"])
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height,
                               "scale": scale})
        path.write_bytes(base64.b64decode(shot["data"]))
        return width, height
