# tinykube: the Kubernetes control plane as five small daemons.
SHELL := /bin/bash
GO ?= go
BIN := bin
BINARIES := apiserver scheduler controller-manager kubelet ctl
export CGO_ENABLED ?= 0
GOFLAGS_BUILD := -trimpath -ldflags "-s -w"

.PHONY: all build test unit fuzz-short fuzz vet run up down e2e bench clean

all: build

build: $(addprefix $(BIN)/,$(BINARIES))

$(BIN)/%: FORCE
	@mkdir -p $(BIN)
	$(GO) build $(GOFLAGS_BUILD) -o $@ ./cmd/$*

FORCE:

vet:
	@test -z "$$(gofmt -l cmd pkg test hack 2>/dev/null)" || { echo "gofmt needed:"; gofmt -l cmd pkg test hack; exit 1; }
	$(GO) vet ./...

# Unit and integration tests (integration tests run a real embedded etcd and
# real apiserver processes in-process), then a few seconds of each fuzz target.
test: vet
	$(GO) test -count=1 -p 2 -timeout 15m ./...
	@$(MAKE) --no-print-directory fuzz-short

fuzz-short:
	@hack/fuzz.sh 3s

fuzz:
	@hack/fuzz.sh $${FUZZTIME:-60s}

# The same cluster as `make up`, as local processes (no Docker).
run: build
	hack/local-up.sh

up:
	@hack/compose.sh up

down:
	@hack/compose.sh down

e2e:
	@hack/compose.sh e2e

bench:
	@hack/bench.sh

clean:
	rm -rf $(BIN)
