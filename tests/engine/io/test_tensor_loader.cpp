// The LibTorch side: zero-copy views, dtype conversion (float8 decoded by hand, wide unsigned widened), loading to
// a dtype and device, filling modules by name, and writing tensors back. Expected float8 values are the OCP 8-bit
// floating point spec's (E4M3 "fn": bias 7, max 448, no inf; E5M2: bias 15, max 57344, with inf), which are also
// what torch.float8_e4m3fn / float8_e5m2 decode to; bf16 -> float32 is exact (the bits shifted left by 16).

#include "io/io_error.h"
#include "io/safetensors_writer.h"
#include "io/tensor_loader.h"
#include "test_harness.h"

#include <torch/torch.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

using namespace zimage::io;
namespace fs = std::filesystem;

namespace {

template <typename T>
std::span<const std::byte> bytesOf(const std::vector<T>& values) {
    return std::as_bytes(std::span(values));
}

TensorCollection writeAndOpen(const fs::path& path, const std::vector<TensorToWrite>& tensors) {
    writeSafetensors(path, tensors);
    return TensorCollection::fromFile(path);
}

// Two parameters and two buffers, one of them integer, named as a checkpoint would name them.
struct TinyNetImpl : torch::nn::Module {
    TinyNetImpl() {
        fc = register_module("fc", torch::nn::Linear(4, 3));
        scale = register_buffer("scale", torch::ones({3}));
        ids = register_buffer("ids", torch::zeros({2}, torch::kLong));
    }
    torch::nn::Linear fc{nullptr};
    torch::Tensor scale, ids;
};
TORCH_MODULE(TinyNet);

} // namespace

TEST_CASE(bf16FixtureTensorExpandsExactly) {
    const auto root = zimage::test::fixtureDir() / "model" / "text_encoder";
    if (!fs::exists(root))
        SKIP("fixture not found at " + root.string());
    const auto weights = TensorCollection::fromPath(root);
    for (const auto* name : {"model.layers.0.mlp.down_proj.weight", "model.norm.weight"}) {
        const auto& ref = weights.at(name);
        const auto loaded = loadTensor(ref, torch::kFloat, torch::kCPU);
        REQUIRE_EQ(loaded.scalar_type(), torch::kFloat);
        CHECK(loaded.sizes() == c10::IntArrayRef(ref.shape));
        const auto bytes = ref.bytes();
        const auto* values = loaded.data_ptr<float>();
        std::int64_t wrong = 0;
        for (std::int64_t i = 0; i < loaded.numel(); ++i) {
            std::uint16_t half = 0;
            std::memcpy(&half, bytes.data() + 2 * i, 2);
            if (std::bit_cast<std::uint32_t>(values[i]) != static_cast<std::uint32_t>(half) << 16)
                ++wrong;
        }
        CHECK_EQ(wrong, 0);
    }
}

TEST_CASE(viewSharesTheMappingAndKeepsItAlive) {
    const auto path = zimage::test::tempDir("loader_view") / "w.safetensors";
    const std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -8.5f};
    torch::Tensor view;
    const std::byte* mapped = nullptr;
    {
        const auto weights = writeAndOpen(path, {{"w", DType::F32, {2, 3}, bytesOf(values)}});
        view = viewTensor(weights.at("w"));
        mapped = weights.at("w").bytes().data();
    } // the collection and its file handle are gone; the view still holds the mapping
    CHECK_EQ(static_cast<const void*>(view.data_ptr()), static_cast<const void*>(mapped));
    CHECK(view.sizes() == c10::IntArrayRef({2, 3}));
    CHECK(torch::equal(view, torch::tensor(values).reshape({2, 3})));

    // loadTensor at the stored type on the CPU copies once, so the result is writable.
    const auto weights = TensorCollection::fromFile(path);
    auto copy = loadTensor(weights.at("w"), torch::kFloat, torch::kCPU);
    CHECK(copy.data_ptr() != static_cast<const void*>(weights.at("w").bytes().data()));
    copy.mul_(2);
    CHECK(torch::equal(viewTensor(weights.at("w")), torch::tensor(values).reshape({2, 3})));
    const auto asHalf = loadTensor(weights.at("w"), torch::kBFloat16, torch::kCPU);
    CHECK_EQ(asHalf.scalar_type(), torch::kBFloat16);
    CHECK(torch::equal(asHalf.to(torch::kFloat), torch::tensor(values).reshape({2, 3}))); // exact in bf16
}

TEST_CASE(everyDtypeConverts) {
    const std::vector<std::uint8_t> boolBytes = {0, 1, 2};
    const std::vector<std::uint8_t> u8 = {0, 255};
    const std::vector<std::int8_t> i8 = {-128, 127};
    const std::vector<std::int16_t> i16 = {-32768, 32767};
    const std::vector<std::uint16_t> u16 = {0, 65535};
    const std::vector<std::int32_t> i32 = {std::numeric_limits<std::int32_t>::min(), 7};
    const std::vector<std::uint32_t> u32 = {0, 4294967295u};
    const std::vector<std::int64_t> i64 = {std::numeric_limits<std::int64_t>::min(), 9};
    const std::vector<std::uint64_t> u64 = {0, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())};
    const std::vector<std::uint16_t> f16 = {0x3E00, 0xC000};  // 1.5, -2
    const std::vector<std::uint16_t> bf16 = {0x3FC0, 0xC000}; // 1.5, -2
    const std::vector<float> f32 = {1.5f, -2.0f};
    const std::vector<double> f64 = {1.5, -2.0};
    // E4M3: 0, 1, -1, 448 (max), 2^-9 (smallest subnormal), 2^-6 (smallest normal), NaN, -0
    const std::vector<std::uint8_t> e4m3 = {0x00, 0x38, 0xB8, 0x7E, 0x01, 0x08, 0x7F, 0x80};
    // E5M2: 1, 57344 (max), inf, -inf, NaN, 2^-16 (smallest subnormal), 2^-14 (smallest normal)
    const std::vector<std::uint8_t> e5m2 = {0x3C, 0x7B, 0x7C, 0xFC, 0x7D, 0x01, 0x04};
    const auto weights = writeAndOpen(zimage::test::tempDir("loader_dtypes") / "all.safetensors",
                                      {{"bool", DType::Bool, {3}, bytesOf(boolBytes)},
                                       {"u8", DType::U8, {2}, bytesOf(u8)},
                                       {"i8", DType::I8, {2}, bytesOf(i8)},
                                       {"i16", DType::I16, {2}, bytesOf(i16)},
                                       {"u16", DType::U16, {2}, bytesOf(u16)},
                                       {"i32", DType::I32, {2}, bytesOf(i32)},
                                       {"u32", DType::U32, {2}, bytesOf(u32)},
                                       {"i64", DType::I64, {2}, bytesOf(i64)},
                                       {"u64", DType::U64, {2}, bytesOf(u64)},
                                       {"f16", DType::F16, {2}, bytesOf(f16)},
                                       {"bf16", DType::BF16, {2}, bytesOf(bf16)},
                                       {"f32", DType::F32, {2}, bytesOf(f32)},
                                       {"f64", DType::F64, {2}, bytesOf(f64)},
                                       {"e4m3", DType::F8_E4M3, {8}, bytesOf(e4m3)},
                                       {"e5m2", DType::F8_E5M2, {7}, bytesOf(e5m2)}});
    const auto view = [&](const char* name) {
        const auto& ref = weights.at(name);
        auto tensor = viewTensor(ref);
        CHECK_EQ(tensor.scalar_type(), torchTypeFor(ref.dtype));
        return tensor;
    };
    CHECK(torch::equal(view("bool"), torch::tensor({false, true, true})));
    CHECK_EQ(view("u8")[1].item<std::int64_t>(), 255);
    CHECK_EQ(view("i8")[0].item<std::int64_t>(), -128);
    CHECK_EQ(view("i16")[0].item<std::int64_t>(), -32768);
    CHECK_EQ(view("u16")[1].item<std::int64_t>(), 65535);
    CHECK_EQ(view("i32")[0].item<std::int64_t>(), std::numeric_limits<std::int32_t>::min());
    CHECK_EQ(view("u32")[1].item<std::int64_t>(), 4294967295ll);
    CHECK_EQ(view("i64")[0].item<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
    CHECK_EQ(view("u64")[1].item<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
    for (const auto* name : {"f16", "bf16", "f32", "f64"}) {
        CHECK_EQ(view(name)[0].item<double>(), 1.5);
        CHECK_EQ(view(name)[1].item<double>(), -2.0);
    }

    const auto e4 = view("e4m3");
    const std::vector<float> e4Expected = {0.0f, 1.0f, -1.0f, 448.0f, std::ldexp(1.0f, -9), std::ldexp(1.0f, -6)};
    for (std::size_t i = 0; i < e4Expected.size(); ++i)
        CHECK_EQ(e4[static_cast<std::int64_t>(i)].item<float>(), e4Expected[i]);
    CHECK(std::isnan(e4[6].item<float>()));
    CHECK(std::signbit(e4[7].item<float>()));
    const auto e5 = view("e5m2");
    CHECK_EQ(e5[0].item<float>(), 1.0f);
    CHECK_EQ(e5[1].item<float>(), 57344.0f);
    CHECK_EQ(e5[2].item<float>(), std::numeric_limits<float>::infinity());
    CHECK_EQ(e5[3].item<float>(), -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(e5[4].item<float>()));
    CHECK_EQ(e5[5].item<float>(), std::ldexp(1.0f, -16));
    CHECK_EQ(e5[6].item<float>(), std::ldexp(1.0f, -14));

    // Any stored type to any requested type.
    CHECK(torch::equal(loadTensor(weights.at("e4m3"), torch::kBFloat16, torch::kCPU).slice(0, 0, 4),
                       torch::tensor({0.0f, 1.0f, -1.0f, 448.0f}).to(torch::kBFloat16)));
    CHECK_EQ(loadTensor(weights.at("u16"), torch::kFloat, torch::kCPU)[1].item<float>(), 65535.0f);
}

TEST_CASE(unsignedValuesPastInt64AreAnError) {
    const std::vector<std::uint64_t> big = {1, std::uint64_t{1} << 63};
    const auto weights =
        writeAndOpen(zimage::test::tempDir("loader_u64") / "u.safetensors", {{"u", DType::U64, {2}, bytesOf(big)}});
    CHECK_THROWS_WITH(viewTensor(weights.at("u")), IoError, "tensor 'u': U64 value 9223372036854775808 exceeds int64");
}

TEST_CASE(misalignedDataIsCopied) {
    // The writer aligns every tensor; other writers need not. Hand-made: U8 [1] at 0, F32 [2] at 1.
    const std::string header = R"({"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
    std::vector<char> file(8 + header.size());
    const std::uint64_t length = header.size();
    std::memcpy(file.data(), &length, 8);
    std::memcpy(file.data() + 8, header.data(), header.size());
    file.push_back(7);
    const float values[2] = {2.5f, -1.25f};
    file.insert(file.end(), reinterpret_cast<const char*>(values), reinterpret_cast<const char*>(values) + 8);
    const auto path = zimage::test::tempDir("loader_misaligned") / "m.safetensors";
    std::ofstream(path, std::ios::binary).write(file.data(), static_cast<std::streamsize>(file.size()));

    const auto weights = TensorCollection::fromFile(path);
    const auto tensor = viewTensor(weights.at("f"));
    CHECK(torch::equal(tensor, torch::tensor({2.5f, -1.25f})));
    CHECK_EQ(reinterpret_cast<std::uintptr_t>(tensor.data_ptr()) % alignof(float), 0u);
}

TEST_CASE(moduleWeightsLoadByName) {
    const std::vector<float> weight = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const std::vector<std::uint16_t> bias = {0x3F80, 0x4000, 0x4040}; // bf16 1, 2, 3
    const std::vector<float> scale = {0.5f, 0.25f, 0.125f};
    const std::vector<std::int64_t> ids = {42, 43};
    const auto weights = writeAndOpen(zimage::test::tempDir("loader_module") / "net.safetensors",
                                      {{"fc.weight", DType::F32, {3, 4}, bytesOf(weight)},
                                       {"fc.bias", DType::BF16, {3}, bytesOf(bias)},
                                       {"scale", DType::F32, {3}, bytesOf(scale)},
                                       {"ids", DType::I64, {2}, bytesOf(ids)},
                                       {"unused", DType::F32, {3}, bytesOf(scale)}});
    TinyNet net;
    loadModuleWeights(*net, weights, torch::kBFloat16, torch::kCPU);
    CHECK_EQ(net->fc->weight.scalar_type(), torch::kBFloat16);
    CHECK(torch::equal(net->fc->weight.to(torch::kFloat), torch::tensor(weight).reshape({3, 4})));
    CHECK(torch::equal(net->fc->bias.to(torch::kFloat), torch::tensor({1.0f, 2.0f, 3.0f})));
    CHECK(torch::equal(net->scale.to(torch::kFloat), torch::tensor(scale)));
    CHECK_EQ(net->ids.scalar_type(), torch::kLong); // integer buffers keep their type
    CHECK(torch::equal(net->ids, torch::tensor({42, 43}, torch::kLong)));
    // The module's registered tensors are the ones that changed (set_data), so forward uses them.
    const auto out = net->fc->forward(torch::ones({1, 4}, torch::kBFloat16));
    CHECK(torch::equal(out.to(torch::kFloat), torch::tensor({{11.0f, 28.0f, 45.0f}})));
}

TEST_CASE(moduleMismatchListsEverything) {
    const std::vector<float> weight(20, 1.0f);
    const auto weights = writeAndOpen(zimage::test::tempDir("loader_mismatch") / "net.safetensors",
                                      {{"fc.weight", DType::F32, {5, 4}, bytesOf(weight)}});
    TinyNet net;
    const auto before = net->fc->weight.clone();
    CHECK_THROWS_WITH(loadModuleWeights(*net, weights, torch::kFloat, torch::kCPU), IoError,
                      "checkpoint does not match the module: 3 missing tensor(s): fc.bias, scale, ids; "
                      "1 shape mismatch(es): fc.weight (checkpoint [5, 4], module [3, 4])");
    CHECK(torch::equal(net->fc->weight, before)); // nothing loaded when anything is wrong
}

TEST_CASE(writeTensorsRoundTrips) {
    const auto path = zimage::test::tempDir("loader_write") / "out.safetensors";
    const auto floats = torch::arange(12, torch::kFloat).reshape({3, 4});
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"f32", floats},
        {"transposed", floats.t()}, // not contiguous: written in its logical order
        {"bf16", floats.to(torch::kBFloat16)},
        {"f16", floats.to(torch::kHalf)},
        {"i64", torch::tensor({-1, 2}, torch::kLong)},
        {"bool", torch::tensor({true, false})},
        {"empty", torch::zeros({0, 3})},
    };
    writeTensors(path, tensors, {{"seed", "42"}});
    const auto weights = TensorCollection::fromFile(path);
    CHECK_EQ(weights.size(), tensors.size());
    for (const auto& [name, tensor] : tensors) {
        const auto loaded = viewTensor(weights.at(name));
        CHECK_EQ(loaded.scalar_type(), tensor.scalar_type());
        CHECK(torch::equal(loaded, tensor));
    }
    CHECK_EQ(weights.at("f32").file->metadata().at("seed"), "42");
    CHECK_EQ(dtypeForTorch(torch::kBFloat16), DType::BF16);
    CHECK_THROWS_WITH(dtypeForTorch(torch::kComplexFloat), IoError, "safetensors cannot hold torch type");
    CHECK_THROWS_WITH(writeTensors(path, {{"c", torch::zeros({2}, torch::kComplexFloat)}}), IoError,
                      "tensor 'c': safetensors cannot hold torch type");
}

TEST_CASE(loadsToCuda) {
    if (!torch::cuda::is_available())
        SKIP("no CUDA device");
    const std::vector<std::uint16_t> bf16 = {0x3FC0, 0xC000, 0x4049}; // 1.5, -2, 3.140625
    const auto weights =
        writeAndOpen(zimage::test::tempDir("loader_cuda") / "c.safetensors", {{"w", DType::BF16, {3}, bytesOf(bf16)}});
    const auto onGpu = loadTensor(weights.at("w"), torch::kFloat, torch::Device(torch::kCUDA, 0));
    CHECK(onGpu.is_cuda());
    CHECK_EQ(onGpu.scalar_type(), torch::kFloat);
    CHECK(torch::equal(onGpu.cpu(), loadTensor(weights.at("w"), torch::kFloat, torch::kCPU)));
    TinyNet net;
    const std::vector<float> weight(12, 0.5f), bias(3, 1.0f), scale(3, 2.0f);
    const std::vector<std::int64_t> ids = {1, 2};
    const auto moduleWeights = writeAndOpen(zimage::test::tempDir("loader_cuda_module") / "n.safetensors",
                                            {{"fc.weight", DType::F32, {3, 4}, bytesOf(weight)},
                                             {"fc.bias", DType::F32, {3}, bytesOf(bias)},
                                             {"scale", DType::F32, {3}, bytesOf(scale)},
                                             {"ids", DType::I64, {2}, bytesOf(ids)}});
    loadModuleWeights(*net, moduleWeights, torch::kBFloat16, torch::Device(torch::kCUDA, 0));
    CHECK(net->fc->weight.is_cuda());
    CHECK(net->ids.is_cuda());
    const auto out =
        net->fc->forward(torch::ones({1, 4}, torch::TensorOptions().dtype(torch::kBFloat16).device(torch::kCUDA)));
    CHECK(torch::equal(out.cpu().to(torch::kFloat), torch::tensor({{3.0f, 3.0f, 3.0f}})));
}
