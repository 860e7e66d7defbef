#include "pipeline.h"

#include "runtime/device_memory.h"
#include "sampling/flow_match_euler.h"
#include "sampling/noise.h"

#include <zimage/errors.h>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>

namespace zimage {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class TensorLatents : public LatentAccess {
public:
    explicit TensorLatents(const torch::Tensor& latents)
        : m_latents(latents) {}
    std::vector<std::int64_t> shape() const override { return m_latents.sizes().vec(); }
    std::vector<float> copyLatents() const override {
        const auto host = m_latents.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        return {host.data_ptr<float>(), host.data_ptr<float>() + host.numel()};
    }

private:
    const torch::Tensor& m_latents;
};

void throwIfCancelled(const CancelToken& cancel) {
    if (cancel.isCancelled())
        throw EngineError(ErrorCode::Cancelled, "Generation cancelled");
}

std::string joinProblems(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems)
        text += (text.empty() ? "" : "\n") + problem;
    return text;
}

sampling::FlowMatchEuler makeSchedule(const GenerationRequest& request, const io::SchedulerConfig& config) {
    if (request.sigmas.empty())
        return sampling::FlowMatchEuler::fromSteps(request.steps, config.shift);
    return sampling::FlowMatchEuler::fromSigmas(request.sigmas, config.shift, /*applyShift=*/false);
}

// The guided prediction of one image: pos + g * (pos - neg), its norm capped at c * ||pos|| when c > 0
// (diffusers ZImagePipeline, float32).
torch::Tensor guide(const torch::Tensor& positive, const torch::Tensor& negative, double guidance,
                    double normalization) {
    auto prediction = positive + guidance * (positive - negative);
    if (normalization > 0.0) {
        const auto positiveNorm = torch::linalg_vector_norm(positive, 2, c10::nullopt, false, c10::nullopt);
        const auto predictionNorm = torch::linalg_vector_norm(prediction, 2, c10::nullopt, false, c10::nullopt);
        const auto maxNorm = positiveNorm * normalization;
        prediction = torch::where(predictionNorm > maxNorm, prediction * (maxNorm / predictionNorm), prediction);
    }
    return prediction;
}

// The DiT's velocity for the batch at one step. latents: [B, C, h, w] float32. Returns [B, C, h, w] float32.
torch::Tensor predictVelocity(LoadedModels& models, const torch::Tensor& latents,
                              const std::vector<torch::Tensor>& positive, const std::vector<torch::Tensor>& negative,
                              float modelTime, double guidance, double normalization) {
    const auto batch = latents.size(0);
    const bool applyGuidance = guidance > 0.0 && !negative.empty();
    std::vector<torch::Tensor> inputs, captions;
    const auto typed = latents.to(models.placement.dtype);
    for (std::int64_t i = 0; i < batch; ++i) {
        inputs.push_back(typed[i]);
        captions.push_back(positive[static_cast<std::size_t>(i)]);
    }
    if (applyGuidance) {
        for (std::int64_t i = 0; i < batch; ++i) {
            inputs.push_back(typed[i]);
            captions.push_back(negative[static_cast<std::size_t>(i)]);
        }
    }
    const auto t = torch::full({static_cast<std::int64_t>(inputs.size())}, modelTime,
                               torch::TensorOptions().dtype(torch::kFloat32).device(latents.device()));
    const auto outputs = models.transformer->forward(inputs, captions, t);
    std::vector<torch::Tensor> predictions;
    for (std::int64_t i = 0; i < batch; ++i) {
        const auto pos = outputs[static_cast<std::size_t>(i)].to(torch::kFloat32);
        predictions.push_back(
            applyGuidance
                ? guide(pos, outputs[static_cast<std::size_t>(batch + i)].to(torch::kFloat32), guidance, normalization)
                : pos);
    }
    // The DiT predicts the negated velocity.
    return -torch::stack(predictions, 0);
}

void fillImages(GenerationResult& result, const torch::Tensor& image, const GenerationRequest& request) {
    // image: [B, 3, H, W] float32 in [0, 1] on the CPU. RGB8 rounds like diffusers' numpy_to_pil.
    const auto rgb8 = image.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
    for (std::int64_t i = 0; i < image.size(0); ++i) {
        GeneratedImage out;
        out.width = request.width;
        out.height = request.height;
        out.seed = request.seed + static_cast<std::uint64_t>(i);
        out.prompt = request.prompts[static_cast<std::size_t>(i)];
        const auto planar = image[i].contiguous();
        out.pixels.assign(planar.data_ptr<float>(), planar.data_ptr<float>() + planar.numel());
        const auto interleaved = rgb8[i];
        out.rgb.assign(interleaved.data_ptr<std::uint8_t>(),
                       interleaved.data_ptr<std::uint8_t>() + interleaved.numel());
        result.images.push_back(std::move(out));
    }
}

} // namespace

GenerationResult runGeneration(LoadedModels& models, const GenerationRequest& request, Observer& observer,
                               CancelToken& cancel) {
    if (const auto problems = request.validate(); !problems.empty())
        throw EngineError(ErrorCode::InvalidInput, joinProblems(problems));
    torch::NoGradGuard noGrad;
    const auto start = Clock::now();
    const auto& placement = models.placement;
    GenerationResult result;
    result.request = request;
    result.request.device = placement.device.is_cuda() ? DeviceChoice::Cuda : DeviceChoice::Cpu;
    result.request.precision = placement.precision;
    result.deviceName = placement.deviceName;
    runtime::resetPeakMemory(models.cudaDevice);

    // Text.
    throwIfCancelled(cancel);
    observer.onStage(Stage::EncodingText);
    auto stageStart = Clock::now();
    const bool guided = request.guidance > 0.0;
    const auto batch = static_cast<std::int64_t>(request.prompts.size());
    auto positive = models.prompts->encode(request.prompts, request.maxSequenceLength);
    std::vector<torch::Tensor> negative;
    std::vector<std::string> usedPrompts = request.prompts;
    bool allCached = positive.allCached;
    if (guided) {
        const std::vector<std::string> negatives(static_cast<std::size_t>(batch), request.negativePrompt);
        auto encoded = models.prompts->encode(negatives, request.maxSequenceLength);
        negative = std::move(encoded.embeddings);
        allCached = allCached && encoded.allCached;
        usedPrompts.push_back(request.negativePrompt);
    }
    models.prompts->keepOnly(usedPrompts, request.maxSequenceLength);
    if (positive.anyTruncated)
        result.warnings.push_back("The prompt was longer than " + std::to_string(request.maxSequenceLength) +
                                  " tokens; the rest was ignored.");
    for (auto& embedding : positive.embeddings)
        embedding = embedding.to(placement.dtype);
    for (auto& embedding : negative)
        embedding = embedding.to(placement.dtype);
    runtime::synchronizeDevice(models.cudaDevice);
    result.timings.textEncoderMs = allCached ? 0.0 : millisecondsSince(stageStart);
    result.textEmbeddingsCached = allCached;

    // Noise and denoising, in float32 like the reference scheduler.
    throwIfCancelled(cancel);
    const auto schedule = makeSchedule(request, models.schedulerConfig);
    const auto seeds = sampling::batchSeeds(request.seed, batch);
    auto latents = sampling::makeNoise(seeds, models.transformerConfig.inChannels, request.height / 8,
                                       request.width / 8, request.noise, placement.device);
    observer.onNoise(TensorLatents(latents));
    observer.onStage(Stage::Denoising);
    stageStart = Clock::now();
    for (int step = 0; step < schedule.steps(); ++step) {
        throwIfCancelled(cancel);
        const auto stepStart = Clock::now();
        const float modelTime = schedule.modelTime(step);
        // cfg_truncation: guidance is switched off once t = 1 - sigma exceeds it.
        const double guidance = (guided && !(modelTime > request.cfgTruncation)) ? request.guidance : 0.0;
        const auto velocity = predictVelocity(models, latents, positive.embeddings, negative, modelTime, guidance,
                                              request.cfgNormalization);
        latents = latents + schedule.stepDelta(step) * velocity;
        runtime::synchronizeDevice(models.cudaDevice);
        const double stepMs = millisecondsSince(stepStart);
        result.timings.stepMs.push_back(stepMs);
        const TensorLatents access(latents);
        observer.onStep(
            {step + 1, schedule.steps(), schedule.sigma(step + 1), stepMs, millisecondsSince(start), &access});
        spdlog::debug("step {}/{} in {:.1f} ms", step + 1, schedule.steps(), stepMs);
    }
    result.timings.denoiseMs = millisecondsSince(stageStart);

    // Decode.
    throwIfCancelled(cancel);
    observer.onStage(Stage::Decoding);
    stageStart = Clock::now();
    const auto decoded = models.vae->decode(models::unscaleLatents(latents, models.vaeConfig));
    const auto image = models::decoderOutputToImage(decoded).to(torch::kCPU, torch::kFloat32);
    result.timings.vaeDecodeMs = millisecondsSince(stageStart);
    fillImages(result, image, request);

    result.timings.totalMs = millisecondsSince(start);
    result.memory = runtime::readMemory(models.cudaDevice);
    observer.onStage(Stage::Finished);
    return result;
}

} // namespace zimage
