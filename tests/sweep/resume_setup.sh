# Sourced by interrupt_resume.sh and kill_resume.sh: the sweep they cut and
# resume (4,860 points of the headline, must_fit), in a scratch folder $work
# removed on exit, and its uninterrupted results in $work/full to compare
# against. Expects $moesim (the binary) and $src (the source root).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/spec.json" <<JSON
{
  "base": "$src/scenarios/deepseek-v3-pretrain-2048xH800.json",
  "parameters": [
    { "path": "/cluster/ib_GB_per_s", "range": { "from": 20, "to": 100, "step": 1 } },
    { "path": "/plan/ep", "log_range": { "from": 8, "to": 128 } },
    { "path": "/plan/schedule", "values": ["1f1b", "zb1p", "dualpipe"] },
    { "path": "/plan/comm_sms", "values": [16, 20, 24, 32] }
  ],
  "constraints": { "must_fit": true }
}
JSON
"$moesim" sweep "$work/spec.json" --out "$work/full" -j 2 --quiet > /dev/null
