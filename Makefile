# The two README commands: `make reproduce` and `make test`; `make report-check` looks at the report.
SWIFT ?= swift
RELEASE := $(SWIFT) build -c release
# openmpi-bin: mpirun and Open MPI's libmpi, which `vidgen train` opens at run time under mpirun
# (the tests run 2-rank trainings); single-process builds and runs never need it.
# time: GNU time, with which the tests read the peak memory of a vidgen run.
PACKAGES := libopenblas-dev liblapacke-dev openmpi-bin time
# Height of report-check's screenshot, pixels (the whole report at 1280 wide).
REPORT_HEIGHT ?= 12000

FUZZ_SECONDS ?= 60

.PHONY: setup build test fuzz reproduce report-check readme-headline bench bench-data-parallel clean

# Installs OpenBLAS, LAPACKE and Open MPI from Debian when they are missing.
setup:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "error: need root (or sudo) to install$$missing; install them and rerun" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing \
	    || { echo "error: apt-get could not install$$missing" >&2; exit 1; }; \
	fi

build: setup
	$(RELEASE)

# Tests are built optimized: the numeric code is too slow in debug builds.
test: setup
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests
	$(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing

# Fuzzes the safetensors parser and the config decoder with libFuzzer, FUZZ_SECONDS per target
# (CI runs it for a few seconds, so the harness is built and run on every change).
fuzz:
	bash fuzz/run.sh $(FUZZ_SECONDS)

# The report of the shipped model: report/index.html, report.md, metrics.json and figures.
reproduce: build
	$$($(RELEASE) --show-bin-path)/vidgen reproduce --quick --out report

# Opens report/index.html in headless Chromium (installed from Debian if missing) and saves
# a full-page screenshot to report-screenshot.png, to check that every figure renders.
report-check:
	@test -f report/index.html || { echo "error: no report/index.html; run make reproduce first" >&2; exit 1; }
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "error: need root (or sudo) to install chromium" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium \
	    || { echo "error: apt-get could not install chromium" >&2; exit 1; }; }
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,$(REPORT_HEIGHT) \
	  --screenshot=$(CURDIR)/report-screenshot.png file://$(CURDIR)/report/index.html
	@echo "wrote report-screenshot.png"

# Copies a report's headline table (REPORT/headline.md) between the README's headline markers
# and its id GIF to docs/reproduce-id.gif: run after make reproduce, or after
# `vidgen reproduce --out DIR` with REPORT=DIR.
REPORT ?= report
readme-headline:
	@test -f $(REPORT)/headline.md || { echo "error: no $(REPORT)/headline.md; run make reproduce first" >&2; exit 1; }
	mkdir -p docs && cp $(REPORT)/exp1-id.gif docs/reproduce-id.gif
	awk 'BEGIN { while ((getline line < "$(REPORT)/headline.md") > 0) table = table line "\n" } \
	  /<!-- headline:start -->/ { print; printf "%s", table; skip = 1; next } \
	  /<!-- headline:end -->/ { skip = 0 } !skip' README.md > README.md.tmp && mv README.md.tmp README.md
	@echo "README.md headline and docs/reproduce-id.gif updated from $(REPORT)/"

bench: build
	$$($(RELEASE) --show-bin-path)/vidgen bench all

# The reference step at 1 rank × all cores and at 2 ranks × 1 thread (vidgen starts mpirun -np 2),
# with the time per step in the gradient sum.
bench-data-parallel: build
	$$($(RELEASE) --show-bin-path)/vidgen bench data-parallel --runs 20 --json bench-data-parallel.json

clean:
	rm -rf .build
