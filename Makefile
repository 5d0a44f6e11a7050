# make test: the whole test suite (what CI runs): unit tests, then packaging, then the integration tests that start
# the packaged application (mvn verify); make build: the application behind ./neuroflux
SHELL := /bin/bash

.PHONY: test build clean

test:
	. .ci/java-home && mvn -B -ntp verify

build:
	. .ci/java-home && mvn -q -B -ntp -DskipTests package

clean:
	. .ci/java-home && mvn -q -B clean
