#!/bin/sh
# timeout: 300
# The stock ipoib in connected mode over softib's RC QPs, with softib srq=Y
# (ipoib-CM shares one SRQ).
. /vmtest/lib.sh
. /vmtest/lib-fabric.sh

connected_mode_test Y
finish
