#include <zimage/progress.h>
#include <zimage/request.h>

#include <algorithm>
#include <cmath>

namespace zimage {
namespace {

std::string formatNumber(double value) {
    std::string text = std::to_string(value);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.')
        text.pop_back();
    return text;
}

void checkSide(std::vector<std::string>& problems, const char* name, int side) {
    const std::string label = name;
    if (side < kMinImageSide || side > kMaxImageSide) {
        problems.push_back(label + " " + std::to_string(side) + " is outside " + std::to_string(kMinImageSide) + "-" +
                           std::to_string(kMaxImageSide) + " pixels: use " + std::to_string(snapImageSide(side)) + ".");
        return;
    }
    if (side % kImageSideMultiple != 0) {
        const int below = side / kImageSideMultiple * kImageSideMultiple;
        problems.push_back(label + " " + std::to_string(side) + " is not a multiple of 16 (the VAE halves it three " +
                           "times and the DiT takes 2x2 patches): use " + std::to_string(below) + " or " +
                           std::to_string(below + kImageSideMultiple) + ".");
    }
}

} // namespace

std::string_view noiseSourceName(NoiseSource source) {
    return source == NoiseSource::Cpu ? "cpu" : "cuda";
}

std::string_view deviceChoiceName(DeviceChoice device) {
    switch (device) {
    case DeviceChoice::Cpu:
        return "cpu";
    case DeviceChoice::Cuda:
        return "cuda";
    default:
        return "auto";
    }
}

std::string_view precisionName(Precision precision) {
    switch (precision) {
    case Precision::Fp32:
        return "fp32";
    case Precision::Bf16:
        return "bf16";
    case Precision::Fp16:
        return "fp16";
    default:
        return "auto";
    }
}

bool parseNoiseSource(std::string_view text, NoiseSource& out) {
    if (text == "cpu" || text == "cuda") {
        out = text == "cpu" ? NoiseSource::Cpu : NoiseSource::Cuda;
        return true;
    }
    return false;
}

bool parseDeviceChoice(std::string_view text, DeviceChoice& out) {
    for (const auto choice : {DeviceChoice::Auto, DeviceChoice::Cpu, DeviceChoice::Cuda})
        if (deviceChoiceName(choice) == text) {
            out = choice;
            return true;
        }
    return false;
}

bool parsePrecision(std::string_view text, Precision& out) {
    for (const auto choice : {Precision::Auto, Precision::Fp32, Precision::Bf16, Precision::Fp16})
        if (precisionName(choice) == text) {
            out = choice;
            return true;
        }
    return false;
}

std::string_view stageName(Stage stage) {
    switch (stage) {
    case Stage::Loading:
        return "loading";
    case Stage::EncodingText:
        return "encoding text";
    case Stage::Denoising:
        return "denoising";
    case Stage::Decoding:
        return "decoding";
    case Stage::Finished:
        return "finished";
    }
    return "unknown";
}

int snapImageSide(int side) {
    const int clamped = std::clamp(side, kMinImageSide, kMaxImageSide);
    return (clamped + kImageSideMultiple / 2) / kImageSideMultiple * kImageSideMultiple;
}

std::vector<std::string> GenerationRequest::validate() const {
    std::vector<std::string> problems;
    if (prompts.empty())
        problems.push_back("There is no prompt: write what the image should show.");
    if (prompts.size() > static_cast<std::size_t>(kMaxBatch))
        problems.push_back("A batch holds at most " + std::to_string(kMaxBatch) + " images; " +
                           std::to_string(prompts.size()) + " were asked for.");
    checkSide(problems, "Width", width);
    checkSide(problems, "Height", height);
    if (sigmas.empty() && (steps < 1 || steps > 1000))
        problems.push_back("Steps must be between 1 and 1000 (Z-Image-Turbo is made for 8); got " +
                           std::to_string(steps) + ".");
    if (!std::isfinite(guidance) || guidance < 0.0 || guidance > 30.0)
        problems.push_back("Guidance must be between 0 and 30 (0 for Turbo); got " + formatNumber(guidance) + ".");
    if (!std::isfinite(cfgNormalization) || cfgNormalization < 0.0)
        problems.push_back("CFG normalization must be 0 (off) or positive; got " + formatNumber(cfgNormalization) +
                           ".");
    if (!std::isfinite(cfgTruncation) || cfgTruncation < 0.0 || cfgTruncation > 1.0)
        problems.push_back("CFG truncation must be between 0 and 1 (1 = never); got " + formatNumber(cfgTruncation) +
                           ".");
    if (maxSequenceLength < 8 || maxSequenceLength > 4096)
        problems.push_back("The maximum prompt length must be between 8 and 4096 tokens; got " +
                           std::to_string(maxSequenceLength) + ".");
    for (std::size_t i = 0; i < sigmas.size(); ++i) {
        const bool finalZero = i + 1 == sigmas.size() && sigmas[i] == 0.0 && i > 0;
        if (!finalZero && !(sigmas[i] > 0.0 && sigmas[i] <= 1.0)) {
            problems.push_back("Sigma " + std::to_string(i + 1) + " is " + formatNumber(sigmas[i]) +
                               "; sigmas must lie in (0, 1].");
            break;
        }
        if (i > 0 && !(sigmas[i] < sigmas[i - 1])) {
            problems.push_back("Sigmas must decrease; sigma " + std::to_string(i + 1) + " does not.");
            break;
        }
    }
    return problems;
}

} // namespace zimage
