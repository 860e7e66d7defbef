// Weight packing and layer streaming, on the CPU. On a CPU "host" and "device" are the same memory, so these tests
// stream between two host buffers with an explicit mask: what they check is the bookkeeping (which layer is bound to
// which slot when, in which order, restored afterwards), which is the same on a GPU. Expected values: the same DiT
// with every weight in place (streaming must not change a single bit), and the fixture's golden forward
// (golden/transformer_forward.safetensors, diffusers' ZImageTransformer2DModel in float32 on the CPU).

#include "io/model_config.h"
#include "io/tensor_collection.h"
#include "io/tensor_loader.h"
#include "models/zimage_transformer.h"
#include "runtime/layer_streamer.h"
#include "runtime/packed_layer.h"
#include "test_harness.h"

#include <torch/torch.h>

#include <vector>

using namespace zimage;
using zimage::io::TensorCollection;
using zimage::runtime::LayerStreamer;
using zimage::runtime::PackedLayer;

namespace {

std::filesystem::path transformerDir() {
    return test::fixtureDir() / "model" / "transformer";
}

models::ZImageTransformer loadTransformer(const torch::Device& device = torch::kCPU) {
    models::ZImageTransformer model(io::readTransformerConfig(transformerDir() / "config.json"));
    io::loadModuleWeights(
        *model, TensorCollection::fromIndex(transformerDir() / "diffusion_pytorch_model.safetensors.index.json"),
        torch::kFloat32, device);
    model->eval();
    return model;
}

struct Inputs {
    std::vector<torch::Tensor> latents;
    std::vector<torch::Tensor> captions;
    torch::Tensor t;
    std::vector<torch::Tensor> expected; // the reference's outputs
};

Inputs goldenInputs() {
    const auto file = TensorCollection::fromFile(test::fixtureDir() / "golden" / "transformer_forward.safetensors");
    Inputs inputs;
    for (const std::string index : {"0", "1"}) {
        inputs.latents.push_back(io::viewTensor(file.at("x." + index)));
        inputs.captions.push_back(io::viewTensor(file.at("cap." + index)));
        inputs.expected.push_back(io::viewTensor(file.at("out." + index)));
    }
    inputs.t = io::viewTensor(file.at("t"));
    return inputs;
}

std::vector<PackedLayer> packBlocks(models::ZImageTransformerImpl& model, const torch::Device& device = torch::kCPU) {
    std::vector<PackedLayer> packed;
    for (auto* block : model.blocksInOrder())
        packed.emplace_back(*block);
    for (auto& layer : packed)
        layer.moveHome(device);
    return packed;
}

std::vector<torch::Tensor> onDevice(const std::vector<torch::Tensor>& tensors, const torch::Device& device) {
    std::vector<torch::Tensor> moved;
    for (const auto& tensor : tensors)
        moved.push_back(tensor.to(device));
    return moved;
}

std::vector<PackedLayer*> pointers(std::vector<PackedLayer>& layers) {
    std::vector<PackedLayer*> result;
    for (auto& layer : layers)
        result.push_back(&layer);
    return result;
}

bool sameBits(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i]))
            return false;
    return true;
}

bool pointsInto(const torch::Tensor& tensor, const torch::Tensor& buffer) {
    const auto* begin = static_cast<const std::uint8_t*>(buffer.data_ptr());
    const auto* at = static_cast<const std::uint8_t*>(tensor.data_ptr());
    return at >= begin && at < begin + buffer.numel();
}

} // namespace

TEST_CASE(packingKeepsTheWeights) {
    auto model = loadTransformer();
    const auto inputs = goldenInputs();
    const auto before = model->forward(inputs.latents, inputs.captions, inputs.t);
    auto packed = packBlocks(*model);
    // Every parameter of a block now lives in its block's one buffer, at an aligned offset.
    const auto blocks = model->blocksInOrder();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        std::int64_t parameterBytes = 0;
        for (const auto& parameter : blocks[i]->parameters()) {
            CHECK(pointsInto(parameter, packed[i].home()));
            const auto offset = static_cast<const std::uint8_t*>(parameter.data_ptr()) -
                                static_cast<const std::uint8_t*>(packed[i].home().data_ptr());
            CHECK_EQ(offset % 256, std::ptrdiff_t{0});
            parameterBytes += parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
        }
        CHECK(packed[i].bytes() >= parameterBytes);
        CHECK(packed[i].bytes() < parameterBytes + 256 * static_cast<std::int64_t>(blocks[i]->parameters().size()));
    }
    CHECK(sameBits(model->forward(inputs.latents, inputs.captions, inputs.t), before));
}

TEST_CASE(streamedBlocksGiveTheSameBitsOverSeveralPasses) {
    auto model = loadTransformer();
    const auto inputs = goldenInputs();
    const auto resident = model->forward(inputs.latents, inputs.captions, inputs.t);
    for (std::size_t i = 0; i < resident.size(); ++i)
        CHECK((resident[i] - inputs.expected[i]).abs().max().item<double>() < 1e-4);

    auto packed = packBlocks(*model);
    // Every other block streamed, first and last included, through two slots.
    std::vector<bool> streamed(packed.size());
    for (std::size_t i = 0; i < streamed.size(); ++i)
        streamed[i] = i % 2 == 0 || i + 1 == streamed.size();
    LayerStreamer streamer(pointers(packed), torch::kCPU, 2, streamed);
    const nn::ScopedLayerHooks<models::ZImageTransformerImpl> hooks(*model, &streamer);
    for (int pass = 0; pass < 3; ++pass) {
        if (pass == 2)
            streamer.setPrefetchAcrossPasses(false);
        CHECK(sameBits(model->forward(inputs.latents, inputs.captions, inputs.t), resident));
    }
    // Between passes every layer points at its home again.
    for (std::size_t i = 0; i < packed.size(); ++i)
        for (const auto& parameter : model->blocksInOrder()[i]->parameters())
            CHECK(pointsInto(parameter, packed[i].home()));
}

TEST_CASE(everyBlockThroughOneSlot) {
    auto model = loadTransformer();
    const auto inputs = goldenInputs();
    const auto resident = model->forward(inputs.latents, inputs.captions, inputs.t);
    auto packed = packBlocks(*model);
    LayerStreamer streamer(pointers(packed), torch::kCPU, 1, std::vector<bool>(packed.size(), true));
    CHECK_EQ(streamer.streamedCount(), packed.size());
    const nn::ScopedLayerHooks<models::ZImageTransformerImpl> hooks(*model, &streamer);
    CHECK(sameBits(model->forward(inputs.latents, inputs.captions, inputs.t), resident));
    CHECK(sameBits(model->forward(inputs.latents, inputs.captions, inputs.t), resident));
}

TEST_CASE(outOfOrderUseIsRefused) {
    auto model = loadTransformer();
    auto packed = packBlocks(*model);
    LayerStreamer streamer(pointers(packed), torch::kCPU, 2, std::vector<bool>(packed.size(), true));
    CHECK_THROWS_WITH(streamer.beforeLayer(3), std::logic_error, "out of order");
    CHECK_THROWS_WITH(streamer.beforeLayer(packed.size()), std::logic_error, "not in the stack");
    CHECK_THROWS_WITH(LayerStreamer(pointers(packed), torch::kCPU, 2, std::vector<bool>(3, true)),
                      std::invalid_argument, "one entry per layer");
}

TEST_CASE(anInterruptedPassLeavesEveryLayerAtHome) {
    auto model = loadTransformer();
    auto packed = packBlocks(*model);
    {
        LayerStreamer streamer(pointers(packed), torch::kCPU, 2, std::vector<bool>(packed.size(), true));
        streamer.beforeLayer(0); // a forward that throws inside block 0 never calls afterLayer
        CHECK(!pointsInto(model->blocksInOrder()[0]->parameters().front(), packed[0].home()));
    }
    for (std::size_t i = 0; i < packed.size(); ++i)
        for (const auto& parameter : model->blocksInOrder()[i]->parameters())
            CHECK(pointsInto(parameter, packed[i].home()));
}

TEST_CASE(streamingFromPinnedHostMemoryOnTheGpuGivesTheSameBits) {
    // The real thing: half of the blocks live in page-locked host memory and are copied on the side stream into two
    // device slots while the others compute. Any missing ordering (compute before its copy landed, a slot refilled
    // while still in use) shows up as different bits.
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    const torch::Device cuda(torch::kCUDA);
    auto model = loadTransformer(cuda);
    const auto inputs = goldenInputs();
    const auto latents = onDevice(inputs.latents, cuda), captions = onDevice(inputs.captions, cuda);
    const auto t = inputs.t.to(cuda);
    const auto resident = onDevice(model->forward(latents, captions, t), torch::kCPU);

    auto packed = packBlocks(*model, cuda);
    for (std::size_t i = 1; i < packed.size(); i += 2)
        packed[i].moveHome(torch::kCPU);
    LayerStreamer streamer(pointers(packed), cuda, 2);
    CHECK_EQ(streamer.streamedCount(), packed.size() / 2);
    const nn::ScopedLayerHooks<models::ZImageTransformerImpl> hooks(*model, &streamer);
    for (int pass = 0; pass < 4; ++pass) {
        if (pass == 3)
            streamer.setPrefetchAcrossPasses(false);
        CHECK(sameBits(onDevice(model->forward(latents, captions, t), torch::kCPU), resident));
    }
}
