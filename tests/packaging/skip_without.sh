#!/bin/sh
# skip_without.sh TOOL PACKAGE COMMAND...: runs COMMAND, or exits with 77 (CTest's "skipped", SKIP_RETURN_CODE) and
# says which Debian package to install when TOOL is not on the PATH.
tool=$1
package=$2
shift 2
if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Skipped: $tool is not installed (Debian package $package)."
    exit 77
fi
exec "$@"
