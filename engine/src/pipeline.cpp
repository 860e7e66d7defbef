#include "pipeline.h"

#include "runtime/device_memory.h"
#include "runtime/tiled_vae.h"
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

// The text stage: embeddings of the prompts (and of the negative prompt under guidance) on the compute device, with
// the text encoder's layers streamed in when the plan keeps them in host memory.
struct TextEmbeddings {
    std::vector<torch::Tensor> positive;
    std::vector<torch::Tensor> negative;
    bool allCached = false;
    bool anyTruncated = false;
};

TextEmbeddings encodeText(LoadedModels& models, const GenerationRequest& request) {
    auto streamer = models.residency ? models.residency->textEncoderStreamer() : nullptr;
    const nn::ScopedLayerHooks<models::Qwen3TextEncoderImpl> hooks(*models.prompts->encoder(), streamer.get());
    const auto batch = request.prompts.size();
    TextEmbeddings text;
    auto positive = models.prompts->encode(request.prompts, request.maxSequenceLength);
    text.positive = std::move(positive.embeddings);
    text.allCached = positive.allCached;
    text.anyTruncated = positive.anyTruncated;
    std::vector<std::string> used = request.prompts;
    if (request.guidance > 0.0) {
        auto negative =
            models.prompts->encode(std::vector<std::string>(batch, request.negativePrompt), request.maxSequenceLength);
        text.negative = std::move(negative.embeddings);
        text.allCached = text.allCached && negative.allCached;
        used.push_back(request.negativePrompt);
    }
    models.prompts->keepOnly(used, request.maxSequenceLength);
    const auto& placement = models.placement;
    for (auto* list : {&text.positive, &text.negative})
        for (auto& embedding : *list)
            embedding = embedding.to(placement.device, placement.dtype);
    return text;
}

bool allFinite(const torch::Tensor& tensor) {
    return torch::isfinite(tensor).all().item<bool>();
}

torch::Tensor decodeWith(models::AutoencoderKLImpl& vae, const torch::Tensor& latents, const MemoryPlan& plan) {
    if (plan.vaeTiled)
        return runtime::decodeTiled(vae, latents, runtime::tilingForTile(plan.vaeTileSize / 8));
    return vae.decode(latents);
}

// A float32 copy of the decoder, on the same device, for the retry of a decode that overflowed.
models::AutoencoderKL float32Decoder(LoadedModels& models) {
    const auto device = models.vae->parameters().front().device();
    models::AutoencoderKL copy(models.vaeConfig, /*withEncoder=*/false,
                               torch::TensorOptions().dtype(torch::kFloat32).device(device));
    copy->eval();
    const auto source = models.vae->named_parameters();
    torch::NoGradGuard noGrad;
    for (auto& item : copy->named_parameters())
        item.value().copy_(source[item.key()]);
    return copy;
}

// The VAE stage with the NaN guard: an image with NaN/Inf (a reduced-precision overflow in the decoder) is decoded
// again in float32 instead of coming back black.
torch::Tensor decodeImage(LoadedModels& models, const torch::Tensor& latents, const MemoryPlan& plan,
                          std::vector<std::string>& warnings) {
    const auto unscaled = models::unscaleLatents(latents, models.vaeConfig);
    auto decoded = decodeWith(*models.vae, unscaled, plan);
    if (models.faultInjector)
        models.faultInjector(FaultPoint::Decoded, decoded);
    if (allFinite(decoded))
        return decoded;
    spdlog::warn("the decoded image has NaN/Inf in {}; decoding again in float32",
                 precisionName(models.placement.precision));
    auto decoder = float32Decoder(models);
    decoded = decodeWith(*decoder, unscaled.to(torch::kFloat32), plan);
    if (!allFinite(decoded))
        throw EngineError(ErrorCode::Internal, "The VAE produced NaN/Inf even in float32: the latents are unusable",
                          "Try another seed or fewer steps, and report the model files if it persists.");
    warnings.push_back("The image decoded to NaN/Inf in " + std::string(precisionName(models.placement.precision)) +
                       "; it was decoded again in fp32.");
    return decoded;
}

} // namespace

GenerationResult runGeneration(LoadedModels& models, const GenerationRequest& request, const MemoryPlan& plan,
                               Observer& observer, CancelToken& cancel) {
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
    result.plan = plan;
    const auto memory = [&] { return runtime::readMemory(models.cudaDevice); };

    // Text.
    throwIfCancelled(cancel);
    observer.onStage(Stage::EncodingText, memory());
    auto stageStart = Clock::now();
    const bool guided = request.guidance > 0.0;
    const auto batch = static_cast<std::int64_t>(request.prompts.size());
    auto text = encodeText(models, request);
    if (models.faultInjector)
        models.faultInjector(FaultPoint::TextEncoded, text.positive.front());
    if (text.anyTruncated)
        result.warnings.push_back("The prompt was longer than " + std::to_string(request.maxSequenceLength) +
                                  " tokens; the rest was ignored.");
    runtime::synchronizeDevice(models.cudaDevice);
    result.timings.textEncoderMs = text.allCached ? 0.0 : millisecondsSince(stageStart);
    result.textEmbeddingsCached = text.allCached;

    // Noise and denoising, in float32 like the reference scheduler.
    throwIfCancelled(cancel);
    const auto schedule = makeSchedule(request, models.schedulerConfig);
    const auto seeds = sampling::batchSeeds(request.seed, batch);
    auto latents = sampling::makeNoise(seeds, models.transformerConfig.inChannels, request.height / 8,
                                       request.width / 8, request.noise, placement.device);
    observer.onNoise(TensorLatents(latents));
    observer.onStage(Stage::Denoising, memory());
    stageStart = Clock::now();
    {
        auto streamer = models.residency ? models.residency->transformerStreamer() : nullptr;
        const nn::ScopedLayerHooks<models::ZImageTransformerImpl> hooks(*models.transformer, streamer.get());
        for (int step = 0; step < schedule.steps(); ++step) {
            throwIfCancelled(cancel);
            const auto stepStart = Clock::now();
            if (streamer && step + 1 == schedule.steps())
                streamer->setPrefetchAcrossPasses(false);
            const float modelTime = schedule.modelTime(step);
            // cfg_truncation: guidance is switched off once t = 1 - sigma exceeds it.
            const double guidance = (guided && !(modelTime > request.cfgTruncation)) ? request.guidance : 0.0;
            const auto velocity = predictVelocity(models, latents, text.positive, text.negative, modelTime, guidance,
                                                  request.cfgNormalization);
            latents = latents + schedule.stepDelta(step) * velocity;
            if (models.faultInjector)
                models.faultInjector(FaultPoint::StepDone, latents);
            // The NaN guard: one reduction on the device; reading its flag is the step's synchronisation.
            if (!allFinite(latents))
                throw EngineError(ErrorCode::Internal,
                                  "The DiT produced NaN/Inf at step " + std::to_string(step + 1) + " in " +
                                      std::string(precisionName(placement.precision)),
                                  placement.precision == Precision::Fp16
                                      ? "fp16 overflows on this model: choose bf16 (or fp32) precision."
                                      : "Try fp32 precision, or check the model files.");
            const double stepMs = millisecondsSince(stepStart);
            result.timings.stepMs.push_back(stepMs);
            const TensorLatents access(latents);
            StepProgress progress{step + 1, schedule.steps(),         schedule.sigma(step + 1),
                                  stepMs,   millisecondsSince(start), &access};
            progress.memory = memory();
            observer.onStep(progress);
            spdlog::debug("step {}/{} in {:.1f} ms", step + 1, schedule.steps(), stepMs);
        }
    }
    result.timings.denoiseMs = millisecondsSince(stageStart);

    // Decode.
    throwIfCancelled(cancel);
    observer.onStage(Stage::Decoding, memory());
    stageStart = Clock::now();
    const auto decoded = decodeImage(models, latents, plan, result.warnings);
    const auto image = models::decoderOutputToImage(decoded).to(torch::kCPU, torch::kFloat32);
    result.timings.vaeDecodeMs = millisecondsSince(stageStart);
    fillImages(result, image, request);

    result.timings.totalMs = millisecondsSince(start);
    result.memory = memory();
    observer.onStage(Stage::Finished, result.memory);
    return result;
}

} // namespace zimage
