#!/usr/bin/env bash
# The main job, end to end: set up, scaffold a demo model service, train it, serve it on
# loopback, ask it for a prediction, stop it. Safe to re-run: it owns demo/ (git-ignored).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

demo_root="$repo_root/demo"
project="$demo_root/churn-model"
rm -rf "$project" # demo/ is this script's own output
mkdir -p "$demo_root"

echo "==> pnpm create ds-service churn-model (from this checkout)"
node packages/create-ds-service/dist/bin.cjs "$project" --yes --task classification

cd "$project"
echo "==> make train"
make train

port="${PORT:-8080}"
echo "==> make serve on 127.0.0.1:$port"
HOST=127.0.0.1 PORT="$port" setsid make serve >serve.log 2>&1 &
server=$!
trap 'kill -- -"$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/v2/health/ready" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/v2/health/ready" >/dev/null || { cat serve.log; exit 1; }

row='{"age": 48, "sex": 2, "bmi": 27.5, "bp": 94, "s1": 186, "s2": 111, "s3": 46, "s4": 4, "s5": 4.6, "s6": 92}'
echo "==> POST /predict"
curl -fsS -X POST "http://127.0.0.1:$port/predict" -H 'content-type: application/json' \
  -d "{\"instances\": [$row]}"
echo
echo "==> POST /v2/models/churn-model/infer"
curl -fsS -X POST "http://127.0.0.1:$port/v2/models/churn-model/infer" -H 'content-type: application/json' \
  -d '{"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [48]}, {"name": "sex", "shape": [1], "datatype": "FP64", "data": [2]}, {"name": "bmi", "shape": [1], "datatype": "FP64", "data": [27.5]}, {"name": "bp", "shape": [1], "datatype": "FP64", "data": [94]}, {"name": "s1", "shape": [1], "datatype": "FP64", "data": [186]}, {"name": "s2", "shape": [1], "datatype": "FP64", "data": [111]}, {"name": "s3", "shape": [1], "datatype": "FP64", "data": [46]}, {"name": "s4", "shape": [1], "datatype": "FP64", "data": [4]}, {"name": "s5", "shape": [1], "datatype": "FP64", "data": [4.6]}, {"name": "s6", "shape": [1], "datatype": "FP64", "data": [92]}]}'
echo
echo "Done: the project is in $project (make check, make serve, README.md)."
