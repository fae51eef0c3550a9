# tocsin — build, test and run. `make run` and `make test` are all a new user needs:
# both install missing Debian packages first (scripts/deps).

BUILD  ?= build/release
SAN    ?=
CC     ?= cc
PKGS   := sqlite3 libsodium libcrypto libzstd libarchive inih jansson libmicrohttpd yara libclamav libhs \
          libpcre2-8 zlib gumbo libcurl libuv opencc

# libcurl and libclamav are opened when first used (src/core/libload.c), not
# linked: with their dependencies they were a quarter of every command's start.
LAZY_PKGS  := libcurl libclamav
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null) \
              -ldl -lpthread -lm
soname      = $(shell objdump -p $$(pkg-config --variable=libdir $(1) 2>/dev/null)/$(2) 2>/dev/null | \
                awk '/SONAME/ {print $$2}')
LAZY_CFLAGS = -DCURL_SONAME='"$(or $(call soname,libcurl,libcurl.so),libcurl.so.4)"' \
              -DCLAMAV_SONAME='"$(or $(call soname,libclamav,libclamav.so),libclamav.so.12)"'
TEST_LIBS  := $(shell pkg-config --libs cmocka 2>/dev/null)

CFLAGS  := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Isrc $(PKG_CFLAGS)
LDFLAGS :=
ifeq ($(SAN),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
CFLAGS  += -O2
endif
ifeq ($(FUZZ),1)
CFLAGS  += -fsanitize=fuzzer-no-link
endif

SRC        := $(filter-out src/main.c,$(sort $(wildcard src/*/*.c)))
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
GEN        := $(BUILD)/gen/migrations.c
RULES      := $(sort $(wildcard rules/webshell/*.yar))
LW_RULES   := $(sort $(wildcard rules/logwatch/*.rules))
OBJ        := $(SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/openapi.o \
              $(BUILD)/obj/gen/webshell_rules.o $(BUILD)/obj/gen/logwatch_rules.o \
              $(BUILD)/obj/gen/probe_words.o $(BUILD)/obj/gen/probe_defacement.o \
              $(BUILD)/obj/gen/ui_assets.o
LIB        := $(BUILD)/libtocsin.a
UNIT       := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAY     := $(patsubst tests/fuzz/%.c,$(BUILD)/replay/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 30
BROWSER_NPM := tests/browser/node_modules/.package-lock.json

.PHONY: all build testbuild test asan fuzz format run clean deps

all: tocsin

tocsin: $(BUILD)/tocsin
	cp $< $@

build: $(BUILD)/tocsin

testbuild: $(BUILD)/tocsin $(UNIT) $(REPLAY) $(BROWSER_NPM)

$(BUILD)/tocsin: $(BUILD)/obj/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(LIB): $(OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/src/core/libload.o: src/core/libload.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LAZY_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/openapi.o: $(BUILD)/gen/openapi.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/webshell_rules.o: $(BUILD)/gen/webshell_rules.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The shipped webshell rules travel inside the binary.
$(BUILD)/gen/webshell_rules.c: $(RULES) scripts/embed-text.sh
	@mkdir -p $(dir $@)
	cat $(RULES) > $@.yar
	scripts/embed-text.sh guard_webshell_rules $@.yar > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/logwatch_rules.o: $(BUILD)/gen/logwatch_rules.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# So are the access-log rules, each file's name kept for messages.
$(BUILD)/gen/logwatch_rules.c: $(LW_RULES) scripts/embed-text.sh
	@mkdir -p $(dir $@)
	for f in $(LW_RULES); do echo "#@ $$f"; cat $$f; done > $@.rules
	scripts/embed-text.sh logwatch_builtin_rules $@.rules > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/probe_%.o: $(BUILD)/gen/probe_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The page analysis's sample word list and defacement markers, too.
$(BUILD)/gen/probe_words.c: rules/probe/words-sample.txt scripts/embed-text.sh
	@mkdir -p $(dir $@)
	scripts/embed-text.sh probe_builtin_words $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/probe_defacement.c: rules/probe/defacement.txt scripts/embed-text.sh
	@mkdir -p $(dir $@)
	scripts/embed-text.sh probe_defacement_words $< > $@.tmp && mv $@.tmp $@

# The web interface and its libraries (npm, pinned by ui/package-lock.json).
UI_FILES := $(shell find ui -path ui/node_modules -prune -o -type f -print 2>/dev/null)
UI_NPM   := ui/node_modules/.package-lock.json

$(UI_NPM): ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# The browser tests' driver, playwright-core (it drives Debian's chromium; it
# never downloads a browser).
$(BROWSER_NPM): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(BUILD)/obj/gen/ui_assets.o: $(BUILD)/gen/ui_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/ui_assets.c: $(UI_FILES) $(UI_NPM) scripts/embed-ui.py
	@mkdir -p $(dir $@)
	python3 scripts/embed-ui.py ui > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi.c: docs/api/openapi.yaml scripts/embed-text.sh
	@mkdir -p $(dir $@)
	scripts/embed-text.sh web_openapi_yaml $< > $@.tmp && mv $@.tmp $@

$(GEN): $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	scripts/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS)

# Each fuzz harness is also built with the ordinary compiler and a replay
# driver, so that `make test` runs it over its corpus on every change.
$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(PKG_LIBS)

deps:
	@scripts/deps

test: deps
	@$(MAKE) --no-print-directory testbuild tocsin
	@tests/run.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 testbuild
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run.sh build/asan

# libFuzzer: each harness runs FUZZ_SECONDS, its corpus growing in tests/fuzz/out/, with
# tests/fuzz/dict/NAME.dict as its dictionary where there is one.
fuzz:
	@scripts/deps fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang SAN=1 FUZZ=1 build/fuzz/libtocsin.a
	@for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); mkdir -p build/fuzz/bin tests/fuzz/out/$$n; \
	    clang -std=c17 -D_GNU_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) \
	        -fsanitize=fuzzer,address,undefined -o build/fuzz/bin/$$n $$f \
	        build/fuzz/libtocsin.a $(PKG_LIBS) || exit 1; \
	    echo "fuzzing $$n for $(FUZZ_SECONDS) s"; \
	    d=tests/fuzz/dict/$${n#fuzz_}.dict; [ -f $$d ] && d=-dict=$$d || d=; \
	    build/fuzz/bin/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $$d \
	        tests/fuzz/out/$$n tests/fuzz/corpus/$${n#fuzz_} 2>&1 | tail -3 || exit 1; \
	done

format:
	@scripts/deps format
	clang-format -i $$(git ls-files '*.c' '*.h')

# The main job on the embedded default: SQLite in ./var.
run: deps
	@$(MAKE) --no-print-directory tocsin
	@scripts/run.sh

clean:
	rm -rf build tocsin

-include $(OBJ:.o=.d) $(BUILD)/obj/src/main.d
