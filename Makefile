# rustify - build, test, bench, fuzz, install.
#
# CFLAGS is the user's; ALL_CFLAGS adds ours and pkg-config's.
# Objects go under $(B) (build/ by default, build/asan for `make asan`).

PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libuv jansson libgit2 sqlite3 tree-sitter
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
GRAMMAR := deps/tree-sitter-python/src
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Wno-unused-parameter
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -Iinclude -Idaemon -I$(B)/gen $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(PKG_LIBS) -lm -lpthread

PROTO_SRC := $(wildcard proto/*.c)
DAEMON_SRC := $(filter-out daemon/main.c,$(wildcard daemon/*.c daemon/translate/*.c))
CLIENT_SRC := $(wildcard client/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
HARNESS := $(wildcard daemon/harness/*.py)

PROTO_OBJ := $(PROTO_SRC:%.c=$(B)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(B)/%.o) $(B)/gen/harness.o \
	$(B)/grammar/parser.o $(B)/grammar/scanner.o
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
# Small programs over the daemon's modules for tests: tests/tools/NAME.c
# becomes $(B)/tool-NAME (e.g. tool-index-dump, tool-translate).
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOLS := $(patsubst tests/tools/%.c,$(B)/tool-%,$(TOOL_SRC))

.PHONY: tools all test unit e2e pytest asan valgrind bench fuzz install clean format lint grammar
all: $(B)/rustifyd $(B)/rustifyctl

$(GRAMMAR)/parser.c:
	scripts/fetch-grammar

grammar: $(GRAMMAR)/parser.c

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The pinned grammar is outside code: compile it without our warnings.
$(B)/grammar/%.o: $(GRAMMAR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g -I$(GRAMMAR) $(EXTRA_CFLAGS) -w -c -o $@ $<
$(GRAMMAR)/scanner.c: $(GRAMMAR)/parser.c

# Python harnesses are real .py files, embedded into rustifyd at build time.
$(B)/gen/harness.c: $(HARNESS) scripts/embed.py
	@mkdir -p $(dir $@)
	python3 scripts/embed.py $@ $(HARNESS)
$(B)/daemon/harness.o: $(B)/gen/harness.c
$(B)/gen/harness.o: $(B)/gen/harness.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libproto.a: $(PROTO_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/rustifyd: $(B)/daemon/main.o $(DAEMON_OBJ) $(B)/libproto.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/rustifyctl: $(CLIENT_OBJ) $(B)/libproto.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tool-%: $(B)/tests/tools/%.o $(DAEMON_OBJ) $(B)/libproto.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

tools: $(TOOLS)

# The Rust runtime every generated crate carries, as a C string (committed,
# regenerated whenever prelude.rs changes).
daemon/translate/prelude.c: daemon/translate/prelude.rs daemon/translate/obj.rs daemon/translate/gen_prelude.py
	python3 daemon/translate/gen_prelude.py

$(B)/unit-tests: $(UNIT_OBJ) $(DAEMON_OBJ) $(B)/libproto.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# `make test`: unit tests, then end-to-end and Python suites against real
# daemons; ends with one "N passed, N failed" line over all of them.
test: all $(B)/unit-tests $(TOOLS)
	python3 scripts/run-tests --build $(B)

unit: $(B)/unit-tests
	$(B)/unit-tests

asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" test

valgrind: all $(B)/unit-tests
	VALGRIND=1 python3 scripts/run-tests --build $(B) --valgrind

bench: all $(B)/tool-pingbench
	python3 scripts/bench --build $(B) --out bench/results.md

FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Idaemon $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined
FUZZ_SECONDS ?= 60
# One libFuzzer target per parser of outside bytes: the wire protocol, the
# source decoder, the index (tree-sitter-python and the walk over its tree).
fuzz: build/fuzz/fuzz_proto build/fuzz/fuzz_source build/fuzz/fuzz_index
	@for t in proto source index; do \
		mkdir -p build/fuzz/corpus-$$t; \
		seeds=tests/fuzz/corpus-$$t; [ $$t = proto ] && seeds=tests/fuzz/corpus; \
		echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=65536 build/fuzz/corpus-$$t $$seeds || exit 1; \
	done

build/fuzz/fuzz_proto: tests/fuzz/fuzz_proto.c $(PROTO_SRC)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ $(PKG_LIBS)

build/fuzz/fuzz_source: tests/fuzz/fuzz_source.c daemon/source.c daemon/sha256.c $(PROTO_SRC)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ $(PKG_LIBS) -lpthread

build/fuzz/grammar.o: $(GRAMMAR)/parser.c $(GRAMMAR)/scanner.c
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -O2 -g -I$(GRAMMAR) -w -c -o build/fuzz/parser.o $(GRAMMAR)/parser.c
	$(FUZZ_CC) -std=c11 -O2 -g -I$(GRAMMAR) -w -c -o build/fuzz/scanner.o $(GRAMMAR)/scanner.c
	ld -r -o $@ build/fuzz/parser.o build/fuzz/scanner.o

build/fuzz/fuzz_index: tests/fuzz/fuzz_index.c daemon/index.c daemon/sha256.c $(PROTO_SRC) build/fuzz/grammar.o
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ $(PKG_LIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/user \
		$(DESTDIR)$(PREFIX)/share/doc/rustify
	install -m 0755 $(B)/rustifyd $(B)/rustifyctl $(DESTDIR)$(PREFIX)/bin/
	sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/rustifyd.service.in \
		> $(DESTDIR)$(PREFIX)/lib/systemd/user/rustifyd.service
	install -m 0644 systemd/rustifyd.socket $(DESTDIR)$(PREFIX)/lib/systemd/user/
	install -m 0644 proto/PROTOCOL.md README.md $(DESTDIR)$(PREFIX)/share/doc/rustify/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	cppcheck --quiet --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem --suppress=unknownMacro \
		-Iinclude -Idaemon -i daemon/translate proto daemon client
	clang-tidy --quiet $$(git ls-files 'proto/*.c' 'daemon/*.c' 'client/*.c') -- $(ALL_CFLAGS)

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
