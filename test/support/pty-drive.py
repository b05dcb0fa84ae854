#!/usr/bin/env python3
"""Drive an interactive command through a real pseudo-terminal (Python 3.11+, stdlib only).

Usage:
    pty-drive.py [--cwd DIR] [--env JSON] [--timeout SECONDS] [--script JSON] [--cols N] [--rows N] -- COMMAND [ARG...]

The script is a JSON list of steps, given with --script or read from stdin:

    [{"expect": "Apply these changes?", "send": "\\r"},
     {"expect": "^Wrote \\\\d+ file", "regex": true},
     {"send": "n"}]

For each step the driver waits until the screen output (ANSI escapes stripped, CRLF as LF)
contains `expect` somewhere after the end of the previous match -- a plain substring, or a
Python regular expression (multiline) when "regex" is true -- and then writes `send` to the
terminal as typed keys ("\\r" enter, " " space, "\\u001b[B" down arrow, "\\u0015" ctrl-u).
A step may carry its own "timeout" in seconds. A step without "expect" sends at once; one
without "send" only waits. A step may also carry "run", a command as a list of strings: it runs
(in --cwd, to completion, and must exit 0) after `expect` shows and before `send` -- say, to edit
a file while the command waits at a prompt.

After the last step it waits for the command to exit and prints one JSON document on stdout:
    {"exitCode": <int>, "transcript": "<stripped screen output>"}
(exitCode is 128+N when the command died of signal N).

When a step times out, or the command exits before the text shows up, or the command does not
exit in time, it kills the command, prints what it was waiting for and the last 2000 characters
of the transcript on stderr (and as JSON on stdout), and exits 3. Bad usage exits 2.
"""

import argparse
import codecs
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time

# OSC ... BEL/ST, CSI ... final, other two-byte escapes, and an escape cut off at the end of
# what has arrived so far (so the stripped text only ever grows at its end).
ANSI = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-Z\\^-~]"
    r"|\x1b(?:\][^\x07\x1b]*|\[[0-?]*[ -/]*|[ -/]*)\Z"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TAIL = 2000


def screen_text(raw: str) -> str:
    text = ANSI.sub("", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", text)


class Session:
    def __init__(self, argv, cwd, env, cols, rows):
        master, slave = pty.openpty()
        termios.tcsetwinsize(slave, (rows, cols))
        pid = os.fork()
        if pid == 0:  # child: the pty becomes its controlling terminal and stdio
            try:
                os.close(master)
                os.login_tty(slave)
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            except BaseException as err:  # noqa: BLE001 - report anything, then leave
                os.write(2, f"pty-drive: cannot run {argv[0]}: {err}\n".encode())
            finally:
                os._exit(127)
        os.close(slave)
        self.pid = pid
        self.fd = master
        self.raw = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.eof = False
        self.status = None

    def text(self) -> str:
        return screen_text(self.raw)

    def pump(self, timeout: float) -> None:
        """Read what the command wrote within `timeout` seconds (sets eof when the pty closes)."""
        if self.eof:
            return
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every holder of the slave side has closed it
            data = b""
        if not data:
            self.eof = True
            self.raw += self.decoder.decode(b"", final=True)
            return
        self.raw += self.decoder.decode(data)

    def send(self, keys: str) -> None:
        data = keys.encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]

    def poll_exit(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = status
        return self.status is not None

    def exit_code(self):
        if self.status is None:
            return None
        code = os.waitstatus_to_exitcode(self.status)
        return 128 - code if code < 0 else code

    def kill(self) -> None:
        if self.poll_exit():
            return
        for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                if self.poll_exit():
                    return
                self.pump(0.05)


def find(text: str, step: dict, start: int):
    """End offset of the first match of step's expect at or after `start`, or None."""
    expect = step["expect"]
    if step.get("regex"):
        match = re.compile(expect, re.MULTILINE).search(text, start)
        return match.end() if match else None
    at = text.find(expect, start)
    return at + len(expect) if at >= 0 else None


def fail(session: Session, why: str, waiting_for, step_index) -> None:
    session.kill()
    transcript = session.text()
    tail = transcript[-TAIL:]
    sys.stderr.write(f"pty-drive: {why}\n")
    if waiting_for is not None:
        sys.stderr.write(f"  step {step_index}: waiting for {json.dumps(waiting_for)}\n")
    sys.stderr.write(f"  last {TAIL} characters of the transcript:\n{tail}\n")
    json.dump({"error": why, "step": step_index, "waitingFor": waiting_for, "exitCode": session.exit_code(), "transcriptTail": tail}, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.exit(3)


def load_steps(text: str) -> list:
    steps = json.loads(text)
    if isinstance(steps, dict):
        steps = steps.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ValueError("the script must be a JSON list of {expect, send} objects")
    for i, s in enumerate(steps):
        if "expect" in s and not isinstance(s["expect"], str):
            raise ValueError(f"step {i}: expect must be a string")
        if "send" in s and not isinstance(s["send"], str):
            raise ValueError(f"step {i}: send must be a string")
        if "run" in s and not (isinstance(s["run"], list) and s["run"] and all(isinstance(a, str) for a in s["run"])):
            raise ValueError(f"step {i}: run must be a non-empty list of strings")
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description="Drive a command through a pseudo-terminal with expect/send steps.")
    parser.add_argument("--cwd", help="working directory of the command")
    parser.add_argument("--env", help="JSON object: the command's whole environment (default: this process's)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each step and for the exit (default 20)")
    parser.add_argument("--script", help="JSON list of steps (default: read from stdin)")
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")
    try:
        steps = load_steps(args.script if args.script is not None else sys.stdin.read())
        env = dict(os.environ) if args.env is None else json.loads(args.env)
        if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
            raise ValueError("--env must be a JSON object of strings")
    except ValueError as err:
        parser.error(str(err))

    session = Session(command, args.cwd, env, args.cols, args.rows)
    pos = 0
    for index, step in enumerate(steps):
        if "expect" in step:
            deadline = time.monotonic() + float(step.get("timeout", args.timeout))
            while True:
                end = find(session.text(), step, pos)
                if end is not None:
                    pos = end
                    break
                if session.eof:
                    fail(session, "the command ended before the expected text appeared", step["expect"], index)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    fail(session, f"timed out after {step.get('timeout', args.timeout)} s", step["expect"], index)
                session.pump(min(remaining, 0.25))
        if step.get("run"):
            done = subprocess.run(step["run"], cwd=args.cwd, capture_output=True, text=True)
            if done.returncode != 0:
                fail(session, f"the step's command {step['run']} exited {done.returncode}: {done.stderr.strip()}", step.get("expect"), index)
        if step.get("send"):
            if session.eof:
                fail(session, "the command ended before the keys could be sent", step.get("expect"), index)
            session.send(step["send"])

    deadline = time.monotonic() + args.timeout
    while not (session.eof and session.poll_exit()):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            fail(session, f"the command did not exit within {args.timeout} s after the last step", "exit", len(steps))
        if session.eof:
            time.sleep(0.02)
        else:
            session.pump(min(remaining, 0.25))
    os.close(session.fd)
    json.dump({"exitCode": session.exit_code(), "transcript": session.text()}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
