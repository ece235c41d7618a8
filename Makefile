# wharf.registry developer entry point. `make test` is exactly what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTIONS := $(CURDIR)/.build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/wharf/registry
SCENARIO ?= default
# What make test runs: each scenario on the Debian releases it covers (12: Ceph Pacific, docker.io 20.10; 13: Reef,
# docker 26). The whole-system `default` runs on 13 only (12's Pacific, docker 20.10 and registry 2.8.2 keep
# registry_swift and registry_tls); `make molecule SCENARIO=default DEBIAN=12` runs it there. docker_hosts and
# ceph_aio have a host of each release in one run (their hosts.yml), so they take no DEBIAN.
# Two runs at a time, longest first (so the two lanes end close together: 2 min apart in the 2026-12-07 rehearsal);
# runs of one scenario share host names and wait for each other (make molecule locks per scenario), so they are kept
# apart.
MOLECULE_RUNS := default-deb13 registry_swift-deb12 registry_s3-deb13 registry_tls-deb12 docker_hosts ceph_aio
MOLECULE_PHASES := $(addprefix molecule-,$(MOLECULE_RUNS))

# "2.19.14 on Python 3.11.7": what the timings of units and artifact ran on.
CORE_VERSION := $(BIN)/python -c 'import platform; from ansible.release import __version__ as v; print(v, "on Python", platform.python_version())'

export PATH := $(BIN):$(PATH)
# Roles and modules resolve by FQCN from this work tree; the rest come with the pinned `ansible` package.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# Galaxy is unreachable here: a stray download should fail at once, not hang.
export ANSIBLE_GALAXY_SERVER := http://127.0.0.1:9/
# The lab inventory and the scenarios read image tags from here.
export WHARF_IMAGES_FILE := $(CURDIR)/images/images.yml

# make lab DEBIAN=13 BACKEND=swift chooses the lab's Debian release and storage backend; INSECURE=1 makes it plain
# HTTP and anonymous (the seed's insecure-registries setup) instead of TLS with users.
LAB_VARS := $(if $(DEBIAN),-e wharf_lab_debian=$(DEBIAN)) $(if $(BACKEND),-e wharf_lab_backend=$(BACKEND)) \
	$(if $(INSECURE),-e wharf_lab_secure=false)
# The benchmark's hosts are made like the lab's, with the lab's wiring for all hosts and the Docker hosts.
BENCH := -i tools/bench/hosts.yml -e @inventories/lab/group_vars/all/lab.yml \
	-e @inventories/lab/group_vars/docker_hosts/docker_engine.yml
BENCH_MB ?= 200
BENCH_ROUNDS ?= 3

.PHONY: help lab lab-down bench bench-down test host venv collection engine images lint sanity units artifact matrix \
	integration molecule ee \
	$(MOLECULE_PHASES) clean

help: ## list the targets
	@grep -E '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

lab: images collection ## the lab: real single-node Ceph, 2 registries behind a haproxy pair with a VIP, 2 clients, smoke test
	ansible-playbook -i inventories/lab playbooks/lab.yml $(LAB_VARS)

lab-down: venv collection ## remove the lab's containers, network and generated secrets
	ansible-playbook -i inventories/lab playbooks/lab_down.yml

bench: images collection ## push/pull per storage, cache rows, a 4-client fan-out, raw-HTTP blob rows and a replica profile (BENCH_MB=200 BENCH_ROUNDS=3)
	ansible-playbook $(BENCH) tools/bench/bench.yml -e wharf_bench_mb=$(BENCH_MB) -e wharf_bench_rounds=$(BENCH_ROUNDS)

bench-down: venv collection ## remove the benchmark's hosts
	ansible-playbook $(BENCH) playbooks/lab_down.yml

# ansible-test sanity runs on the collection installed from the tarball (make sanity: the work tree): in artifact with
# .venv's ansible-core, in matrix with every other release the collection claims (units too).
# After venv and images, two phases at a time: default (the longest) starts at once and the short checks run in the
# other lane before the other scenarios, so no core waits while the checks run alone.
test: collection ## everything CI runs: images, lint, units, the tarball (sanity on it), the ansible-core matrix, integration, every molecule scenario
	@tools/harness/phases.sh venv images -- $(firstword $(MOLECULE_PHASES)) lint units artifact matrix integration \
	  $(wordlist 2,$(words $(MOLECULE_PHASES)),$(MOLECULE_PHASES))

host: ## the Debian packages the harness runs (debootstrap, skopeo, shellcheck, python3-venv; installed as root)
	@tools/harness/host-packages.sh

venv: $(VENV)/.installed ## the pinned Python environment in .venv (tests/requirements.txt)
# tests/requirements.txt pins the test and lab tools and includes requirements.txt (the collection's runtime needs).
$(VENV)/.installed: tests/requirements.txt requirements.txt | host
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r tests/requirements.txt
	touch $@

collection: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

engine: ## make sure a Docker engine answers (installs and starts Debian's docker.io as root)
	@tools/harness/docker-engine.sh

images: venv engine ## build the lab images (cached: rebuilt only when a recipe changes)
	$(BIN)/python tools/harness/images.py build

lint: venv collection ## ruff, yamllint, ansible-lint (offline), the docsite's rst (antsibull-docs), the changelog's fragments
	ruff check .
	ruff format --check .
	yamllint -s .
	ansible-lint
	cd $(COLLECTION_LINK) && antsibull-docs lint-collection-docs .
	antsibull-changelog lint

sanity: venv ## ansible-test sanity, offline
	tools/harness/ansible-test.sh sanity

artifact: venv engine ## the built collection installed into an empty path: no secret in it, ansible-doc, playbooks, sanity; the execution environment built and tried (make ee)
	tools/harness/artifact.sh
	tools/harness/ee.sh
	ANSIBLE_BUILDER=$(CURDIR)/.build/ee-builder/bin/ansible-builder tools/harness/ee-check.sh

units: venv ## module unit tests (ansible-test units) and the harness's own tests
	started=$$SECONDS; tools/harness/ansible-test.sh units; \
	  echo "ansible-core $$($(CORE_VERSION)): units passed in $$((SECONDS - started)) s"
	pytest -q tools/harness/tests

# One venv per tests/matrix/ansible-core-<X.Y>.txt, made once under ~/.cache/wharf/venvs (keyed by the file's hash).
matrix: venv ## sanity (on the tarball) and units on each other ansible-core claimed (tests/matrix/; ANSIBLE_CORE=2.21 for one)
	tools/harness/matrix.sh $(ANSIBLE_CORE)

# ansible-builder in its own cached venv (.build/ee-builder links to it; tests/ee/requirements-ee.txt); the base
# image is one recipe of images/images.yml (debian13_ee_base), built here alone if missing.
ee: venv engine ## the execution environment image (ansible-builder, cached), and inside it: collections, site.yml --syntax-check, ansible-doc
	tools/harness/ee.sh

integration: images ## real-component tests outside molecule: every lab image proven by a push and pull
	pytest -q tests/integration

molecule: images collection ## one scenario: make molecule SCENARIO=name [DEBIAN=12|13] (Debian 12 unless told)
	eval "$$($(BIN)/python tools/harness/images.py env)"; \
	  $(if $(DEBIAN),WHARF_LAB_DEBIAN=$(DEBIAN)) flock .build/molecule-$(SCENARIO).lock molecule test -s $(SCENARIO)

# molecule-<scenario>-deb<N>: one entry of MOLECULE_RUNS.
$(MOLECULE_PHASES): molecule-%:
	$(MAKE) --no-print-directory molecule SCENARIO=$(word 1,$(subst -deb, ,$*)) DEBIAN=$(word 2,$(subst -deb, ,$*))

clean: ## remove build output (keeps .venv and the images)
	rm -rf .build tests/output .pytest_cache .ruff_cache
