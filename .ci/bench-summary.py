#!/usr/bin/env python3
"""One line per `zimage-cli bench --json` file: the figures the runtime issue asks for."""
import json
import sys

for path in sys.argv[1:]:
    bench = json.load(open(path))
    timed = bench["timed"]
    fresh = bench["new_prompt_run"]
    summary = {
        "size": f'{bench["width"]}x{bench["height"]}',
        "mean_total_ms": round(bench["mean_total_ms"], 1),
        "best_total_ms": round(bench["best_total_ms"], 1),
        "peak_allocated_mb": round(bench["peak_allocated_mb"]),
        "peak_reserved_mb": round(max(run["memory"].get("peak_reserved_mb", 0) for run in timed)),
        "dit_step_ms": [round(ms, 1) for ms in timed[-1]["timings"]["dit_step_ms"]],
        "vae_decode_ms": round(timed[-1]["timings"]["vae_decode_ms"], 1),
        "new_prompt_total_ms": round(fresh["timings"]["total_ms"], 1),
        "new_prompt_text_encoder_ms": round(fresh["timings"]["text_encoder_ms"], 1),
        "plan": bench["plan"],
        "estimated_peak_mb": round(timed[-1]["plan"]["estimated_peak_mb"]),
        "budget_mb": round(timed[-1]["plan"]["budget_mb"]),
        "baseline_allocated_mb": bench["baseline_allocated_mb"],
        "attempts": max(run["attempts"] for run in timed),
        "load_ms": round(bench["load_ms"]),
        "warnings": sorted({w for run in timed for w in run["warnings"]}),
    }
    print(json.dumps(summary))
