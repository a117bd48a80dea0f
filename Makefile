# Tally: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
NPM_FLAGS := --no-audit --no-fund

.PHONY: install proto build lint test run run-processes bench clean

node_modules/.package-lock.json: package.json package-lock.json
	npm ci $(NPM_FLAGS)

install: node_modules/.package-lock.json

## proto: regenerate gen/ (TypeScript and the descriptor set) from proto/
proto: install
	rm -rf gen
	npx buf generate
	npx buf build -o gen/descriptor.binpb

## build: compile to dist/ (with the .proto files the runtime loads)
build: install
	npx tsc -p tsconfig.build.json
	cd lib && find . -name '*.proto' -exec cp --parents {} ../dist/lib/ \;
	mkdir -p dist/gen && cp gen/descriptor.binpb dist/gen/
	rm -rf dist/services/gateway/web && cp -r services/gateway/web dist/services/gateway/web

## lint: buf lint, generated code up to date, tsc and eslint
lint: install
	npx buf lint
	scripts/check-generated.sh
	npx tsc --noEmit -p tsconfig.json
	npx eslint --max-warnings 0 .

test: install lint
	npx jest --ci

run: build
	node dist/scripts/run-local.js

## run-processes: each service as its own process against NATS (and MongoDB when configured)
run-processes: build
	scripts/run-processes.sh

bench: build
	node dist/bench/run.js $(filter-out $@,$(MAKECMDGOALS))

clean:
	rm -rf dist .test-counts
