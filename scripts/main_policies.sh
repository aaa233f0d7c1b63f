# Sourced by the scripts that run the main job's policies (demo.sh, longer_problems.sh): sets
# `policies` (live, every heuristic, the prompt-protected streaming, and foresight-sl / foresight-rl
# for each bundled judge present) and `judges` (their --judge options). Needs `model`.
policies=full,live,streaming,streaming+prompt,h2o,tova,snapkv,rkv,random
judges=()
for stage in sl rl; do
  if [[ -f $model/judge_$stage.safetensors ]]; then
    policies+=,foresight-$stage
    judges+=(--judge "$stage=$model/judge_$stage.safetensors")
  fi
done
