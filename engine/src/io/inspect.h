#pragma once
// `zimage-cli inspect PATH [--json]`: what a checkpoint file or a model folder holds, before and after renaming to
// the diffusers names the engine loads. Reads headers only.
//
// A .safetensors / .safetensors.index.json file gives
//   {"kind": "checkpoint", "path", "files", "metadata", "tensor_count", "total_params", "total_bytes", "dtypes",
//    "tensors": [{"name", "dtype", "shape", "params"}],             // stored names
//    "looks_like", "part" ("transformer" | "vae" | "text_encoder" | null), "layout", "config", "config_inferred",
//    "diffusers": [{"name", "dtype", "shape", "stored_as"}],        // after mapping (absent when the part is unknown);
//                 + "stored_shape" where mapping reshaped or sliced, + "stored_rows" [begin, end) for a qkv slice
//    "problems"}                                                     // checkTensors' message, or null
// A model folder (anything locateModel() accepts) gives
//   {"kind": "model", "path", "layout", "root", "tokenizer", "scheduler": {...}, "scheduler_file",
//    "parts": {"transformer" | "text_encoder" | "vae": {"weights", "files", "layout", "config", "config_file",
//              "config_inferred", "tensor_count", "total_params", "total_bytes", "dtypes",
//              "tensors": [{"name", "dtype", "shape", "stored_as"}], "problems"} or {"weights", "error"}}}
// Any other folder: {"kind": "folder", "path", "checkpoints": [<checkpoint>...]} for the checkpoints directly in it.
// Throws EngineError(ModelFiles) when the path does not exist or is no checkpoint at all.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace zimage::io {

nlohmann::json inspectPath(const std::filesystem::path& path);

// The same as human-readable text (the CLI's default output).
std::string formatInspectReport(const nlohmann::json& report);

} // namespace zimage::io
