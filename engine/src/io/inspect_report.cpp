// formatInspectReport() of inspect.h: the JSON of inspectPath() as text for a terminal.

#include "io/inspect.h"

#include <algorithm>
#include <cstdio>

namespace zimage::io {
namespace {

using nlohmann::json;

std::string scaled(double value, const char* const* units, double step) {
    int unit = 0;
    while (value >= step && units[unit + 1]) {
        value /= step;
        ++unit;
    }
    char text[64];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.2f%s", value, units[unit]);
    return text;
}

std::string humanCount(std::int64_t count) {
    static const char* const units[] = {"", " K", " M", " B", nullptr};
    return scaled(static_cast<double>(count), units, 1000.0) + " parameters";
}

std::string humanBytes(std::uint64_t bytes) {
    static const char* const units[] = {" bytes", " KiB", " MiB", " GiB", " TiB", nullptr};
    return scaled(static_cast<double>(bytes), units, 1024.0);
}

std::string valueText(const json& value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array()) {
        std::string text = "[";
        for (std::size_t i = 0; i < value.size(); ++i)
            text += (i ? ", " : "") + valueText(value[i]);
        return text + "]";
    }
    return value.dump();
}

std::string keyValues(const json& object, std::string_view separator) {
    std::string text;
    for (const auto& [key, value] : object.items())
        text += (text.empty() ? "" : ", ") + key + std::string(separator) + valueText(value);
    return text;
}

std::string totalsLine(const json& part) {
    std::string line = std::to_string(part.value("tensor_count", 0)) + " tensors, " +
                       humanCount(part.value("total_params", std::int64_t{0})) + ", " +
                       humanBytes(part.value("total_bytes", std::uint64_t{0}));
    if (part.contains("dtypes"))
        line += " (" + keyValues(part["dtypes"], " ") + ")";
    return line;
}

// "<- layers.0.attention.qkv.weight rows 0..255" / "<- decoder.mid.attn_1.q.weight [64, 64, 1, 1]"; empty when
// the tensor is stored under its own name and shape.
std::string storedText(const json& tensor) {
    if (!tensor.contains("stored_as") || (tensor["stored_as"] == tensor["name"] && !tensor.contains("stored_shape")))
        return {};
    std::string text = "<- " + valueText(tensor["stored_as"]);
    if (tensor.contains("stored_rows"))
        text += " rows " + std::to_string(tensor["stored_rows"][0].get<std::int64_t>()) + ".." +
                std::to_string(tensor["stored_rows"][1].get<std::int64_t>() - 1);
    else if (tensor.contains("stored_shape"))
        text += " " + valueText(tensor["stored_shape"]);
    return text;
}

std::string padded(const std::string& text, std::size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

// Aligned "name  dtype  shape" rows; `showStored` adds where a mapped name is stored.
void appendTensorTable(std::string& out, const json& tensors, bool showStored, std::string_view indent) {
    std::size_t nameWidth = 0, shapeWidth = 0;
    for (const auto& tensor : tensors) {
        nameWidth = std::max(nameWidth, tensor["name"].get_ref<const std::string&>().size());
        shapeWidth = std::max(shapeWidth, valueText(tensor["shape"]).size());
    }
    for (const auto& tensor : tensors) {
        std::string row = std::string(indent) + padded(tensor["name"].get<std::string>(), nameWidth + 2) +
                          padded(tensor["dtype"].get<std::string>(), 6) + valueText(tensor["shape"]);
        if (const std::string stored = showStored ? storedText(tensor) : std::string(); !stored.empty())
            row = padded(row, indent.size() + nameWidth + 8 + shapeWidth + 2) + stored;
        out += row + "\n";
    }
}

void appendIndented(std::string& out, const std::string& text, std::string_view indent) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\n', start);
        out += std::string(indent) + text.substr(start, end == std::string::npos ? end : end - start) + "\n";
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
}

// The lines a mapped part shares between a checkpoint and a model folder: layout, config, problems.
void appendPartSummary(std::string& out, const json& part) {
    std::string configSource = "config.json";
    if (part.value("config_inferred", false))
        configSource = "inferred from the tensor shapes";
    else if (part.contains("config_file") && part["config_file"].is_string())
        configSource = part["config_file"].get<std::string>();
    out += "  layout: " + valueText(part["layout"]) + "\n";
    out += "  config (" + configSource + "): " + keyValues(part["config"], " ") + "\n";
    if (part.contains("problems") && part["problems"].is_string()) {
        out += "  problems:\n";
        appendIndented(out, part["problems"].get<std::string>(), "    ");
    } else {
        out += "  check: every tensor the config calls for is present with the right shape\n";
    }
}

void appendCheckpoint(std::string& out, const json& report) {
    out += valueText(report["path"]) + "\n";
    if (report["files"].size() > 1)
        out += "  files: " + std::to_string(report["files"].size()) + " shards\n";
    out += "  " + totalsLine(report) + "\n";
    if (report["looks_like"].is_string())
        out += "  looks like: " + report["looks_like"].get<std::string>() + "\n";
    if (!report["metadata"].empty())
        out += "  metadata: " + keyValues(report["metadata"], "=") + "\n";
    const bool mapped = report["part"].is_string();
    if (mapped) {
        out += "  part: " + report["part"].get<std::string>() + "\n";
        appendPartSummary(out, report);
    }
    const bool renamed = mapped && report["layout"] != "diffusers" && report["layout"] != "transformers";
    out += renamed ? "  tensors as stored:\n" : "  tensors:\n";
    appendTensorTable(out, report["tensors"], false, "    ");
    if (renamed) {
        out += "  diffusers names (what the engine loads):\n";
        appendTensorTable(out, report["diffusers"], true, "    ");
    }
}

void appendModel(std::string& out, const json& report) {
    out += valueText(report["layout"]) + " model in " + valueText(report["root"]) + "\n";
    out += "  tokenizer: " +
           (report["tokenizer"].is_string() ? report["tokenizer"].get<std::string>()
                                            : std::string("none found (generating needs --tokenizer)")) +
           "\n";
    out += "  scheduler: " + keyValues(report["scheduler"], " ");
    out += report["scheduler_file"].is_string() ? " (" + report["scheduler_file"].get<std::string>() + ")\n"
                                                : " (defaults)\n";
    for (const char* name : {"transformer", "text_encoder", "vae"}) {
        const json& part = report["parts"][name];
        out += "\n" + std::string(name) + ": " + valueText(part["weights"]) + "\n";
        if (part.contains("error")) {
            out += "  error:\n";
            appendIndented(out, part["error"].get<std::string>(), "    ");
            continue;
        }
        out += "  " + totalsLine(part) + "\n";
        appendPartSummary(out, part);
        out += "  tensors:\n";
        appendTensorTable(out, part["tensors"], true, "    ");
    }
}

} // namespace

std::string formatInspectReport(const nlohmann::json& report) {
    std::string out;
    const std::string kind = report.value("kind", "");
    if (kind == "checkpoint") {
        appendCheckpoint(out, report);
    } else if (kind == "model") {
        appendModel(out, report);
    } else if (kind == "folder") {
        for (std::size_t i = 0; i < report["checkpoints"].size(); ++i) {
            if (i)
                out += "\n";
            appendCheckpoint(out, report["checkpoints"][i]);
        }
    }
    return out;
}

} // namespace zimage::io
