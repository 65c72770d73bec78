# The two README commands: `make reproduce` and `make test`.
SWIFT ?= swift
RELEASE := $(SWIFT) build -c release
PACKAGES := libopenblas-dev liblapacke-dev

.PHONY: setup build test reproduce bench clean

# Installs OpenBLAS and LAPACKE from Debian when they are missing.
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

reproduce: build
	$$($(RELEASE) --show-bin-path)/vidgen bench tensor

bench: build
	$$($(RELEASE) --show-bin-path)/vidgen bench all

clean:
	rm -rf .build
