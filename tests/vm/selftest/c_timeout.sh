#!/bin/sh
# timeout: 5
# Harness self-test: a test that overruns its timeout must fail as timed out.
sleep 60
