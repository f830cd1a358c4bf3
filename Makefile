# tinykube: the Kubernetes control plane as five small daemons.
SHELL := /bin/bash
GO ?= go
BIN := bin
BINARIES := apiserver scheduler controller-manager kubelet ctl
export CGO_ENABLED ?= 0
# encoding/json backed by the json/v2 implementation (same API and behaviour,
# decoding several times faster): JSON is most of the daemons' CPU (issue 10).
# `GOEXPERIMENT= make ...` builds with the classic implementation.
export GOEXPERIMENT ?= jsonv2
# The apiserver's /version names the commit built (hack/version-ldflags.sh).
GOFLAGS_BUILD := -trimpath -ldflags "-s -w $(shell hack/version-ldflags.sh)"

.PHONY: all build test unit fuzz-short fuzz vet run up down logs ps e2e bench clean

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

# The compose cluster (deploy/docker-compose.yaml): images built FROM scratch
# locally, then 3 etcd members, apiserver, 2 schedulers, 2 controller-managers,
# 3 kubelets and Prometheus. `make down VOLUMES=1` also drops the volumes.
up:
	@hack/compose.sh up

down:
	@hack/compose.sh down

logs:
	@hack/compose.sh logs --tail=200 -f $(SERVICE)

ps:
	@hack/compose.sh ps

e2e:
	@hack/compose.sh e2e

bench:
	@hack/bench.sh $(BENCH_ARGS)

clean:
	rm -rf $(BIN)
