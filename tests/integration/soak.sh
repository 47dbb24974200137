#!/bin/sh
# The short soak of make check: tests/soak/run.sh for NS_SOAK_SECONDS (60 by default);
# make soak runs it for 10 minutes.
exec sh "$(dirname "$0")/../soak/run.sh" "${NS_SOAK_SECONDS:-60}"
