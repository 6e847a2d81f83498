#!/bin/sh
# timeout: 300
# The stock ipoib in connected mode over softib's RC QPs, with softib srq=N
# (ipoib-CM gives every RC QP its own receive ring).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

connected_mode_test N
finish
