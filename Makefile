# pocketnn build. `make` builds the CLI and libraries into $(BUILD)/,
# `make test` runs every test and ends with "N passed, N failed".
CC ?= cc
BUILD ?= build
PREFIX ?= /usr/local
OPT ?= -O2
SANITIZE ?=

CFLAGS_BASE := -std=c11 -Wall -Wextra -Werror -g $(OPT) -fPIC \
  -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc
# No implicit FMA contraction anywhere (gcc's ISO mode already says so,
# clang's default does not): the plain-C reference loops and the
# reference-order kernels (src/kernels/f32_refacc*) round every product
# and sum as TFLite's reference kernels do; FMA only where spelled out.
CFLAGS_BASE += -ffp-contract=off
ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS_ALL := $(CFLAGS_BASE) $(CFLAGS)
LIBS := -lm -lpthread
# The CLI may use Debian image libraries; the core library never does.
CLI_LIBS := $(shell pkg-config --libs libpng 2>/dev/null) \
  $(shell pkg-config --exists libjpeg 2>/dev/null && pkg-config --libs libjpeg || echo -ljpeg)

LIB_SRC := $(sort $(shell find src -name '*.c'))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_SUPPORT := $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# ISA-specific kernel files get their own flags (picked at run time). Each
# is wrapped in #if for its architecture, so on another target it compiles
# to nothing and gets no flags: x86-64 files only for x86-64, *_neon.c
# (baseline ARMv8 NEON) and *_neondot.c (ARMv8.2 dot product) for aarch64.
TARGET_ARCH_NAME := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine 2>/dev/null)))
ifeq ($(TARGET_ARCH_NAME),aarch64)
$(BUILD)/obj/%_neondot.o: CFLAGS_ALL += -march=armv8.2-a+dotprod
else
$(BUILD)/obj/%_avx2.o: CFLAGS_ALL += -mavx2 -mfma -mf16c
$(BUILD)/obj/%_avx512.o: CFLAGS_ALL += -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mfma -mf16c
endif

.PHONY: all test clean install asan conformance fuzz
all: $(BUILD)/pocketnn $(BUILD)/libpocketnn.a $(BUILD)/libpocketnn.so $(TEST_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libpocketnn.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libpocketnn.so: $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/pocketnn: $(CLI_OBJ) $(BUILD)/libpocketnn.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libpocketnn.a $(CLI_LIBS) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libpocketnn.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(BUILD)/libpocketnn.a $(LIBS)

test: all
	@BUILD=$(BUILD) tests/run_tests.sh

# Every C test, plus the script suites that drive the library through the
# CLI over untrusted or varied input (op conformance, real models, writer,
# malformed and fuzz-regression files), under AddressSanitizer +
# UndefinedBehaviorSanitizer. The long model-generation suites (Keras
# conformance, tools, qemu, valgrind) run once, in `make test`.
ASAN_SCRIPTS ?= test_ops_litert.sh test_mediapipe.sh test_ops_mediapipe.sh \
  test_builder_ops_litert.sh test_writer_litert.sh test_cli.sh test_cli_quant.sh \
  test_fuzz_regressions.sh test_tools_cli.sh
asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 OPT=-O1 all
	@BUILD=build-asan PNN_SCRIPTS="$(ASAN_SCRIPTS)" tests/run_tests.sh

# libFuzzer targets (tests/fuzz/, clang): each runs FUZZ_SECONDS seconds and
# any finding fails the target (inputs kept in build-fuzz/findings/).
FUZZ_SECONDS ?= 60
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/pocketnn.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libpocketnn.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libpocketnn.so $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/pocketnn $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' pocketnn.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pocketnn.pc

# ---- Tooling (scripts/): dependencies, Python venv, models, demo.
.PHONY: deps venv models demo demo-model mediapipe
# Debian packages for building and testing (installs only what is missing).
deps:
	@scripts/install_deps.sh

# The pinned Python venv at .venv (LiteRT oracle, TF converter, sklearn).
venv:
	@scripts/setup_venv.sh >/dev/null

# The real models of the pinned mediapipe wheel, into .cache/mediapipe.
models:
	@scripts/fetch_mediapipe.sh

# Builds the CLI and classifies the bundled digit samples.
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/pocketnn
	$(BUILD)/pocketnn classify --model models/digits/digits.tflite \
	  --labels models/digits/labels.txt models/digits/samples/*.png

# Retrains the bundled demo model (deterministic; rewrites models/digits/).
demo-model: venv
	.venv/bin/python tools/train_digits.py

# Conformance against LiteRT: single-op models, mediapipe models, Keras
# applications (4 variants), sequence models; prints the table, writes
# docs/conformance.md, fails on a regression from tools/conformance/baseline.json.
conformance: $(BUILD)/pocketnn
	@py=$$(scripts/setup_venv.sh | tail -n 1) && scripts/fetch_mediapipe.sh >/dev/null && \
	  BUILD=$(BUILD) "$$py" tools/conformance/conformance.py --pocketnn $(BUILD)/pocketnn \
	  --doc docs/conformance.md --baseline tools/conformance/baseline.json

mediapipe: $(BUILD)/pocketnn
	@BUILD=$(BUILD) bash tests/scripts/test_mediapipe.sh

# ---- Benchmarks (bench/): kernel peak fractions, pocketnn vs LiteRT.
.PHONY: bench-kernels bench-compare
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/bench/bench_kernels: $(BENCH_OBJ) $(BUILD)/libpocketnn.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(BUILD)/libpocketnn.a $(LIBS)

bench-kernels: $(BUILD)/bench/bench_kernels
	$(BUILD)/bench/bench_kernels

# Thread pool: fork/join cost of an empty job, memory-bound op chains.
.PHONY: bench-pool
$(BUILD)/bench/bench_pool: $(BUILD)/obj/bench/pool/bench_pool.o $(BUILD)/libpocketnn.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libpocketnn.a $(LIBS)

bench-pool: $(BUILD)/bench/bench_pool
	$(BUILD)/bench/bench_pool

# Median latency of LiteRT (XNNPACK) and pocketnn, 1 and 2 threads.
bench-compare: $(BUILD)/pocketnn
	.venv/bin/python tools/bench_compare.py --pocketnn $(BUILD)/pocketnn

# ---- aarch64: cross build with Debian's gcc-aarch64-linux-gnu into
# build-aarch64/ (libraries, C test binaries, and the CLI without libpng /
# libjpeg: BMP only) and the C test suite under qemu-aarch64 (qemu-user).
.PHONY: aarch64 test-aarch64
AARCH64_CC ?= aarch64-linux-gnu-gcc
AARCH64_SYSROOT ?= /usr/aarch64-linux-gnu
aarch64:
	$(MAKE) CC=$(AARCH64_CC) BUILD=build-aarch64 CLI_LIBS= SANITIZE= \
	  CFLAGS="$(CFLAGS) -DPNN_NO_IMAGE_LIBS" build-aarch64/libpocketnn.a \
	  build-aarch64/libpocketnn.so build-aarch64/pocketnn \
	  $(TEST_SRC:tests/%.c=build-aarch64/tests/%)

test-aarch64: aarch64
	@BUILD=build-aarch64 PNN_SKIP_SCRIPTS=1 \
	  PNN_TEST_RUNNER="qemu-aarch64 -L $(AARCH64_SYSROOT)" tests/run_tests.sh

clean:
	rm -rf build build-asan build-*

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
