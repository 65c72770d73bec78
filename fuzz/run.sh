#!/usr/bin/env bash
# Fuzzes the safetensors parser and the config decoder with libFuzzer for a bounded time.
#   bash fuzz/run.sh [SECONDS per target, default 60]
# Each target is compiled with -sanitize=fuzzer,address from the sources it exercises (as one
# module, so their imports of each other are dropped). The committed seed corpus in
# fuzz/corpus/ is copied to .build-fuzz/ and grown there; a crash leaves its input in
# .build-fuzz/ and fails the script — add it to the tests as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build-fuzz
mkdir -p "$out"
flags=(-O -sanitize=fuzzer,address -parse-as-library -target-cpu haswell)

strip_imports() {  # copies a source without its imports of vidgen's own modules
  sed -E '/^import (Tensor|Diffusion|Dynamics|Checkpoints|Train|World)( .*)?$/d' "$1" > "$out/$(basename "$1")"
  echo "$out/$(basename "$1")"
}

build() {
  local name=$1; shift
  echo "building $name"
  swiftc "${flags[@]}" "$@" -o "$out/$name" 2> "$out/$name.build.log" || { cat "$out/$name.build.log" >&2; exit 1; }
}

# The sources each target exercises, with what they use from other files. CI builds and
# fuzzes both (briefly), so a list that falls behind the code fails there.
safetensors=(Sources/Tensor/SafeTensors.swift Sources/Tensor/SafeTensors+JSON.swift
  Sources/Tensor/AtomicFile.swift Sources/Tensor/VidgenError.swift)
config=(Sources/Diffusion/ModelConfig.swift Sources/Diffusion/Schedule.swift Sources/Checkpoints/TrainConfig.swift Sources/Tensor/PresetConfig.swift
  Sources/World/PrettyJSON.swift Sources/Tensor/AtomicFile.swift Sources/Tensor/VidgenError.swift Sources/Tensor/Math.swift)
stripped() { for f in "$@"; do strip_imports "$f"; done; }

build fuzz-safetensors $(stripped "${safetensors[@]}") fuzz/SafeTensorsFuzz.swift
build fuzz-config $(stripped "${config[@]}") fuzz/ConfigFuzz.swift

status=0
for target in safetensors config; do
  corpus="$out/corpus-$target"
  mkdir -p "$corpus"
  cp fuzz/corpus/$target/* "$corpus/"
  echo "fuzzing $target for $seconds s"
  if ! (cd "$out" && ./fuzz-$target -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
        "corpus-$target" > "fuzz-$target.log" 2>&1); then
    status=1
    echo "fuzz-$target found a crash:" >&2
    grep -E "ERROR|Fatal|crash-" "$out/fuzz-$target.log" | head -5 >&2
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/fuzz-$target.log" | sed "s/^/  $target /"
done
exit $status
