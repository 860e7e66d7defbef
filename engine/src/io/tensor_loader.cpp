#include "io/tensor_loader.h"

#include "io/io_error.h"
#include "io/safetensors_writer.h"

#include <torch/nn/module.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace zimage::io {
namespace {

// LibTorch added float8 in 2.1 and unsigned types wider than 8 bits in 2.3.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
#define ZIMAGE_TORCH_HAS_FLOAT8 1
#endif
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define ZIMAGE_TORCH_HAS_WIDE_UNSIGNED 1
#endif

std::string shapeText(c10::IntArrayRef shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

// float8_e4m3fn (safetensors F8_E4M3): bias 7, no infinities, S.1111.111 is NaN.
float decodeE4M3(std::uint8_t bits) {
    const int exponent = (bits >> 3) & 0xF;
    const int mantissa = bits & 0x7;
    float magnitude = 0;
    if (exponent == 0xF && mantissa == 0x7)
        magnitude = std::numeric_limits<float>::quiet_NaN();
    else if (exponent == 0)
        magnitude = std::ldexp(static_cast<float>(mantissa), -9); // subnormal: m/8 * 2^-6
    else
        magnitude = std::ldexp(static_cast<float>(8 + mantissa), exponent - 10); // (1 + m/8) * 2^(e-7)
    return (bits & 0x80) ? -magnitude : magnitude;
}

// float8_e5m2 (safetensors F8_E5M2): IEEE-like, bias 15, with infinities and NaNs.
float decodeE5M2(std::uint8_t bits) {
    const int exponent = (bits >> 2) & 0x1F;
    const int mantissa = bits & 0x3;
    float magnitude = 0;
    if (exponent == 0x1F)
        magnitude = mantissa == 0 ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
    else if (exponent == 0)
        magnitude = std::ldexp(static_cast<float>(mantissa), -16); // subnormal: m/4 * 2^-14
    else
        magnitude = std::ldexp(static_cast<float>(4 + mantissa), exponent - 17); // (1 + m/4) * 2^(e-15)
    return (bits & 0x80) ? -magnitude : magnitude;
}

template <float (*Decode)(std::uint8_t)>
const std::array<float, 256>& float8Table() {
    static const auto table = [] {
        std::array<float, 256> values{};
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = Decode(static_cast<std::uint8_t>(i));
        return values;
    }();
    return table;
}

// One pass over the stored elements into a new tensor of `type`. Elements are read with memcpy because the
// mapping gives no alignment guarantee.
template <typename Stored, typename Held, typename Convert>
torch::Tensor convertElements(const TensorRef& ref, std::span<const std::byte> bytes, torch::ScalarType type,
                              Convert convert) {
    auto result = torch::empty(ref.shape, torch::TensorOptions().dtype(type));
    auto* out = result.data_ptr<Held>();
    const auto count = bytes.size() / sizeof(Stored);
    for (std::size_t i = 0; i < count; ++i) {
        Stored value;
        std::memcpy(&value, bytes.data() + i * sizeof(Stored), sizeof(Stored));
        out[i] = convert(value);
    }
    return result;
}

torch::Tensor convertedCopy(const TensorRef& ref, std::span<const std::byte> bytes) {
    const auto type = torchTypeFor(ref.dtype);
    switch (ref.dtype) {
    case DType::Bool: // normalised to 0/1: torch assumes nothing else in a bool tensor
        return convertElements<std::uint8_t, bool>(ref, bytes, type, [](std::uint8_t v) { return v != 0; });
    case DType::U16:
        return convertElements<std::uint16_t, std::int32_t>(ref, bytes, type, [](std::uint16_t v) { return v; });
    case DType::U32:
        return convertElements<std::uint32_t, std::int64_t>(ref, bytes, type, [](std::uint32_t v) { return v; });
    case DType::U64:
        return convertElements<std::uint64_t, std::int64_t>(ref, bytes, type, [&](std::uint64_t v) {
            if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                throw IoError(ref.file->path(), ref.storedName, "U64 value " + std::to_string(v) + " exceeds int64");
            return static_cast<std::int64_t>(v);
        });
    case DType::F8_E4M3: {
        const auto& table = float8Table<decodeE4M3>();
        return convertElements<std::uint8_t, float>(ref, bytes, type, [&](std::uint8_t v) { return table[v]; });
    }
    case DType::F8_E5M2: {
        const auto& table = float8Table<decodeE5M2>();
        return convertElements<std::uint8_t, float>(ref, bytes, type, [&](std::uint8_t v) { return table[v]; });
    }
    default: { // a type torch holds as stored, at an address not aligned for it
        auto result = torch::empty(ref.shape, torch::TensorOptions().dtype(type));
        std::memcpy(result.data_ptr(), bytes.data(), bytes.size());
        return result;
    }
    }
}

bool torchHoldsAsStored(DType dtype) {
    switch (dtype) {
    case DType::U8:
    case DType::I8:
    case DType::I16:
    case DType::I32:
    case DType::I64:
    case DType::F16:
    case DType::BF16:
    case DType::F32:
    case DType::F64:
        return true;
    default:
        return false;
    }
}

// viewTensor's work; `shared` tells whether the result still points into the mapping.
torch::Tensor viewOrConvert(const TensorRef& ref, bool& shared) {
    shared = false;
    if (!ref.file)
        throw IoError({}, ref.storedName, "has no file to read from");
    const auto bytes = ref.bytes();
    const auto numel = ref.numel();
    if (numel < 0 || bytes.size() != static_cast<std::uint64_t>(numel) * dtypeSize(ref.dtype))
        throw IoError(ref.file->path(), ref.storedName,
                      "shape " + shapeText(ref.shape) + " does not match its " + std::to_string(bytes.size()) +
                          " bytes");
    const auto type = torchTypeFor(ref.dtype);
    if (numel == 0)
        return torch::empty(ref.shape, torch::TensorOptions().dtype(type));
    const bool aligned = reinterpret_cast<std::uintptr_t>(bytes.data()) % dtypeSize(ref.dtype) == 0;
    if (!torchHoldsAsStored(ref.dtype) || !aligned)
        return convertedCopy(ref, bytes);

    shared = true;
    // The deleter owns a reference to the file: the mapping outlives every tensor viewing it. The mapping is
    // read-only, so writing to the view in place faults; callers that modify get a copy from loadTensor.
    auto keepMapped = ref.file;
    return torch::from_blob(
        const_cast<std::byte*>(bytes.data()), ref.shape, [keepMapped](void* /*data*/) mutable { keepMapped.reset(); },
        torch::TensorOptions().dtype(type));
}

std::optional<DType> storedTypeFor(torch::ScalarType type) {
    switch (type) {
    case torch::kBool:
        return DType::Bool;
    case torch::kByte:
        return DType::U8;
    case torch::kChar:
        return DType::I8;
    case torch::kShort:
        return DType::I16;
    case torch::kInt:
        return DType::I32;
    case torch::kLong:
        return DType::I64;
    case torch::kHalf:
        return DType::F16;
    case torch::kBFloat16:
        return DType::BF16;
    case torch::kFloat:
        return DType::F32;
    case torch::kDouble:
        return DType::F64;
#ifdef ZIMAGE_TORCH_HAS_FLOAT8
    case c10::ScalarType::Float8_e4m3fn:
        return DType::F8_E4M3;
    case c10::ScalarType::Float8_e5m2:
        return DType::F8_E5M2;
#endif
#ifdef ZIMAGE_TORCH_HAS_WIDE_UNSIGNED
    case c10::ScalarType::UInt16:
        return DType::U16;
    case c10::ScalarType::UInt32:
        return DType::U32;
    case c10::ScalarType::UInt64:
        return DType::U64;
#endif
    default:
        return std::nullopt;
    }
}

} // namespace

torch::ScalarType torchTypeFor(DType dtype) {
    switch (dtype) {
    case DType::Bool:
        return torch::kBool;
    case DType::U8:
        return torch::kByte;
    case DType::I8:
        return torch::kChar;
    case DType::I16:
        return torch::kShort;
    case DType::U16:
    case DType::I32:
        return torch::kInt;
    case DType::U32:
    case DType::I64:
    case DType::U64:
        return torch::kLong;
    case DType::F16:
        return torch::kHalf;
    case DType::BF16:
        return torch::kBFloat16;
    case DType::F32:
    case DType::F8_E4M3:
    case DType::F8_E5M2:
        return torch::kFloat;
    case DType::F64:
        return torch::kDouble;
    }
    return torch::kFloat;
}

DType dtypeForTorch(torch::ScalarType type) {
    if (const auto dtype = storedTypeFor(type))
        return *dtype;
    throw IoError({}, std::string("safetensors cannot hold torch type ") + c10::toString(type));
}

torch::Tensor viewTensor(const TensorRef& ref) {
    bool shared = false;
    return viewOrConvert(ref, shared);
}

torch::Tensor loadTensor(const TensorRef& ref, torch::ScalarType type, const torch::Device& device) {
    bool shared = false;
    auto stored = viewOrConvert(ref, shared);
    if (device.is_cpu()) {
        // to() converts in one pass into a new tensor; at the same type a view still needs its one copy, so that
        // the result is writable and does not pin the mapping.
        if (stored.scalar_type() != type)
            return stored.to(type);
        return shared ? stored.clone() : stored;
    }
    // Elsewhere: move the stored bytes as they are and convert on the device, where it is fast.
    return stored.to(device).to(type);
}

namespace {

std::vector<std::pair<std::string, torch::Tensor>> loadTargets(torch::nn::Module& module) {
    std::vector<std::pair<std::string, torch::Tensor>> targets;
    for (const auto& item : module.named_parameters(/*recurse=*/true))
        targets.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers(/*recurse=*/true))
        if (item.value().defined())
            targets.emplace_back(item.key(), item.value());
    return targets;
}

// Checks everything first, so that a wrong checkpoint is reported in full and the module is left untouched.
void checkTargets(const std::vector<std::pair<std::string, torch::Tensor>>& targets, const TensorCollection& weights) {
    std::vector<std::string> missing, mismatched;
    for (const auto& [name, tensor] : targets) {
        const auto* ref = weights.find(name);
        if (!ref)
            missing.push_back(name);
        else if (c10::IntArrayRef(ref->shape) != tensor.sizes())
            mismatched.push_back(name + " (checkpoint " + shapeText(ref->shape) + ", module " +
                                 shapeText(tensor.sizes()) + ")");
    }
    if (!missing.empty() || !mismatched.empty()) {
        std::string problem = "checkpoint does not match the module:";
        if (!missing.empty())
            problem += " " + std::to_string(missing.size()) + " missing tensor(s): " + joined(missing) + ";";
        if (!mismatched.empty())
            problem += " " + std::to_string(mismatched.size()) + " shape mismatch(es): " + joined(mismatched) + ";";
        problem.pop_back();
        throw IoError(weights.source(), problem);
    }
}

} // namespace

void loadModuleWeights(torch::nn::Module& module, const TensorCollection& weights, torch::ScalarType type,
                       const torch::Device& device) {
    auto targets = loadTargets(module);
    checkTargets(targets, weights);
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : targets) {
        // Integer and bool tensors (ids, masks) keep their type; only floating-point ones take `type`.
        const auto targetType = tensor.is_floating_point() ? type : tensor.scalar_type();
        // set_data swaps the storage under the registered tensor, so the module sees the new device and type.
        tensor.set_data(loadTensor(*weights.find(name), targetType, device));
    }
}

void loadModuleWeightsInPlace(torch::nn::Module& module, const TensorCollection& weights) {
    auto targets = loadTargets(module);
    checkTargets(targets, weights);
    torch::NoGradGuard noGrad;
    for (auto& [name, tensor] : targets) {
        const auto* ref = weights.find(name);
        if (tensor.device().is_cpu()) {
            bool shared = false;
            tensor.copy_(viewOrConvert(*ref, shared)); // straight from the mapping, converting on the way
        } else {
            tensor.copy_(loadTensor(*ref, tensor.scalar_type(), tensor.device()));
        }
    }
}

void writeTensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                  const std::map<std::string, std::string>& metadata) {
    std::vector<torch::Tensor> cpuCopies; // keep the bytes alive until written
    std::vector<TensorToWrite> toWrite;
    cpuCopies.reserve(tensors.size());
    toWrite.reserve(tensors.size());
    for (const auto& [name, tensor] : tensors) {
        if (!tensor.defined())
            throw IoError(path, name, "is undefined");
        const auto dtype = storedTypeFor(tensor.scalar_type());
        if (!dtype)
            throw IoError(path, name,
                          std::string("safetensors cannot hold torch type ") + c10::toString(tensor.scalar_type()));
        auto cpu = tensor.detach().to(torch::kCPU).contiguous();
        toWrite.push_back({name, *dtype, cpu.sizes().vec(),
                           std::span<const std::byte>(static_cast<const std::byte*>(cpu.data_ptr()), cpu.nbytes())});
        cpuCopies.push_back(std::move(cpu));
    }
    writeSafetensors(path, toWrite, metadata);
}

} // namespace zimage::io
