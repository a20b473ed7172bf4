#!/usr/bin/env python3
"""Runs every replisim command the documentation shows, and checks that every
figure has the command that makes it nearby. Run by ctest (Docs.Commands).

  check_doc_commands.py REPLISIM [--root ROOT] [--list] [--timeout SECONDS]

Commands: the lines of fenced code blocks in README.md and docs/**/*.md that
start with `build/replisim ` or `replisim ` (after a `$ ` prompt, NAME=value
settings or `time`, if any), with `\\` continuations joined; blocks of TOML,
XML, C++ and other languages that are not shell are left alone. A line whose
second word is not a subcommand or an option (`replisim run: 9 nodes ...`, a
command's printed output) is not a command. Shell variables set earlier in
the same block (`C="--nodes 9"`) are expanded, and a command ends at the
first pipe, `;`, `&&` or redirection. A command with a word for the reader to
fill in (`<spec.toml>`, `DIR...`, `[--jobs N]`) is listed as skipped.

Each command runs from the repository root with REPLISIM in place of
`build/replisim`: `run`, `sweep`, `placement` and `bench` with `--dry-run`
(which checks everything a real run would and writes nothing), `platform` as
it is (it prints XML), `merge` not at all (it needs a sweep's results). Their
--out, --csv and --roles-dot go to a temporary directory all the same, so a
command never writes into the repository. The test fails listing every
command that exits non-zero, with its file, line and error line.

Figures: every `![...](X.png)` image must have a command in a code block of
the same page within 40 lines before or after it; the test fails listing the
figures that do not.

Figures in the text: a page that quotes a number a short `replisim run`
printed says so in a comment under the text that quotes it,
  <!-- checked: summary.csv stale_read_fraction = 0.069 -->
and the test runs the page's last `run` command above the comment for real
(its outputs in the temporary directory), reads that column of that file's
first row and fails unless it rounds to the value given, to the digits given.
"""
import argparse
import csv
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

DRY_RUN = {"run", "sweep", "placement", "bench"}
AS_IS = {"platform"}
SKIPPED = {"merge"}
SUBCOMMANDS = DRY_RUN | AS_IS | SKIPPED
OUTPUT_FLAGS = {"--out", "--csv", "--roles-dot"}
FILE_FLAGS = {"--csv", "--roles-dot"}  # files, in a directory that must exist; --out is created
FIGURE_WINDOW = 40
CHECKED = re.compile(r"<!--\s*checked:\s*([\w.]+\.csv)\s+(\w+)\s*=\s*(-?[0-9.]+)\s*-->")

FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)(?:\s+\"[^\"]*\")?\)")
VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
OPERATORS = {"|", "||", "&", "&&", ";", ";;", ">", ">>", "<", "<<", "<<<", ">&", "&>", "(", ")"}
# Code-block languages that hold no shell commands; every other block (an
# unlabelled one, sh, bash, console, text...) may.
NOT_SHELL = {"toml", "xml", "cpp", "c++", "c", "h", "hpp", "json", "yaml", "yml", "python", "py", "csv", "ini",
             "cmake", "diff", "dot", "html", "markdown", "md", "mermaid"}
# Words in front of a command that change nothing of it.
PREFIXES = {"time", "env", "command", "exec"}
# A word that stands for something the reader fills in: <file>, DIR..., [--jobs N].
PLACEHOLDER = re.compile(r"^<[^<>]+>$|\.\.\.$|…$|^\[|\]$")
# First words of a line that make it a command, for the figure check.
COMMAND_WORDS = re.compile(r"^(build/replisim|replisim|\S*python3?|\S+\.(py|sh)|cmake|make|ctest|bash|sh)(\s|$)")


class Block:
    """A fenced code block: its language and its (line number, text) lines."""

    def __init__(self, language, start):
        self.language = language
        self.start = start
        self.lines = []


class Command:
    def __init__(self, page, line, text, words, env=None, placeholder=None):
        self.page = page
        self.line = line
        self.text = text  # as the page shows it (continuations joined)
        self.words = words  # after variable expansion, up to the first operator
        self.env = env or {}  # NAME=value words in front of it
        self.placeholder = placeholder  # a word the reader fills in: not run

    @property
    def subcommand(self):
        return self.words[1] if len(self.words) > 1 else ""

    def where(self):
        return f"{self.page}:{self.line}"


def code_blocks(text):
    """The fenced code blocks of a Markdown page."""
    blocks = []
    block = None
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if block is None:
            if match:
                fence = match.group(1)
                block = Block(match.group(2).lower(), number)
            continue
        if match and match.group(1).startswith(fence[0]) and len(match.group(1)) >= len(fence) and not match.group(2):
            blocks.append(block)
            block = None
            continue
        block.lines.append((number, line))
    if block is not None:  # an unclosed block runs to the end of the page
        blocks.append(block)
    return blocks


def logical_lines(block):
    """(first line number, text) of each line of a block, `\\` continuations joined."""
    joined = []
    pending = None
    for number, line in block.lines:
        stripped = line.rstrip()
        if pending is not None:
            pending = (pending[0], pending[1] + " " + stripped.strip())
        else:
            pending = (number, stripped)
        if pending[1].endswith("\\"):
            pending = (pending[0], pending[1][:-1].rstrip())
            continue
        joined.append(pending)
        pending = None
    if pending is not None:
        joined.append(pending)
    return joined


def expand(text, variables):
    """$NAME and ${NAME}: the block's own variables first, then the environment."""

    def value(match):
        name = match.group(1) or match.group(2)
        if name in variables:
            return variables[name]
        return os.environ.get(name, match.group(0))

    return VARIABLE.sub(value, text)


def words_of(text):
    """The words of a shell line up to its first operator; None if it does not lex."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = []
    try:
        for word in lexer:
            if word in OPERATORS or (word and set(word) <= set("|&;<>()")):
                break
            if re.fullmatch(r"\d*[<>]&?\d*", word):  # 2>, 2>&1
                break
            words.append(word)
    except ValueError:
        return None
    return words


def strip_prompt(text):
    stripped = text.lstrip()
    return stripped[2:] if stripped.startswith("$ ") else stripped


def is_replisim(word):
    return word in ("replisim", "build/replisim", "./build/replisim")


def split_assignments(words):
    """NAME=value words in front of a line (after `export`, if any), and the rest."""
    env = {}
    i = 1 if words and words[0] == "export" else 0
    while i < len(words) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[i]):
        name, _, value = words[i].partition("=")
        env[name] = value
        i += 1
    return env, words[i:]


def command_words(words):
    """A line's words without the assignments and prefixes in front of its command."""
    env, rest = split_assignments(words)
    while rest and rest[0] in PREFIXES:
        rest = rest[1:]
    return env, rest


def commands_of(page, text):
    """The replisim commands a page shows."""
    found = []
    for block in code_blocks(text):
        if block.language in NOT_SHELL:
            continue
        variables = {}
        for number, raw in logical_lines(block):
            line = strip_prompt(raw)
            words = words_of(expand(line, variables))
            if not words:
                continue
            env, rest = command_words(words)
            if not rest:  # C="--nodes 9": kept for the lines below
                variables.update(env)
                continue
            if len(rest) < 2 or not is_replisim(rest[0]):
                continue
            second = rest[1]
            if second not in SUBCOMMANDS and not second.startswith("-"):
                continue  # printed output, e.g. "replisim run: leader-follower, 9 nodes"
            shown = re.search(r"<[A-Za-z][\w .:/-]*>", line)  # lexed as a redirection, so found in the text
            placeholder = shown.group(0) if shown else next((w for w in rest if PLACEHOLDER.search(w)), None)
            found.append(Command(page, number, line.strip(), rest, env, placeholder))
    return found


def command_lines(text):
    """Line numbers of the lines of shell code blocks that are commands."""
    numbers = set()
    for block in code_blocks(text):
        if block.language in NOT_SHELL:
            continue
        for number, raw in logical_lines(block):
            rest = command_words(words_of(strip_prompt(raw)) or [])[1]
            if not rest or not (COMMAND_WORDS.match(" ".join(rest)) or rest[0].startswith("./")):
                continue
            if is_replisim(rest[0]) and len(rest) > 1 and rest[1].endswith(":"):
                continue  # printed output
            numbers.add(number)
    return numbers


def figures_without_command(page, text):
    near = sorted(command_lines(text))
    missing = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in IMAGE.finditer(line):
            if not any(abs(n - number) <= FIGURE_WINDOW for n in near):
                missing.append(f"{page}:{number}: {match.group(1)}: no command in a code block within "
                               f"{FIGURE_WINDOW} lines")
    return missing


def moved_output(flag, value, root, out_dir):
    """Where an output goes instead: under out_dir. A file flag's directory
    must exist (replisim creates only --out), so it is made there when the
    page's own directory exists from the repository root."""
    path = out_dir / value.lstrip("/")
    original = root / value
    if flag in FILE_FLAGS and original.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def prepared(command, binary, root, scratch, index):
    """The argument list to run: the binary, --dry-run, outputs moved to scratch."""
    words = [binary] + command.words[1:]
    if command.subcommand in DRY_RUN:
        words.insert(2, "--dry-run")
    out_dir = scratch / f"{index:03d}"
    moved = []
    i = 0
    while i < len(words):
        word = words[i]
        flag, eq, value = word.partition("=")
        if flag in OUTPUT_FLAGS and eq:
            moved.append(f"{flag}={moved_output(flag, value, root, out_dir)}")
        elif word in OUTPUT_FLAGS and i + 1 < len(words):
            moved += [word, moved_output(word, words[i + 1], root, out_dir)]
            i += 1
        else:
            moved.append(word)
        i += 1
    return moved


def error_line(done):
    for stream in (done.stderr, done.stdout):
        lines = [l for l in stream.splitlines() if l.strip()]
        if lines:
            return lines[-1].strip()
    return f"exit status {done.returncode}"


def figure_checks(page, text, commands):
    """(command, file, column, value text) for each checked comment of a page."""
    checks = []
    for match in CHECKED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        above = [c for c in commands if c.page == page and c.line < line and c.subcommand == "run"]
        checks.append((above[-1] if above else None, line, *match.groups()))
    return checks


def check_figure(check, binary, root, scratch, index, timeout):
    """None when the run prints the figure the page quotes, else why not."""
    command, line, file, column, shown = check
    if command is None:
        return "no `replisim run` command above it on the page"
    out_dir = scratch / f"figure-{index:03d}"
    argv = [binary] + [w for w in command.words[1:]]
    argv = [w for i, w in enumerate(argv) if w != "--out" and (i == 0 or argv[i - 1] != "--out")]
    argv += ["--out", str(out_dir)]
    done = subprocess.run(argv, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        return f"the run failed: {error_line(done)}"
    with open(out_dir / file, newline="") as f:
        row = next(csv.DictReader(f), None)
    if row is None or column not in row:
        return f"{file} has no column {column}"
    digits = len(shown.split(".")[1]) if "." in shown else 0
    actual = f"{float(row[column]):.{digits}f}"
    return None if actual == shown else f"{file} {column} is {row[column]}, which reads {actual}, not {shown}"


def pages(root):
    found = []
    if (root / "README.md").is_file():
        found.append(root / "README.md")
    if (root / "docs").is_dir():
        found += sorted((root / "docs").rglob("*.md"))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replisim", help="the built replisim binary")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent.parent),
                        help="the repository root (default: this script's)")
    parser.add_argument("--list", action="store_true", help="only list the commands found")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one command may take")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    binary = str(Path(args.replisim).resolve())

    commands = []
    figures = []
    checks = []
    for path in pages(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        page = path.relative_to(root).as_posix()
        page_commands = commands_of(page, text)
        commands += page_commands
        figures += figures_without_command(page, text)
        checks += [(page, check) for check in figure_checks(page, text, page_commands)]

    if args.list:
        for c in commands:
            print(f"{c.where()}: {c.text}")
        return 0

    failed = []
    skipped = []
    passed = 0
    with tempfile.TemporaryDirectory(prefix="replisim-doc-commands-") as tmp:
        scratch = Path(tmp)
        for index, command in enumerate(commands):
            if command.subcommand in SKIPPED:
                skipped.append((command, "merge needs a sweep's results"))
                continue
            if command.placeholder:
                skipped.append((command, f"'{command.placeholder}' is for the reader to fill in"))
                continue
            argv = prepared(command, binary, root, scratch, index)
            try:
                done = subprocess.run(argv, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, timeout=args.timeout,
                                      env={**os.environ, **command.env})
            except subprocess.TimeoutExpired:
                failed.append((command, f"timed out after {args.timeout:g} s"))
                continue
            if done.returncode != 0:
                # Paths as the page wrote them, not as moved to the scratch directory.
                why = error_line(done).replace(str(scratch / f"{index:03d}") + "/", "")
                failed.append((command, f"exit {done.returncode}: {why}"))
            else:
                passed += 1
        wrong = []
        for index, (page, check) in enumerate(checks):
            why = check_figure(check, binary, root, scratch, index, args.timeout)
            if why is not None:
                wrong.append(f"{page}:{check[1]}: {why}")

    for command, why in skipped:
        print(f"SKIPPED {command.where()}: {command.text} ({why})")
    for command, why in failed:
        print(f"FAILED  {command.where()}: {command.text}\n        {why}")
    for figure in figures:
        print(f"FIGURE  {figure}")
    for why in wrong:
        print(f"WRONG   {why}")
    print(f"{len(commands)} commands: {passed} passed, {len(failed)} failed, {len(skipped)} skipped; "
          f"{len(figures)} figures without a command nearby; {len(checks) - len(wrong)} of {len(checks)} "
          f"quoted figures as the run prints them")
    return 1 if failed or figures or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
