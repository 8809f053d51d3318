#!/usr/bin/env python3
"""Regenerates prelude.c (a C string) from prelude.rs, the rt runtime
every generated crate carries. Run after editing prelude.rs."""
import pathlib

here = pathlib.Path(__file__).resolve().parent
src = (here / "prelude.rs").read_text()
out = ["/*", " * prelude.c - generated from prelude.rs by gen_prelude.py; do not edit.",
       " * The rt runtime module written at the top of every generated lib.rs.", " */",
       '#include "ir.h"', "",
       "/* Generated text, one Rust line per C line: not for clang-format. */",
       "/* clang-format off */",
       "const char translate_prelude_rs[] ="]
for line in src.splitlines():
    esc = line.replace("\\", "\\\\").replace('"', '\\"')
    out.append('\t"%s\\n"' % esc)
out[-1] += ";"
out.append("/* clang-format on */")
(here / "prelude.c").write_text("\n".join(out) + "\n")
