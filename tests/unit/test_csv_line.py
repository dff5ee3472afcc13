"""runtime/csv_line.py against the csv module it stands for: every character the writer might
treat specially (found by writing each code point between two fields: only `;`, `"` and the
line feed are quoted), in fields alone and in combinations, joined whole and in two parts."""

from __future__ import annotations

import csv
import io
import random

from runtime import csv_line


def _writer(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerow(fields)
    return buf.getvalue()


PIECES = ["", "a", ";", '"', "\n", "\r", " ", "x;y", 'diz "sim"', "a\nb", "ção", "1.234,56",
          '""', ";;", "\t"]


def test_each_piece_as_the_writer() -> None:
    for p in PIECES:
        assert csv_line.join([p, "x"]) + "\n" == _writer([p, "x"]), repr(p)
    assert csv_line.field('a"b') == '"a""b"'  # by hand: quoted, the quote doubled
    assert csv_line.join(["1", "a;b", ""]) == '1;"a;b";'


def test_random_lines_and_two_parts_as_the_writer() -> None:
    rnd = random.Random(5)
    for _ in range(2000):
        fields = ["".join(rnd.choices(PIECES, k=rnd.randint(0, 3)))
                  for _ in range(rnd.randint(2, 7))]
        cut = rnd.randint(2, len(fields)) if len(fields) >= 4 else len(fields)
        whole = csv_line.join(fields) + "\n"
        assert whole == _writer(fields), fields
        if len(fields) - cut >= 2:
            assert csv_line.join(fields[:cut]) + ";" + csv_line.join(fields[cut:]) + "\n" \
                == whole
