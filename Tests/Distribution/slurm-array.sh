#!/usr/bin/env bash
# Fan-out on a real scheduler: runs the README's Slurm example (the fenced block after
# `<!-- slurm-example -->`, with its checkpoint path replaced by a four-shard fixture) on the
# cluster SLURM_CONF names (scripts/slurm-cluster), with the packaged tools in BIN first on PATH.
#
#   Tests/Distribution/slurm-array.sh BIN
#
# Checks that the merged report is exactly what one run over the checkpoint prints (text and
# JSON, times aside), and that a damaged shard is found by exactly one array task and by the merge.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
export PATH=$bin:$PATH
[ "$(command -v ckptverify)" = "$bin/ckptverify" ]
: "${SLURM_CONF:?start a cluster with scripts/slurm-cluster first}"

example=$(awk '/<!-- slurm-example -->/ {found = 1; next}
    found && /^```/ {if (open) exit; open = 1; next}
    found && open' README.md)
placeholder=/runs/exp7/ckpt-1200
submit=$(grep '^sbatch ' <<<"$example")
merge=$(grep '^ckptverify --merge ' <<<"$example")
[ -n "$submit" ] && [ -n "$merge" ] && grep -q -- "$placeholder" <<<"$submit" ||
    { echo "FAIL: README.md has no Slurm example naming $placeholder"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Text and JSON without the times, which differ between any two runs.
untimed() { sed -E 's/ in [0-9.]+ s(, [0-9.]+ GB\/s)?$//'; }
unseconded() { python3 -c 'import json, sys
def strip(value):
    if isinstance(value, dict): return {k: strip(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list): return [strip(v) for v in value]
    return value
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))'; }

# Runs the example in a fresh folder for checkpoint $1; sets submitted/merged to the exit statuses.
run_example() {
    local folder=$work/$2
    mkdir -p "$folder"
    cd "$folder"
    mkdir -p reports
    set +e
    bash -c "${submit//$placeholder/$1}" >sbatch.out 2>&1
    submitted=$?
    bash -c "${merge//$placeholder/$1}" >merged.out 2>merged.err
    merged=$?
    ckptverify --merge --json reports/part-*.json >merged.json 2>/dev/null
    set -e
    cd - >/dev/null
}

# What one run over the checkpoint prints: single.out, single.err, single.json.
single_run() {
    ckptverify "$prefix" >"$work/single.out" 2>"$work/single.err" || true
    ckptverify --json "$prefix" 2>/dev/null | unseconded >"$work/single.json" || true
}
# Whether the merge in folder $1 printed exactly what one run did.
same_as_single() {
    diff <(untimed <"$work/$1/merged.out") <(untimed <"$work/single.out") &&
        diff "$work/$1/merged.err" "$work/single.err" &&
        diff <(unseconded <"$work/$1/merged.json") "$work/single.json"
}

cp -r Fixtures/sharded_tf2 "$work/run"
prefix=$work/run/ckpt-1
single_run
run_example "$prefix" clean
[ $submitted = 0 ] || fail "sbatch --wait exited $submitted on a sound checkpoint: $(cat "$work/clean/sbatch.out")"
[ $merged = 0 ] || fail "the merge exited $merged on a sound checkpoint: $(cat "$work/clean/merged.err")"
[ "$(ls "$work/clean/reports" | wc -l)" = 4 ] || fail "expected 4 partial reports, got: $(ls "$work/clean/reports")"
same_as_single clean || fail "the merged report differs from one run's"
echo "ok: 4 array tasks on Slurm, merged report = single run ($(untimed <"$work/clean/merged.out"))"

# One byte flipped in the third shard: one task finds it, and so does the merge.
printf '\xff' | dd of="$work/run/ckpt-1.data-00002-of-00004" bs=1 seek=0 conv=notrunc status=none
single_run
run_example "$prefix" damaged
[ $submitted = 1 ] || fail "sbatch --wait exited $submitted with a damaged shard (want 1, a task's status)"
[ $merged = 1 ] || fail "the merge exited $merged with a damaged shard (want 1)"
finders=$(python3 -c 'import json, sys
print(sum(any(c["data_failures"] for c in json.load(open(p))["checkpoints"]) for p in sys.argv[1:]))' "$work"/damaged/reports/part-*.json)
[ "$finders" = 1 ] || fail "$finders array tasks found the damage (want exactly 1)"
same_as_single damaged || fail "the merged report of the damaged checkpoint differs from one run's"
grep -q "checksum does not match" "$work/damaged/merged.out" || fail "the merge did not name the damage"
echo "ok: the damaged shard found by 1 of 4 tasks and by the merge: $(grep -m 1 'checksum' "$work/damaged/merged.out")"
