#!/usr/bin/env python3
"""A small terminal for tests/e2e/cli_progress.sh.

run COLS RAW CMD...  runs CMD with stdin, stdout and stderr on a pseudo terminal of COLS columns
                     (TIOCSWINSZ before the command starts), stores every byte it wrote in RAW and
                     exits with the command's status.
check COLS RAW       replays RAW on a COLS-column screen: printable text, \\r, \\n, and ESC [ K (EL,
                     erase to the end of the line); any other escape sequence is an error. Fails when
                     a redrawn line (one with a \\r) reaches the last column (a terminal may wrap there
                     and the next \\r would redraw one line too low), or when a finished line holds
                     more than the text last written into it (leftovers of a longer redraw).
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios


def run(cols, raw, cmd):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    # no ONLCR: the bytes read back are the bytes unifw wrote
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the slave side
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    status = proc.wait()
    with open(raw, "wb") as f:
        f.write(out)
    return status


def check(cols, raw):
    data = open(raw, "rb").read().decode("utf-8", "replace")
    problems = []
    line, col, last_text, redraws, lineno, in_redraw = [], 0, "", 0, 1, False
    i = 0
    while i < len(data):
        c = data[i]
        if c == "\033":
            if data.startswith("\033[K", i):
                del line[col:]
                i += 3
                continue
            problems.append("line %d: escape sequence other than EL: %r" % (lineno, data[i:i + 8]))
            i += 1
            continue
        if c == "\r":
            col, last_text, in_redraw = 0, "", True
            redraws += 1
        elif c == "\n":
            shown = "".join(line).rstrip()
            if last_text and shown != last_text.rstrip():
                problems.append("line %d: leftovers: screen %r, last text %r" % (lineno, shown, last_text))
            line, col, last_text, lineno, in_redraw = [], 0, "", lineno + 1, False
        else:
            if col >= cols - 1 and in_redraw:  # a plain message line may wrap: it is never redrawn
                problems.append("line %d: text reaches column %d of %d: %r" % (lineno, col + 1, cols, "".join(line)))
                break
            if col < len(line):
                line[col] = c
            else:
                line.append(c)
            col += 1
            last_text += c
        i += 1
    if redraws == 0:
        problems.append("no redraw (\\r) at all: no bars were drawn")
    for p in problems[:10]:
        print("cli_progress_term: " + p)
    return 1 if problems else 0


def main():
    if sys.argv[1] == "run":
        sys.exit(run(int(sys.argv[2]), sys.argv[3], sys.argv[4:]))
    sys.exit(check(int(sys.argv[2]), sys.argv[3]))


if __name__ == "__main__":
    main()
