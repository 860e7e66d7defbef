// Restoring parameters from PNG text chunks (output/parameters_import.h). The samples imitate what each program
// writes; where their format comes from is said above each. Expected values are read off the sample texts by hand, or
// are the request the text or JSON was generated from (round trips).

#include "output/generation_metadata.h"
#include "output/parameters_import.h"
#include "output/png_file.h"
#include "test_harness.h"

#include <string>
#include <vector>

using namespace zimage;
using namespace zimage::output;

namespace {

// AUTOMATIC1111 v1.10 (modules/processing.py create_infotext): the prompt (here two lines, as typed with BREAK),
// "Negative prompt: " and the negative (two lines), then one line of "Key: value" joined by ", ", values quoted with
// json.dumps when they hold ',' ':' or a newline (infotext_utils.quote: the Lora and TI hashes, the ADetailer
// prompt). RNG is left out because it is the default (GPU).
constexpr const char* kA1111 =
    "masterpiece, best quality, 1girl, (silver hair:1.2), looking at viewer\n"
    "BREAK night city, neon lights, rain <lora:add_detail:0.6>\n"
    "Negative prompt: (worst quality, low quality:1.4), EasyNegative,\n"
    "bad hands, watermark\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3508143251, Size: 832x1216, "
    "Model hash: 7f96a1a9ca, Model: animagineXLV31_v31, Denoising strength: 0.4, Hires upscale: 1.5, "
    "Hires upscaler: R-ESRGAN 4x+, ADetailer prompt: \"detailed eyes, smile\", "
    "Lora hashes: \"add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef\", TI hashes: \"EasyNegative: c74b4e810b03\", "
    "Version: v1.10.1";

// Forge (lllyasviel/stable-diffusion-webui-forge, Flux): the same create_infotext with Forge's extra keys
// ("Distilled CFG Scale", "Module 1..3") and its version string; no negative prompt (CFG 1), so no such line. After
// the key-value line, sd-dynamic-prompts with "dp_write_raw_template" appends "\nTemplate:" + prompt and
// "\nNegative Template:" + negative (its on_image_saved callback; no space after the colon); the template here spans
// two lines.
constexpr const char* kForge = "a red fox in the snow, golden hour\n"
                               "Steps: 20, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: "
                               "3.5, Seed: 2880926356, Size: 896x1152, Model hash: 275ef623d3, Model: "
                               "flux1-dev-bnb-nf4-v2, Version: f2.0.1v1.10.1-previous-313-g8a042934, Module 1: ae, "
                               "Module 2: clip_l, Module 3: t5xxl_fp16\n"
                               "Template:a {red|arctic} fox in the snow,\n"
                               "golden hour\n"
                               "Negative Template:blurry";

// stable-diffusion.cpp (examples/common get_image_params) for Z-Image: numbers from std::to_string (six decimals),
// "Model: " empty when the checkpoint came as --diffusion-model (then "Unet:"), the scheduler appended to the
// sampler, skip layers as an unquoted list, "TE:" once per text encoder, "Version: stable-diffusion.cpp" last.
constexpr const char* kStableDiffusionCpp =
    "a lighthouse on a cliff, storm clouds\n"
    "Negative prompt: lowres\n"
    "Steps: 9, CFG scale: 1.000000, SLG scale: 1.000000, Skip layers: [7, 8, 9, ], Skip layer start: 0.010000, "
    "Skip layer end: 0.200000, Guidance: 3.500000, Eta: 0.000000, Seed: 42, Size: 1024x768, Model: , RNG: cuda, "
    "Sampler: euler simple, TE: Qwen3-4B-Instruct-2507-Q4_K_M.gguf, TE: extra_encoder.gguf, "
    "Unet: z_image_turbo-Q4_K.gguf, VAE: ae.safetensors, Version: stable-diffusion.cpp";

// stable-diffusion.cpp with --sigmas: "Custom Sigmas: [..]" (std::fixed, 4 decimals) follows the sampler.
constexpr const char* kStableDiffusionCppSigmas =
    "a bowl of ramen\nSteps: 3, CFG scale: 1.000000, Guidance: 3.500000, Eta: 0.000000, Seed: 7, Size: 512x512, "
    "Model: zimage.safetensors, RNG: cpu, Sampler: euler, Custom Sigmas: [1.0000, 0.6000, 0.0000], "
    "Version: stable-diffusion.cpp";

std::vector<std::string> keysOf(const std::vector<ParameterField>& fields) {
    std::vector<std::string> keys;
    for (const auto& field : fields)
        keys.push_back(field.key);
    return keys;
}

std::string valueOf(const std::vector<ParameterField>& fields, std::string_view key) {
    for (const auto& field : fields)
        if (field.key == key)
            return field.value;
    return "<missing>";
}

bool mentions(const std::vector<std::string>& messages, std::string_view text) {
    for (const auto& message : messages)
        if (message.find(text) != std::string::npos)
            return true;
    return false;
}

GenerationRequest chineseRequest() {
    GenerationRequest request;
    request.prompts = {"一只橘猫坐在窗台上，阳光明媚，电影感", "水墨山水画，远山，小舟"};
    request.negativePrompt = "模糊，低质量";
    request.seed = 20261121;
    request.steps = 9;
    request.width = 1248;
    request.height = 832;
    request.guidance = 3.5;
    request.cfgNormalization = 1.0;
    request.cfgTruncation = 0.9;
    request.noise = NoiseSource::Cpu;
    request.precision = Precision::Bf16;
    return request;
}

} // namespace

TEST_CASE(a1111SampleWithQuotedValuesAndMultiLinePrompts) {
    const auto imported = parseParametersText(kA1111);
    CHECK(imported.source == ParametersSource::ParametersText);
    CHECK(imported.problems.empty());
    CHECK(imported.warnings.empty());
    REQUIRE_EQ(imported.request.prompts.size(), std::size_t(1));
    CHECK_EQ(imported.request.prompts[0], std::string("masterpiece, best quality, 1girl, (silver hair:1.2), looking at "
                                                      "viewer\nBREAK night city, neon lights, rain "
                                                      "<lora:add_detail:0.6>"));
    CHECK_EQ(imported.request.negativePrompt,
             std::string("(worst quality, low quality:1.4), EasyNegative,\nbad hands, watermark"));
    CHECK_EQ(imported.request.steps, 28);
    CHECK_EQ(imported.request.seed, std::uint64_t(3508143251));
    CHECK_EQ(imported.request.width, 832);
    CHECK_EQ(imported.request.height, 1216);
    CHECK_NEAR(imported.request.guidance, 6.5, 0.0);
    CHECK_EQ(imported.sampler, std::string("DPM++ 2M"));
    CHECK_EQ(imported.modelName, std::string("animagineXLV31_v31"));
    // No RNG key: A1111's default, the GPU generator.
    CHECK(imported.request.noise == NoiseSource::Cuda);
    CHECK(keysOf(imported.unknownFields) ==
          (std::vector<std::string>{"Schedule type", "Model hash", "Denoising strength", "Hires upscale",
                                    "Hires upscaler", "ADetailer prompt", "Lora hashes", "TI hashes", "Version"}));
    CHECK_EQ(valueOf(imported.unknownFields, "Lora hashes"),
             std::string("add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef"));
    CHECK_EQ(valueOf(imported.unknownFields, "ADetailer prompt"), std::string("detailed eyes, smile"));
    CHECK_EQ(valueOf(imported.unknownFields, "Hires upscaler"), std::string("R-ESRGAN 4x+"));
}

TEST_CASE(forgeSampleWithTemplateLinesAfterTheKeyValueLine) {
    const auto imported = parseParametersText(kForge);
    CHECK(imported.problems.empty());
    CHECK_EQ(imported.request.prompts.at(0), std::string("a red fox in the snow, golden hour"));
    CHECK_EQ(imported.request.negativePrompt, std::string());
    CHECK_EQ(imported.request.steps, 20);
    CHECK_EQ(imported.request.seed, std::uint64_t(2880926356));
    CHECK_EQ(imported.request.width, 896);
    CHECK_EQ(imported.request.height, 1152);
    CHECK_NEAR(imported.request.guidance, 1.0, 0.0);
    CHECK_EQ(imported.modelName, std::string("flux1-dev-bnb-nf4-v2"));
    CHECK(keysOf(imported.unknownFields) ==
          (std::vector<std::string>{"Schedule type", "Distilled CFG Scale", "Model hash", "Version", "Module 1",
                                    "Module 2", "Module 3", "Template", "Negative Template"}));
    CHECK_EQ(valueOf(imported.unknownFields, "Distilled CFG Scale"), std::string("3.5"));
    CHECK_EQ(valueOf(imported.unknownFields, "Template"), std::string("a {red|arctic} fox in the snow,\ngolden hour"));
    CHECK_EQ(valueOf(imported.unknownFields, "Negative Template"), std::string("blurry"));
}

TEST_CASE(stableDiffusionCppSample) {
    const auto imported = parseParametersText(kStableDiffusionCpp);
    CHECK(imported.problems.empty());
    CHECK_EQ(imported.request.prompts.at(0), std::string("a lighthouse on a cliff, storm clouds"));
    CHECK_EQ(imported.request.negativePrompt, std::string("lowres"));
    CHECK_EQ(imported.request.steps, 9);
    CHECK_EQ(imported.request.seed, std::uint64_t(42));
    CHECK_EQ(imported.request.width, 1024);
    CHECK_EQ(imported.request.height, 768);
    CHECK_NEAR(imported.request.guidance, 1.0, 0.0); // "CFG scale"; "Guidance" is Flux's distilled guidance
    CHECK(imported.request.noise == NoiseSource::Cuda);
    CHECK_EQ(imported.sampler, std::string("euler simple"));
    CHECK_EQ(imported.modelName, std::string("z_image_turbo-Q4_K.gguf")); // "Model" is empty: "Unet" names it
    CHECK(keysOf(imported.unknownFields) ==
          (std::vector<std::string>{"SLG scale", "Skip layers", "Skip layer start", "Skip layer end", "Guidance", "Eta",
                                    "TE", "TE", "Unet", "VAE", "Version"}));
    CHECK_EQ(valueOf(imported.unknownFields, "Skip layers"), std::string("[7, 8, 9, ]"));
    CHECK_EQ(imported.unknownFields[7].value, std::string("extra_encoder.gguf"));
}

TEST_CASE(stableDiffusionCppCustomSigmas) {
    const auto imported = parseParametersText(kStableDiffusionCppSigmas);
    CHECK(imported.problems.empty());
    CHECK(imported.request.sigmas == (std::vector<double>{1.0, 0.6, 0.0}));
    CHECK(imported.request.noise == NoiseSource::Cpu);
    CHECK_EQ(imported.modelName, std::string("zimage.safetensors"));
    CHECK(imported.request.validate().empty());
}

TEST_CASE(ownTextRoundTripWithChinesePrompts) {
    const auto request = chineseRequest();
    // Model names with separators are quoted by a1111Parameters.
    const std::string model = "Z-Image-Turbo: bf16, local";
    for (std::size_t image = 0; image < request.prompts.size(); ++image) {
        const auto imported = parseParametersText(a1111Parameters(request, image, model));
        CHECK(imported.problems.empty());
        CHECK_EQ(imported.request.prompts.at(0), request.prompts[image]);
        CHECK_EQ(imported.request.negativePrompt, request.negativePrompt);
        CHECK_EQ(imported.request.seed, request.seed + image);
        CHECK_EQ(imported.request.steps, request.steps);
        CHECK_EQ(imported.request.width, request.width);
        CHECK_EQ(imported.request.height, request.height);
        CHECK_NEAR(imported.request.guidance, request.guidance, 0.0);
        CHECK_NEAR(imported.request.cfgNormalization, request.cfgNormalization, 0.0);
        CHECK_NEAR(imported.request.cfgTruncation, request.cfgTruncation, 0.0);
        CHECK(imported.request.noise == request.noise);
        CHECK_EQ(imported.modelName, model);
        CHECK_EQ(imported.sampler, std::string("Euler"));
        CHECK(keysOf(imported.unknownFields) == (std::vector<std::string>{"Schedule type"}));
    }
}

TEST_CASE(ownTextRoundTripOfAMultiLinePromptWithoutGuidance) {
    GenerationRequest request;
    request.prompts = {"line one\nline two: with a colon, and commas"};
    request.negativePrompt = "ignored without guidance";
    request.seed = 18446744073709551615ull; // the largest seed
    request.noise = NoiseSource::Cuda;
    const auto imported = parseParametersText(a1111Parameters(request, 0, "Z-Image-Turbo"));
    CHECK(imported.problems.empty());
    CHECK_EQ(imported.request.prompts.at(0), request.prompts[0]);
    CHECK_EQ(imported.request.negativePrompt, std::string()); // guidance 0: the negative is not written
    CHECK_EQ(imported.request.seed, request.seed);
    CHECK_NEAR(imported.request.guidance, 0.0, 0.0);
    CHECK(imported.request.noise == NoiseSource::Cuda);
}

TEST_CASE(ownJsonChunkRestoresTheImagesRequest) {
    auto request = chineseRequest();
    request.sigmas = {1.0, 0.5, 0.0};
    const auto json = imageMetadata(request, 1, "Z-Image-Turbo", "0.1.0").dump();
    const auto imported = parseZimageJson(json);
    CHECK(imported.source == ParametersSource::ZimageJson);
    CHECK(imported.problems.empty());
    // Image 1 of the batch: its own prompt and seed.
    CHECK(imported.request.prompts == (std::vector<std::string>{request.prompts[1]}));
    CHECK_EQ(imported.request.seed, request.seed + 1);
    CHECK_EQ(imported.request.negativePrompt, request.negativePrompt);
    CHECK(imported.request.sigmas == request.sigmas);
    CHECK_EQ(imported.request.width, request.width);
    CHECK_NEAR(imported.request.cfgTruncation, request.cfgTruncation, 0.0);
    CHECK(imported.request.precision == Precision::Bf16);
    CHECK_EQ(imported.modelName, std::string("Z-Image-Turbo"));
    CHECK(keysOf(imported.unknownFields) == (std::vector<std::string>{"app"}));
    CHECK_EQ(valueOf(imported.unknownFields, "app"), std::string("zimage-studio 0.1.0"));
}

TEST_CASE(importPrefersTheJsonChunkWhenValid) {
    const auto request = chineseRequest();
    GenerationRequest other;
    other.prompts = {"a different prompt"};
    other.seed = 5;
    const std::vector<PngText> texts = {{"parameters", a1111Parameters(other, 0, "m")},
                                        {"zimage", imageMetadata(request, 0, "m", "0.1.0").dump()}};
    const auto imported = importParameters(texts);
    CHECK(imported.source == ParametersSource::ZimageJson);
    CHECK_EQ(imported.request.prompts.at(0), request.prompts[0]);
    CHECK_EQ(imported.request.seed, request.seed);
    CHECK_EQ(std::string(parametersSourceName(imported.source)), std::string("zimage metadata"));
}

TEST_CASE(importFallsBackToTheTextWhenTheJsonIsBroken) {
    GenerationRequest request;
    request.prompts = {"a cat"};
    request.seed = 77;
    for (const std::string json : {"{not json", R"({"request": {"seed": -1}, "seed": -1})",
                                   R"({"request": {"steps": "eight"}})", R"({"prompt": "no request"})"}) {
        const auto imported = importParameters({{"zimage", json}, {"parameters", a1111Parameters(request, 0, "m")}});
        CHECK(imported.source == ParametersSource::ParametersText);
        CHECK_EQ(imported.request.seed, std::uint64_t(77));
        CHECK(mentions(imported.warnings, "zimage metadata was not used"));
    }
    // Without the text, the JSON's problems are reported.
    const auto negativeSeed = importParameters({{"zimage", R"({"request": {"seed": -1, "width": -512}})"}});
    CHECK(mentions(negativeSeed.problems, "\"seed\" is -1"));
    CHECK(mentions(negativeSeed.problems, "\"width\" is -512"));
    // A float too large for the integer it stands for (found by fuzz_parameters_import: converting it was undefined
    // behaviour) is refused with a problem, not converted.
    const auto hugeSeed = importParameters({{"zimage", R"({"request": {"seed": 2.02611e+95, "steps": 8}})"}});
    CHECK(!hugeSeed.found());
    CHECK(mentions(hugeSeed.problems, "'seed' is out of range"));
    const auto notJson = importParameters({{"zimage", "{not json"}});
    CHECK(!notJson.found());
    CHECK(mentions(notJson.problems, "not valid JSON"));
}

TEST_CASE(imagesWithoutParameters) {
    CHECK(mentions(importParameters({}).problems, "no generation parameters"));
    CHECK(mentions(importParameters({{"Software", "GIMP"}}).problems, "no generation parameters"));
    // ComfyUI stores its graph in "prompt" and "workflow".
    const auto comfy = importParameters({{"prompt", "{}"}, {"workflow", "{}"}});
    CHECK(!comfy.found());
    CHECK(mentions(comfy.problems, "ComfyUI"));
}

TEST_CASE(invalidValuesAreReportedAndKeptVisible) {
    const auto imported = parseParametersText("a cat\nSteps: 0, Sampler: Euler, CFG scale: nan, Seed: -1, "
                                              "Size: -512x512, Model: m");
    CHECK(imported.found());
    CHECK_EQ(imported.request.prompts.at(0), std::string("a cat"));
    CHECK_EQ(imported.problems.size(), std::size_t(4));
    CHECK(mentions(imported.problems, "Steps \"0\" is not a whole number of at least 1"));
    CHECK(mentions(imported.problems, "CFG scale \"nan\" is not a number"));
    CHECK(mentions(imported.problems, "Seed \"-1\" is out of range: seeds are whole numbers from 0 to "
                                      "18446744073709551615"));
    CHECK(mentions(imported.problems, "Size \"-512x512\" is not a width and height"));
    // The refused values keep the defaults and stay visible; the valid ones are restored.
    const GenerationRequest defaults;
    CHECK_EQ(imported.request.steps, defaults.steps);
    CHECK_EQ(imported.request.seed, defaults.seed);
    CHECK_EQ(imported.request.width, defaults.width);
    CHECK(keysOf(imported.unknownFields) == (std::vector<std::string>{"Steps", "CFG scale", "Seed", "Size"}));
    CHECK_EQ(imported.sampler, std::string("Euler"));
}

TEST_CASE(moreMalformedNumbers) {
    const auto tooBig = parseParametersText("x\nSteps: 8, Seed: 99999999999999999999, Size: 1024, CFG scale: 7,5");
    CHECK(mentions(tooBig.problems, "Seed \"99999999999999999999\" is out of range"));
    CHECK(mentions(tooBig.problems, "Size \"1024\""));
    const auto fractional = parseParametersText("x\nSteps: 20.5, Seed: 12abc, Size: 512x512x3, Sampler: Euler");
    CHECK(mentions(fractional.problems, "Steps \"20.5\""));
    CHECK(mentions(fractional.problems, "Seed \"12abc\" is not a whole number"));
    CHECK(mentions(fractional.problems, "Size \"512x512x3\""));
    const auto sigmas = parseParametersText("x\nSteps: 3, Seed: 1, Size: 64x64, Custom Sigmas: [1.0, oops]");
    CHECK(mentions(sigmas.problems, "Custom Sigmas \"[1.0, oops]\" is not a list of numbers"));
}

TEST_CASE(sizesAreNotSnapped) {
    // 1000 is no multiple of 16: kept as written; validate() explains it (the GUI shows the snapping).
    const auto imported = parseParametersText("x\nSteps: 8, Seed: 1, Size: 1000x40");
    CHECK(imported.problems.empty());
    CHECK_EQ(imported.request.width, 1000);
    CHECK_EQ(imported.request.height, 40);
    CHECK(mentions(imported.request.validate(), "Width 1000 is not a multiple of 16"));
}

TEST_CASE(promptWithoutSettingsLine) {
    // Two pairs only: like A1111 (three or more make a key-value line), this is part of the prompt.
    const auto imported = parseParametersText("portrait, style: oil\nNegative prompt: blur, mood: dark");
    CHECK(imported.problems.empty());
    CHECK(mentions(imported.warnings, "no settings line"));
    CHECK_EQ(imported.request.prompts.at(0), std::string("portrait, style: oil"));
    CHECK_EQ(imported.request.negativePrompt, std::string("blur, mood: dark"));
    CHECK(imported.unknownFields.empty());
}

TEST_CASE(emptyAndBrokenTexts) {
    CHECK(!parseParametersText("").found());
    CHECK(mentions(parseParametersText(" \n\r\n ").problems, "empty"));
    // An unterminated quote: read as unquoted values, nothing lost before it.
    const auto unterminated = parseParametersText("x\nSteps: 4, Seed: 9, Lora hashes: \"a: 1, b: 2, Size: 64x64");
    CHECK_EQ(unterminated.request.steps, 4);
    CHECK_EQ(unterminated.request.seed, std::uint64_t(9));
    CHECK_EQ(unterminated.request.width, 64);
    // An unclosed bracket and a flag without a value.
    const auto bracket = parseParametersText("x\nSteps: 4, Skip layers: [7, 8, Seed: 3, Tiling, Size: 64x64");
    CHECK_EQ(bracket.request.seed, std::uint64_t(3));
    CHECK_EQ(valueOf(bracket.unknownFields, "Tiling"), std::string());
    // Windows line ends.
    const auto crlf = parseParametersText("a dog\r\nNegative prompt: cat\r\nSteps: 5, Seed: 6, Size: 128x128\r\n");
    CHECK_EQ(crlf.request.prompts.at(0), std::string("a dog"));
    CHECK_EQ(crlf.request.negativePrompt, std::string("cat"));
    CHECK_EQ(crlf.request.steps, 5);
}

TEST_CASE(invalidUtf8IsReplaced) {
    const auto imported = parseParametersText("caf\xC3 au lait\nSteps: 8, Seed: 1, Size: 64x64");
    CHECK(mentions(imported.warnings, "not valid UTF-8"));
    CHECK_EQ(imported.request.prompts.at(0), std::string("caf\xEF\xBF\xBD au lait"));
    CHECK_EQ(imported.request.steps, 8);
}

TEST_CASE(pngFileRoundTripWithChinesePrompt) {
    // Through the real PNG writer and reader: the Chinese text goes into iTXt chunks.
    const auto request = chineseRequest();
    PngImage image;
    image.width = 2;
    image.height = 1;
    image.rgb = {255, 0, 0, 0, 0, 255};
    image.texts = {{std::string(kParametersKey), a1111Parameters(request, 0, "Z-Image-Turbo")},
                   {std::string(kRequestJsonKey), imageMetadata(request, 0, "Z-Image-Turbo", "0.1.0").dump()}};
    const auto path = zimage::test::tempDir("parameters_png") / "image.png";
    writePng(path, image);
    const auto texts = readPng(path).texts;
    const auto fromJson = importParameters(texts);
    CHECK(fromJson.source == ParametersSource::ZimageJson);
    CHECK_EQ(fromJson.request.prompts.at(0), request.prompts[0]);
    CHECK_EQ(fromJson.request.negativePrompt, request.negativePrompt);
    // Without our chunk (as another program would keep only "parameters"), the text gives the same values.
    const auto fromText = importParameters({texts.at(0).key == "parameters" ? texts.at(0) : texts.at(1)});
    CHECK(fromText.source == ParametersSource::ParametersText);
    CHECK_EQ(fromText.request.prompts.at(0), request.prompts[0]);
    CHECK_EQ(fromText.request.negativePrompt, request.negativePrompt);
    CHECK_EQ(fromText.request.seed, request.seed);
    CHECK_EQ(fromText.request.width, request.width);
}
