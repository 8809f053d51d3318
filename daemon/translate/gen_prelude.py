#!/usr/bin/env python3
"""Regenerates prelude.c (C strings) from prelude.rs, the rt runtime
every generated crate carries, and obj.rs, the object tier's runtime (o).
Run after editing either (make does, when they change)."""
import pathlib

here = pathlib.Path(__file__).resolve().parent
out = ["/*",
       " * prelude.c - generated from prelude.rs and obj.rs by gen_prelude.py;",
       " * do not edit. The runtime modules (rt, o) written at the top of every",
       " * generated lib.rs.", " */",
       '#include "ir.h"', "",
       "/* Generated text, one Rust line per C line: not for clang-format. */",
       "/* clang-format off */"]
for name, var in (("prelude.rs", "translate_prelude_rs"),
                  ("obj.rs", "translate_obj_rs")):
    src = (here / name).read_text()
    out.append("const char %s[] =" % var)
    for line in src.splitlines():
        esc = line.replace("\\", "\\\\").replace('"', '\\"')
        out.append('\t"%s\\n"' % esc)
    out[-1] += ";"
out.append("/* clang-format on */")
(here / "prelude.c").write_text("\n".join(out) + "\n")
