#pragma once
// What to generate. A value type: copied into every result, written into every PNG, restored from them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zimage {

// Where the initial noise is drawn. The two give different images for the same seed: CPU matches ComfyUI,
// CUDA matches the diffusers examples.
enum class NoiseSource { Cpu, Cuda };
enum class DeviceChoice { Auto, Cpu, Cuda };
enum class Precision { Auto, Fp32, Bf16, Fp16 };

std::string_view noiseSourceName(NoiseSource source);
std::string_view deviceChoiceName(DeviceChoice device);
std::string_view precisionName(Precision precision);
// "cpu" -> Cpu; false when the text names none (the caller reports the accepted values).
bool parseNoiseSource(std::string_view text, NoiseSource& out);
bool parseDeviceChoice(std::string_view text, DeviceChoice& out);
bool parsePrecision(std::string_view text, Precision& out);

inline constexpr int kMinImageSide = 64;
inline constexpr int kMaxImageSide = 4096;
inline constexpr int kImageSideMultiple = 16;
inline constexpr int kMaxBatch = 64;

struct GenerationRequest {
    std::vector<std::string> prompts; // one image per entry (a batch); image i uses seed + i
    std::string negativePrompt;       // used only when guidance > 0
    std::uint64_t seed = 0;
    int steps = 8;              // ignored when `sigmas` is given
    std::vector<double> sigmas; // an explicit schedule, used as given (not shifted); empty: from steps
    int width = 1024;
    int height = 1024;
    double guidance = 0.0;         // 0 for Turbo (one DiT pass per step); > 0 runs the negative prompt too
    double cfgNormalization = 0.0; // > 0: cap ||pred|| at this times ||positive||; 0 = off
    double cfgTruncation = 1.0;    // guidance is off on steps whose t = 1 - sigma exceeds this; 1 = never
    int maxSequenceLength = 512;   // prompt tokens after the chat template; the tail is cut
    NoiseSource noise = NoiseSource::Cpu;
    DeviceChoice device = DeviceChoice::Auto;
    Precision precision = Precision::Auto;

    // Every problem, each a sentence that says what to change ("Width 1000 is not a multiple of 16: use 992 or
    // 1008."). Empty when the request is valid.
    std::vector<std::string> validate() const;
};

// The nearest valid side length (multiple of 16, within [kMinImageSide, kMaxImageSide]).
int snapImageSide(int side);

} // namespace zimage
