#!/usr/bin/env python3
"""Generates asyncabi-check's stress set: files a CI run can meet that once crashed, hung or
broke the report (deep nesting, huge lines, invalid bytes, nested structs in bodies, devices
behind #include). Each file's name says what it is; EXPECT maps a name to what the report must
say about it: "checked" (no not-checked finding), or a substring of its checker-parse-error.

usage: stress_gen.py OUT_DIR
"""
import os
import pathlib
import random
import sys

LOCKS = "#include <pthread.h>\nstatic pthread_mutex_t mu;\nvoid cb(unsigned long long d, signed char c);\n"


def nested_struct(depth, body):
    open_ = "".join(f"struct s{i} {{ int a{i};\n" for i in range(depth))
    close = "".join(f"}} m{i};\n" for i in reversed(range(depth)))
    return open_ + close if body else open_ + close.replace(f"}} m0;", "};")


def files():
    rnd = random.Random(20261202)
    yield "deep_parens_250.c", "int f(int x) { return " + "(" * 250 + "x" + ")" * 250 + "; }\n", "checked"
    yield "deep_parens_5000.c", "int f(int x) { return " + "(" * 5000 + "x" + ")" * 5000 + "; }\n", "bracket nesting"
    yield "unary_200k.c", "int f(int y) { return " + "- " * 200000 + "y; }\n", "clean"
    yield "unary_4m_overflow.c", "int x = " + "-" * 4000000 + "1;\n", "stack overflow"
    yield "binary_chain_300k.c", "int f(int x) { return " + " + ".join(["x"] * 300000) + "; }\n", "checked"
    yield "nested_if_250_locks.c", (LOCKS + "void f(int x) { pthread_mutex_lock(&mu);\n"
                                    + "if (x) {\n" * 250 + "cb(0, 1);\n" + "}\n" * 250
                                    + "pthread_mutex_unlock(&mu); }\n"), "checked"
    yield "nested_loops_200_locks.c", (LOCKS + "void f(int x) { pthread_mutex_lock(&mu);\n"
                                       + "while (x--) {\n" * 200 + "cb(0, 1);\n" + "}\n" * 200
                                       + "pthread_mutex_unlock(&mu); }\n"), "checked"
    yield "nested_blocks_250.c", "void f(void) {\n" + "{\n" * 250 + "int y = 0; (void)y;\n" + "}\n" * 250 + "}\n", "checked"
    yield "nested_struct_body_120_locks.c", (LOCKS + "void f(void) { pthread_mutex_lock(&mu);\n"
                                             + nested_struct(120, True)
                                             + "cb(0, 1); pthread_mutex_unlock(&mu); }\n"), "checked"
    yield "nested_struct_top_200.c", nested_struct(200, False), "checked"
    yield "goto_maze_2000.c", ("void f(int x) {\n" + "".join(f"l{i}: if (x == {i}) goto l{(i * 7 + 3) % 2000};\n" for i in range(2000)) + "}\n"), "checked"
    yield "long_body_30k_locks.c", (LOCKS + "int f(int x) { pthread_mutex_lock(&mu);\n"
                                    + "".join(f"x += {i}; if (x > {i}) cb(0, 1);\n" for i in range(30000))
                                    + "pthread_mutex_unlock(&mu); return x; }\n"), "checked"
    decls = " ".join(f"int v{i};" for i in range(400000))
    yield "huge_line_4mb_finding.c", ('#include <stdlib.h>\n#include "asyncabi/annotations.h"\n' + decls
                                      + " AA_CANCEL_FN void c(char *p) { free(p); }\n"), "checked"
    yield "long_identifier_1mb.c", "int " + "a" * 1000000 + " = 1;\n", "checked"
    yield "long_string_4mb.c", 'const char *s = "' + "x" * 4000000 + '";\n', "checked"
    yield "random_bytes_64k.c", bytes(rnd.randrange(256) for _ in range(65536)), None
    yield "latin1_finding.c", (b'#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
                               b"AA_CANCEL_FN void c(char *p) { free(p); /* caf\xe9 \xff */ }\n"), "checked"
    yield "nul_bytes.c", b"int a;\x00\x00 int b;\x00\n" * 100, None
    macros = "#define X0 x,\n" + "".join(f"#define X{i} X{i - 1} X{i - 1}\n" for i in range(1, 19))
    yield "macro_fanout_2e18.c", macros + "int g(int x) { int y[] = { X18 }; return y[0]; }\n", "checked"
    yield "many_functions_20k.c", "".join(f"static int f{i}(int x) {{ return x + {i}; }}\n" for i in range(20000)) + "int main(void) { return f0(1); }\n", "checked"
    yield "include_self.c", '#include "include_self.c"\nint x;\n', "include nested"
    yield "include_dev_zero.c", '#include "/dev/zero"\nint x;\n', "character device"
    yield "include_dev_urandom.c", '#include "/dev/urandom"\nint x;\n', "character device"
    yield "caf\xe9_latin1_name.c".encode("latin-1"), (b'#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
                                                     b"AA_CANCEL_FN void c(char *p) { free(p); }\n"), "checked"


EXPECT = {}
for _name, _content, _expect in files():
    EXPECT[_name if isinstance(_name, str) else _name.decode("latin-1")] = _expect


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, content, _ in files():
        path = os.fsencode(out) + b"/" + (name if isinstance(name, bytes) else name.encode())
        data = content.encode() if isinstance(content, str) else content
        with open(path, "wb") as f:
            f.write(data)
    print(f"stress_gen: {len(EXPECT)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
