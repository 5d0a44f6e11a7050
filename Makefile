# make test: the whole test suite (what CI runs); make build: the jar behind ./neuroflux
SHELL := /bin/bash

.PHONY: test build clean

test:
	. .ci/java-home && mvn -B -ntp test

build:
	. .ci/java-home && mvn -q -B -ntp -DskipTests package

clean:
	. .ci/java-home && mvn -q -B clean
