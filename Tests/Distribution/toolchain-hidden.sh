#!/usr/bin/env bash
# The release archive runs without Swift: unpacks ARCHIVE (scripts/package) and, in a mount
# namespace where an empty folder is bound over the Swift toolchain, verifies, lists, diffs,
# deltas and archives the fixtures with the packaged tools, checking each result. Also checks
# that the namespace really hides the toolchain: the ordinary build's DYNAMIC executable (linked
# against the toolchain's Swift runtime) must fail to start there.
#
#   Tests/Distribution/toolchain-hidden.sh ARCHIVE DYNAMIC    (needs root, for unshare --mount)
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=$(realpath "$1") dynamic=$(realpath "$2")
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")   # …/usr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/prefix" "$work/empty"
tar -xzf "$archive" -C "$work/prefix"
for page in ckptverify ckptdiff ckptdelta; do
    [ -s "$work/prefix/share/man/man1/$page.1" ] && [ -s "$work/prefix/share/bash-completion/completions/$page" ] ||
        { echo "FAIL: the archive lacks the manual page or completion of $page"; exit 1; }
done
echo "toolchain hidden: $toolchain; linked: $(ldd "$work/prefix/bin/ckpt-tools" | awk '{print $1}' | tr '\n' ' ')"

# The checks, run inside the namespace.
cat >"$work/inside.sh" <<'INSIDE'
set -uo pipefail
toolchain=$1 dynamic=$2 work=$3
export PATH=$work/prefix/bin:/usr/bin:/bin
fail() { echo "FAIL: $*"; exit 1; }
expect() { # STATUS COMMAND… : runs the command, which must exit with STATUS
    local want=$1; shift
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    [ $got = "$want" ] || fail "$* exited $got (want $want): $(head -c 400 "$work/err")"
}
[ -z "$(ls -A "$toolchain")" ] || fail "$toolchain is not hidden"
"$dynamic" --version >/dev/null 2>"$work/err" && fail "the dynamic build ran with the toolchain hidden"
grep -q "libswift.*\.so" "$work/err" || fail "the dynamic build failed for another reason: $(cat "$work/err")"

expect 0 ckptverify --version
grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' "$work/out" || fail "--version printed $(cat "$work/out")"
fixtures=Fixtures/tf2_keras_adam
expect 0 ckptverify --quiet "$fixtures"
expect 0 ckptverify --list --json "$fixtures/ckpt-40"
grep -q '"name":"sequential/hidden/kernel"' "$work/out" || fail "--list does not name sequential/hidden/kernel"
cp -r "$fixtures" "$work/run"
printf '\xff' | dd of="$work/run/ckpt-40.data-00000-of-00001" bs=1 seek=30000 conv=notrunc status=none
expect 1 ckptverify --quiet "$work/run/ckpt-40"
grep -q "checksum does not match" "$work/out" || fail "the flipped byte was not reported: $(cat "$work/out")"
rm "$work/run/ckpt-40."*
expect 1 ckptdiff --json "$fixtures/ckpt-1" "$fixtures/ckpt-2"
grep -q '"identical":false' "$work/out" || fail "ckptdiff found ckpt-1 and ckpt-2 identical"
expect 0 ckptdiff "$fixtures/ckpt-2" "$fixtures/ckpt-2"
expect 0 ckptdelta create "$fixtures/ckpt-1" "$fixtures/ckpt-2" -o "$work/2.delta"
expect 0 ckptdelta apply "$fixtures/ckpt-1" "$work/2.delta" -o "$work/applied"
for file in ckpt-2.index ckpt-2.data-00000-of-00001; do
    cmp "$fixtures/$file" "$work/applied/$file" || fail "apply did not rebuild $file byte for byte"
done
expect 0 ckptdelta archive --quiet "$work/run" "$work/archive"
expect 0 ckptdelta ls --json "$work/archive"
[ "$(grep -o '"step":' "$work/out" | wc -l)" = 5 ] || fail "the archive does not hold the run's five steps"
expect 0 ckptdelta verify --deep --quiet "$work/archive"
expect 0 ckptdelta restore "$work/archive" --step 11 -o "$work/restored"
for file in ckpt-11.index ckpt-11.data-00000-of-00001; do
    cmp "$fixtures/$file" "$work/restored/$file" || fail "restore did not rebuild $file byte for byte"
done
echo "ok: verify, list, diff, create, apply, archive, verify --deep and restore ran with $toolchain hidden"
INSIDE
unshare --mount bash -c 'mount --bind "$1" "$2" && exec bash "$3/inside.sh" "$2" "$4" "$3"' _ \
    "$work/empty" "$toolchain" "$work" "$dynamic"
