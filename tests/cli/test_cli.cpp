// zimage-cli end to end on the zimage-tiny fixture. Expected values: golden/tokenizer_vectors.json (Hugging Face
// tokenizers), golden/case_turbo.safetensors (the diffusers ZImagePipeline), REFERENCE.md's 8-step sigma list, and
// the exit codes the CLI documents (0 ok, 2 invalid input, 3 model files).

#include "io/safetensors.h"
#include "output/png_file.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace {

struct Run {
    int exitCode = -1;
    std::string out;
};

std::string quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// Runs zimage-cli with `args` (each shell-quoted); stdout is captured, stderr goes to the test log.
Run cli(const std::vector<std::string>& args) {
    std::string command = quote(ZIMAGE_CLI_PATH);
    for (const auto& arg : args)
        command += " " + quote(arg);
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        run.out.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

std::string model() {
    return (zimage::test::fixtureDir() / "model").string();
}

std::vector<float> floats(const zimage::io::SafetensorsFile& file, const std::string& name) {
    const auto bytes = file.bytes(file.at(name));
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE_EQ(a.size(), b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::fabs(a[i] - b[i])));
    return worst;
}

} // namespace

TEST_CASE(sigmasPrintsTheSchedule) {
    const auto run = cli({"sigmas", "--steps", "8"});
    REQUIRE_EQ(run.exitCode, 0);
    const auto json = nlohmann::json::parse(run.out);
    const std::vector<double> expected = {1, .9545, .9, .8333, .75, .6429, .5, .3, 0};
    REQUIRE_EQ(json["sigmas"].size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        CHECK_NEAR(json["sigmas"][i].get<double>(), expected[i], 5e-5);
}

TEST_CASE(tokenizeMatchesGoldenVectors) {
    std::ifstream in(zimage::test::fixtureDir() / "golden" / "tokenizer_vectors.json");
    const auto vectors = nlohmann::json::parse(in);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto run = cli({"tokenize", "--model", model(), "--text", vectors[i]["text"].get<std::string>()});
        REQUIRE_EQ(run.exitCode, 0);
        CHECK_EQ(nlohmann::json::parse(run.out)["ids"], vectors[i]["ids"]);
    }
}

TEST_CASE(tokenizeChatMatchesPipelineIds) {
    // case_turbo's input_ids are the pipeline's ids after the chat template.
    const auto golden = zimage::io::SafetensorsFile::open(zimage::test::fixtureDir() / "golden/case_turbo.safetensors");
    const auto bytes = golden->bytes(golden->at("input_ids.0"));
    std::vector<std::int64_t> expected(bytes.size() / 8);
    std::memcpy(expected.data(), bytes.data(), bytes.size());
    std::ifstream in(zimage::test::fixtureDir() / "golden" / "cases.json");
    const auto prompt = nlohmann::json::parse(in)["cases"][0]["prompts"][0].get<std::string>();
    const auto run = cli({"tokenize", "--model", model(), "--chat", "--text", prompt});
    REQUIRE_EQ(run.exitCode, 0);
    CHECK_EQ(nlohmann::json::parse(run.out)["ids"].get<std::vector<std::int64_t>>(), expected);
}

TEST_CASE(inspectReportsSameNamesForDiffusersAndComfy) {
    const auto diffusers = cli({"inspect", "--json", model()});
    REQUIRE_EQ(diffusers.exitCode, 0);
    CHECK(diffusers.out.find("all_x_embedder.2-1.weight") != std::string::npos);
    const auto comfy =
        cli({"inspect", "--json", (zimage::test::fixtureDir() / "comfy/z_image_tiny_bf16.safetensors").string()});
    REQUIRE_EQ(comfy.exitCode, 0);
    CHECK(comfy.out.find("all_x_embedder.2-1.weight") != std::string::npos);
}

TEST_CASE(generateMatchesGoldenTurboCase) {
    // golden case "turbo": seed 42, 8 steps, 128x96, guidance 0, CPU noise.
    std::ifstream in(zimage::test::fixtureDir() / "golden" / "cases.json");
    const auto goldenCase = nlohmann::json::parse(in)["cases"][0];
    REQUIRE_EQ(goldenCase["name"].get<std::string>(), std::string("turbo"));
    const auto dir = zimage::test::tempDir("cli_generate");
    const auto latents = dir / "latents.safetensors";
    const auto run = cli({"generate",
                          "--model",
                          model(),
                          "--prompt",
                          goldenCase["prompts"][0].get<std::string>(),
                          "--seed",
                          "42",
                          "--steps",
                          "8",
                          "--width",
                          "128",
                          "--height",
                          "96",
                          "--device",
                          "cpu",
                          "--output",
                          dir.string(),
                          "--save-latents",
                          latents.string(),
                          "--json"});
    REQUIRE_EQ(run.exitCode, 0);
    const auto summary = nlohmann::json::parse(run.out);
    REQUIRE_EQ(summary["images"].size(), 1u);
    const auto pngPath = summary["images"][0]["file"].get<std::string>();

    const auto golden = zimage::io::SafetensorsFile::open(zimage::test::fixtureDir() / "golden/case_turbo.safetensors");
    const auto ours = zimage::io::SafetensorsFile::open(latents);
    CHECK(maxAbsDiff(floats(*ours, "noise"), floats(*golden, "noise")) == 0.0);
    CHECK(maxAbsDiff(floats(*ours, "step_latents"), floats(*golden, "step_latents")) < 1e-4);
    CHECK(maxAbsDiff(floats(*ours, "image"), floats(*golden, "image")) < 2e-3);

    const auto png = zimage::output::readPng(pngPath);
    CHECK_EQ(png.width, 128);
    CHECK_EQ(png.height, 96);
    bool hasParameters = false, hasJson = false;
    for (const auto& text : png.texts) {
        if (text.key == "parameters") {
            hasParameters = text.value.rfind(goldenCase["prompts"][0].get<std::string>(), 0) == 0 &&
                            text.value.find("Seed: 42") != std::string::npos;
        }
        if (text.key == "zimage")
            hasJson = nlohmann::json::parse(text.value)["request"]["seed"].get<std::uint64_t>() == 42;
    }
    CHECK(hasParameters);
    CHECK(hasJson);
}

TEST_CASE(exitCodesForBadInput) {
    const auto dir = zimage::test::tempDir("cli_bad_input");
    // Width not a multiple of 16: invalid input, nothing written.
    CHECK_EQ(
        cli({"generate", "--model", model(), "--prompt", "x", "--width", "1000", "--output", dir.string()}).exitCode,
        2);
    CHECK(std::filesystem::is_empty(dir));
    CHECK_EQ(cli({"generate", "--model", model(), "--prompt", "x", "--steps", "abc"}).exitCode, 2);
    CHECK_EQ(cli({"generate", "--model", model()}).exitCode, 2);
    CHECK_EQ(cli({"frobnicate"}).exitCode, 2);
    CHECK_EQ(cli({"sigmas", "--steps", "8", "--bogus"}).exitCode, 2);
    // A folder that holds no model: model problem.
    CHECK_EQ(cli({"generate", "--model", dir.string(), "--prompt", "x", "--width", "64", "--height", "64"}).exitCode,
             3);
    // A truncated checkpoint: model problem.
    const auto broken = dir / "broken.safetensors";
    std::ofstream(broken) << "\x10\x00\x00";
    CHECK_EQ(cli({"inspect", broken.string()}).exitCode, 3);
    // An output folder that cannot be created (a file is in the way): invalid input.
    const auto blocker = dir / "file";
    std::ofstream(blocker) << "x";
    CHECK_EQ(cli({"generate", "--model", model(), "--prompt", "x", "--width", "64", "--height", "64", "--output",
                  (blocker / "sub").string()})
                 .exitCode,
             2);
}
