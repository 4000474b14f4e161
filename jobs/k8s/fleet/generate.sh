#!/usr/bin/env bash
# Writes the Kubernetes manifests of a fleet split into K partitions: for each i in 0..K-1, the CronJob
# running `loyalty-sync fleet --partition i/K` and its own volume, from cronjob.template.yaml.
#   jobs/k8s/fleet/generate.sh 4 > fleet-partitions.yaml && kubectl apply -f fleet-partitions.yaml
# Keep K fixed: a merchant's partition is a hash of its id modulo K, and its state file lives on that
# partition's volume (README "Partner mode" says how to change K).
set -euo pipefail
count="${1:?usage: generate.sh K (the number of partitions)}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "generate.sh: K must be a whole number ≥ 1, got \"$count\"" >&2; exit 2; }
template="$(dirname "$0")/cronjob.template.yaml"
for ((index = 0; index < count; index++)); do
  [[ $index -gt 0 ]] && echo '---'
  sed -e "s/@INDEX@/$index/g" -e "s/@COUNT@/$count/g" "$template"
done
