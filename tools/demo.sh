#!/bin/sh
# placeholder: the sample-package demo is being written
set -eu
"$1/unifw" --help
