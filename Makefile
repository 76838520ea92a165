# supvisors: see README.md. `make run` and `make test` are the whole set-up.
GO      ?= go
BIN     := bin
PKGS    := ./...
FUZZTIME ?= 30s
# The release, which the binaries report (--version) and the Debian package has.
VERSION := $(shell cat VERSION)
GOLDFLAGS := -X github.com/supvisors/supvisors-go/internal/version.Version=$(VERSION)

.PHONY: all build test test-partitions chaos scale deps deps-deb deps-browser run bench bench-dashboard bench-bigview screenshots fuzz lint clean deb clients clients-java deps-java

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath $(BUILDFLAGS) -ldflags '$(GOLDFLAGS)' -o $(BIN)/ ./cmd/...

# deb makes $(BIN)/supvisors_VERSION_ARCH.deb (README's "Debian package"):
# the binaries as build makes them, stripped as dh_strip would; their man
# pages and completions, which a gendoc build of each writes; packaging/deb/.
deb:
	rm -rf $(BIN)/deb
	$(MAKE) --no-print-directory build BIN=$(BIN)/deb/root/usr/bin GOLDFLAGS='$(GOLDFLAGS) -s -w'
	$(MAKE) --no-print-directory build BIN=$(BIN)/deb/gendoc BUILDFLAGS='-tags gendoc'
	GO='$(GO)' scripts/deb.sh $(VERSION) $(BIN)/deb $(BIN)

# deps installs what the tests drive from outside: Debian's supervisor
# package (the real supervisorctl, and python3's supervisor module) and
# python3-zmq (the Python event interface's, and a real ZeroMQ subscriber).
deps: deps-deb deps-browser
	@command -v supervisorctl >/dev/null 2>&1 && /usr/bin/python3 -c 'import supervisor, zmq' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq supervisor python3-zmq >/dev/null; \
	  else \
	    echo "tests need Debian's supervisor and python3-zmq packages: sudo apt-get install -y supervisor python3-zmq"; exit 1; \
	  fi; }
	$(GO) mod download

# deps-deb installs what the Debian package's test needs beyond dpkg: lintian.
deps-deb:
	@command -v lintian >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian >/dev/null; \
	  else \
	    echo "tests need Debian's lintian package: sudo apt-get install -y lintian"; exit 1; \
	  fi; }

# deps-browser installs the browser that the dashboard's tests drive:
# Debian's chromium, headless. Without it (not root), those tests skip,
# saying so.
deps-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "the dashboard's browser tests need Debian's chromium (sudo apt-get install -y chromium): they skip"; \
	  fi; }

# screenshots writes the README's screenshots of the dashboard
# (docs/screenshots), taken by its browser test.
screenshots: deps-browser
	SUPVISORS_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestDashboardInBrowser$$' ./integration/

# bench-dashboard measures the dashboard in headless Chromium at 1,000
# processes (integration/dashboard_bench_test.go): render time, event
# storms, JS heap; the figures are printed.
bench-dashboard: deps-browser
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkDashboard$$' -benchtime 5x -timeout 20m ./integration/

# bench-bigview measures 10 agents of 1,000 processes each on 127.0.0.1-10
# (integration/bigview_bench_test.go): how long until every view is
# complete, get_all_process_info at 10,000 processes, a change's way to
# every node; the figures are printed.
bench-bigview: build
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkBigView$$' -benchtime 1x -timeout 30m ./integration/

# clients builds the clients of other languages (README's "Java client"
# and "C++ client").
clients: clients-java clients-cpp

# clients-java builds bin/java/supvisors-client.jar from clients/java/src
# with the JDK alone, and bin/java/classpath: the jars to compile and run
# against it (the client's only).
JAVAC ?= javac
JAR   ?= jar
JAVA_SRC := $(shell find clients/java/src -name '*.java')

clients-java: $(BIN)/java/supvisors-client.jar $(BIN)/java/classpath

$(BIN)/java/supvisors-client.jar: $(JAVA_SRC) | deps-java
	rm -rf $(BIN)/java/classes
	$(JAVAC) --release 17 -Xlint:all -Werror -d $(BIN)/java/classes $(JAVA_SRC)
	$(JAR) --create --file $@ -C $(BIN)/java/classes .
	rm -rf $(BIN)/java/classes

$(BIN)/java/classpath: $(BIN)/java/supvisors-client.jar
	echo "$(abspath $<)" > $@

# deps-java installs a JDK (Debian's default-jdk-headless) when javac or
# jar is missing.
deps-java:
	@command -v $(JAVAC) >/dev/null 2>&1 && command -v $(JAR) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless >/dev/null; \
	  else \
	    echo "the Java client needs a JDK 17 or later: sudo apt-get install -y default-jdk-headless"; exit 1; \
	  fi; }

# The timeout leaves room for slow machines: the integration package alone
# took 490 s on a 2-core virtual machine with both cores kept busy.
test: deps build clients
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 20m $(PKGS)

# clients-cpp builds the C++ client (clients/cpp): the static library
# bin/cpp/libsupvisors-client.a and bin/cpp/ldflags, the link flags a
# program needs after it. deps-cpp installs (as root) the Debian packages it
# builds on.
.PHONY: clients-cpp deps-cpp bench-clients
CPP_PACKAGES := g++ libxmlrpc-c++8-dev libcurl4-openssl-dev
CPP_FLAGS    := -std=c++17 -O2 -Wall -Wextra -Wpedantic -Iclients/cpp/include
CPP_OBJS     := $(patsubst clients/cpp/src/%.cpp,$(BIN)/cpp/obj/%.o,$(wildcard clients/cpp/src/*.cpp))

clients-cpp: $(BIN)/cpp/libsupvisors-client.a $(BIN)/cpp/ldflags

deps-cpp:
	@missing=; for p in $(CPP_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	test -z "$$missing" || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "the C++ client needs Debian's packages:$$missing (sudo apt-get install -y$$missing)"; exit 1; \
	  fi; }

$(BIN)/cpp/obj/%.o: clients/cpp/src/%.cpp Makefile | deps-cpp
	@mkdir -p $(@D)
	$(CXX) $(CPP_FLAGS) -MMD -MP -c $< -o $@

-include $(CPP_OBJS:.o=.d)

$(BIN)/cpp/libsupvisors-client.a: $(CPP_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BIN)/cpp/ldflags: Makefile | deps-cpp
	@mkdir -p $(@D)
	echo $$(xmlrpc-c-config c++2 --libs) $$(curl-config --libs) > $@

# bench-clients measures supervisor.getAllProcessInfo through the C++,
# Java, Go and Python clients against one agent with 1,000 processes
# (scripts/bench-clients.sh; BENCH_CALLS, BENCH_ROUNDS).
bench-clients: build clients $(BIN)/cpp/supvisors-bench
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/clientbench ./internal/clientbench
	./scripts/bench-clients.sh

$(BIN)/cpp/supvisors-bench: clients/cpp/bench/bench.cpp $(BIN)/cpp/libsupvisors-client.a $(BIN)/cpp/ldflags
	$(CXX) $(CPP_FLAGS) $< $(BIN)/cpp/libsupvisors-client.a $$(cat $(BIN)/cpp/ldflags) -o $@

# test-partitions runs the network-partition tests (root only: each test
# builds its own Linux network namespaces and bridges, see
# integration/netns_test.go); make test skips them. It fails if a lab's
# namespace or blackhole route (proto 213) is left behind.
test-partitions: deps build
	$(GO) vet ./integration/
	SUPVISORS_PARTITION_TESTS=1 $(GO) test -count=1 -timeout 20m -run 'TestPartition' ./integration/
	@left="$$(ip netns list | grep -E '^sv[0-9]+x[0-9]+'; ip route show proto 213)"; \
	  test -z "$$left" || { echo "partition tests left behind:"; echo "$$left"; exit 1; }

# chaos runs the chaos harness (integration/chaos_test.go, README's "Chaos
# harness"): CHAOS_NODES agents, CHAOS_FAULTS faults drawn from CHAOS_SEED
# (a random one, printed, when unset), the invariants checked after each;
# in loopback, then, as root, in network namespaces (partitions, loss,
# delay, clock skew).
CHAOS_FAULTS ?= 300
CHAOS_NODES  ?= 4

chaos: deps build
	@seed="$(CHAOS_SEED)"; seed="$${seed:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"; \
	  partitions=; if [ "$$(id -u)" = 0 ]; then partitions=1; else echo "chaos: not root, the netns mode is skipped"; fi; \
	  echo "chaos: CHAOS_SEED=$$seed CHAOS_FAULTS=$(CHAOS_FAULTS) CHAOS_NODES=$(CHAOS_NODES)"; \
	  CHAOS_SEED=$$seed CHAOS_FAULTS=$(CHAOS_FAULTS) CHAOS_NODES=$(CHAOS_NODES) SUPVISORS_PARTITION_TESTS=$$partitions \
	  $(GO) test -count=1 -v -parallel 1 -timeout 12h -run '^(TestChaos|TestPartitionChaos)$$' ./integration/
	@left="$$(ip netns list 2>/dev/null | grep -E '^sv[0-9]+x[0-9]+'; ip route show proto 213 2>/dev/null)"; \
	  test -z "$$left" || { echo "chaos left behind:"; echo "$$left"; exit 1; }

run: build
	./scripts/demo.sh

# scale starts N agents on 127.0.0.1-N at once (internal/scale, README
# "Scale") and prints launch, convergence, idle CPU and memory per agent,
# false SILENT, propagation and detection. PROCS processes per agent,
# IDLE the idle window; PROFILE=DIR writes and summarises the profiles of
# 3 agents (their binary is then built with -tags pprof).
N ?= 20
PROCS ?= 1
IDLE ?= 30s
SCALEFLAGS ?=
SCALE_AGENT = $(if $(PROFILE),$(BIN)/scale/supvisors,$(BIN)/supvisors)
scale: build
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/scale/scale ./internal/scale
	$(if $(PROFILE),CGO_ENABLED=0 $(GO) build -trimpath -tags pprof -ldflags '$(GOLDFLAGS)' -o $(SCALE_AGENT) ./cmd/supvisors)
	$(BIN)/scale/scale -bin $(SCALE_AGENT) -n $(N) -procs $(PROCS) -idle $(IDLE) $(if $(PROFILE),-profile $(PROFILE)) $(SCALEFLAGS)

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -timeout 20m $(PKGS)

# fuzz runs every fuzz target of every package for FUZZTIME each, one after
# the other, with FUZZFLAGS (e.g. FUZZFLAGS='-parallel 1' to keep one core).
# A package whose tests do not build fails it. New interesting inputs stay
# in the Go cache; only a crasher is written under testdata/fuzz (make it a
# regression seed, or fix it). A slow input is minimized for at most
# FUZZMINIMIZETIME, so that one does not stall the run. No test timeout:
# go test's 10 minutes would end a longer FUZZTIME with a panic.
FUZZFLAGS ?=
FUZZMINIMIZETIME ?= 10s

fuzz:
	@for pkg in $$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' $(PKGS)); do \
	  targets="$$($(GO) test -list '^Fuzz' $$pkg)" || { echo "$$targets"; exit 1; }; \
	  for target in $$(echo "$$targets" | grep '^Fuzz'); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) -timeout 0 $(FUZZFLAGS) $$pkg || exit 1; \
	  done; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

clean:
	rm -rf $(BIN)
