#!/usr/bin/env bash
# Download CIFAR-10 (python version), verify its md5 and extract it atomically.
#
#   bash datasets/get_cifar10.sh [DEST]     # DEST defaults to this script's folder
#
# Environment: CIFAR10_URL and CIFAR10_MD5 (a mirror and the md5 of its file),
# CIFAR10_RETRIES (default 3), CIFAR10_RETRY_DELAY (seconds, default 2, times
# the attempt number). Idempotent: a verified copy (marker
# cifar-10-batches-py/.md5) is left alone. On any failure: one line on stderr,
# exit status 1, and nothing half-extracted in DEST.
# The Python twin (no bash needed): cs231n-lite data download.
set -euo pipefail

URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz}"
MD5="$(printf '%s' "${CIFAR10_MD5:-c58f30108f718f92721af3b95e74349a}" | tr 'A-F' 'a-f')"
RETRIES="${CIFAR10_RETRIES:-3}"
DELAY="${CIFAR10_RETRY_DELAY:-2}"
DEST="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
FOLDER=cifar-10-batches-py
FILES="data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch batches.meta"
TARBALL="$DEST/cifar-10-python.tar.gz"
PART="$TARBALL.part"
TMP=""
LOG=""

die() {
    echo "get_cifar10.sh: error: $*" >&2
    exit 1
}

EXTRACTING=0

cleanup() {
    local status=$?
    [ -n "$TMP" ] && rm -rf "$TMP"
    [ -n "$LOG" ] && rm -f "$LOG"
    rm -f "$PART"
    # a tarball that passed md5 but would not extract must not be reused next time
    [ "$status" -ne 0 ] && [ "$EXTRACTING" = 1 ] && rm -f "$TARBALL"
    return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM

case "$RETRIES" in '' | *[!0-9]* | 0) die "CIFAR10_RETRIES must be an integer >= 1, got '$RETRIES'" ;; esac

md5_of() {  # md5sum (Linux) or md5 (macOS); require_tools checked one exists
    if command -v md5sum >/dev/null 2>&1; then md5sum "$1" | cut -d' ' -f1; else md5 -q "$1"; fi
}

require_tools() {  # checked before any work, so a missing tool is one clear line
    command -v tar >/dev/null 2>&1 || die "tar is not installed"
    command -v md5sum >/dev/null 2>&1 || command -v md5 >/dev/null 2>&1 ||
        die "neither md5sum nor md5 is installed; cannot verify the download"
}

is_installed() {  # complete folder whose marker records the expected md5
    [ -f "$DEST/$FOLDER/.md5" ] && [ "$(tr -d '[:space:]' <"$DEST/$FOLDER/.md5")" = "$MD5" ] || return 1
    for f in $FILES; do [ -f "$DEST/$FOLDER/$f" ] || return 1; done
}

fetch() {  # fetch URL into .part; tool messages go to $LOG
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --connect-timeout 30 -o "$PART" "$URL" 2>"$LOG"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$PART" "$URL" 2>"$LOG" || { echo "wget exit status $? (8: HTTP error such as 404)" >>"$LOG"; return 1; }
    else
        die "neither curl nor wget is installed; install one, or run: cs231n-lite data download"
    fi
}

download() {  # .part -> verify -> tarball, with retries and back-off
    local attempt=1 why=""
    LOG="$(mktemp "${TMPDIR:-/tmp}/get_cifar10.XXXXXX")"
    while :; do
        rm -f "$PART"  # never resume onto an unknown leftover
        if fetch; then
            local got
            got="$(md5_of "$PART")"
            if [ "$got" = "$MD5" ]; then
                mv -f "$PART" "$TARBALL"
                return 0
            fi
            why="md5 mismatch for $URL: expected $MD5, got $got (a mirror with another file needs CIFAR10_MD5)"
        else
            why="download failed: $URL: $(tail -n 1 "$LOG" | tr -d '\r')"
            # a 4xx (404: wrong URL) will not fix itself: do not retry
            grep -q 'returned error: 4[0-9][0-9]' "$LOG" && attempt="$RETRIES"
        fi
        if [ "$attempt" -ge "$RETRIES" ]; then
            [ "$attempt" -eq 1 ] && die "$why (after 1 try)"
            die "$why (after $attempt tries)"
        fi
        sleep "$(awk -v d="$DELAY" -v a="$attempt" 'BEGIN { print d * a }')"
        attempt=$((attempt + 1))
    done
}

check_members() {  # refuse absolute paths, '..' and anything but files and folders
    local listing
    listing="$(tar -tzf "$TARBALL" 2>/dev/null)" || die "bad tarball $TARBALL: tar cannot read it"
    if printf '%s\n' "$listing" | grep -Eq '^/|(^|/)\.\.(/|$)'; then
        die "unsafe path in $TARBALL ($(printf '%s\n' "$listing" | grep -Em1 '^/|(^|/)\.\.(/|$)')); refusing to extract it"
    fi
    if tar -tvzf "$TARBALL" 2>/dev/null | grep -vq '^[-d]'; then
        die "unexpected link or device in $TARBALL; refusing to extract it"
    fi
}

extract() {  # into a temporary folder, then move the complete result into place
    EXTRACTING=1
    TMP="$(mktemp -d "$DEST/.cifar10-extract.XXXXXX")" || die "cannot create a temporary folder in $DEST"
    check_members
    tar -xzf "$TARBALL" -C "$TMP" 2>/dev/null || die "bad tarball $TARBALL: extraction failed"
    for f in $FILES; do
        [ -f "$TMP/$FOLDER/$f" ] || die "$TARBALL does not contain $FOLDER/$f; is CIFAR10_URL the python version of CIFAR-10?"
    done
    printf '%s\n' "$MD5" >"$TMP/$FOLDER/.md5"
    if [ -e "$DEST/$FOLDER" ]; then  # an unverified or older copy: replace it
        mv "$DEST/$FOLDER" "$TMP/old" 2>/dev/null || die "cannot replace $DEST/$FOLDER"
    fi
    mv "$TMP/$FOLDER" "$DEST/$FOLDER" 2>/dev/null || die "cannot move the data into $DEST/$FOLDER"
    EXTRACTING=0
}

if is_installed; then
    echo "CIFAR-10 already present in $DEST/$FOLDER"
    exit 0
fi
mkdir -p "$DEST" 2>/dev/null || die "cannot create $DEST"
require_tools
if ! { [ -f "$TARBALL" ] && [ "$(md5_of "$TARBALL")" = "$MD5" ]; }; then
    echo "Downloading CIFAR-10 (163 MB) from $URL ..."
    download
fi
extract
rm -f "$TARBALL"
echo "CIFAR-10 ready in $DEST/$FOLDER"
