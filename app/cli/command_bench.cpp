// zimage-cli bench: performance measurements, printed as JSON (performance goals live here, not in timed tests).
//   bench --tokenizer --model DIR [--json]

#include "arguments.h"
#include "commands.h"
#include "text/tokenizer_bench.h"
#include "tokenizer_location.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace zimage::cli {
namespace {

// A prompt of 512+ tokens mixing English, Chinese, digits and punctuation, like long real prompts.
std::string longPrompt() {
    std::string text;
    while (text.size() < 2600)
        text += "A golden retriever running across a sunlit meadow, 35mm photo, f/1.8, 一只金毛犬在阳光草地上奔跑, "
                "soft bokeh, 4k, cinematic lighting; ";
    return text;
}

int benchTokenizer(const Arguments& args) {
    const auto folder = findTokenizerFolder(args.required("model"));
    const auto timings = text::benchmarkTokenizer(folder, longPrompt(), 200);
    const nlohmann::json out = {{"tokenizer",
                                 {{"folder", folder.string()},
                                  {"load_ms", timings.loadMs},
                                  {"encode_us", timings.encodeUs},
                                  {"tokens", timings.tokens}}}};
    if (args.flag("json"))
        std::cout << out.dump(2) << "\n";
    else
        std::cout << "tokenizer: load " << timings.loadMs << " ms, encode " << timings.tokens << " tokens in "
                  << timings.encodeUs << " us\n";
    return kExitOk;
}

} // namespace

int runBench(int argc, char** argv) {
    const Arguments args("bench", {{"tokenizer", false}, {"model"}, {"json", false}, {"verbose", false}}, argc, argv,
                         2);
    if (args.flag("tokenizer"))
        return benchTokenizer(args);
    throw UsageError("'bench' needs --tokenizer (generation benchmarks come with the engine)");
}

} // namespace zimage::cli
