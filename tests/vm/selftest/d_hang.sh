#!/bin/sh
# timeout: 5
# Harness self-test: a guest that stops making progress (here: every task
# frozen by suspend-to-idle, with nothing to wake it) must be killed by the
# host and the test failed as hung.
echo freeze >/sys/power/state
sleep 60
