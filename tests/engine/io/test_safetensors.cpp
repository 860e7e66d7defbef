// Reading and writing well-formed safetensors files: the writer/reader round trip for every dtype, the writer's
// layout (the reference writer's padding and ordering), and every fixture file. Expected tensor counts and shapes
// come from the fixture's headers as the Python `safetensors` package reads them.

#include "io/dtype.h"
#include "io/io_error.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "test_harness.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace zimage::io;
namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 15> kAllNames = {"BOOL", "U8",  "I8",   "I16", "U16", "I32",     "U32",    "I64",
                                                        "U64",  "F16", "BF16", "F32", "F64", "F8_E4M3", "F8_E5M2"};

// Distinct bytes per tensor, so a mix-up of ranges shows.
std::vector<std::byte> patternBytes(std::size_t count, unsigned seed) {
    std::vector<std::byte> bytes(count);
    for (std::size_t i = 0; i < count; ++i)
        bytes[i] = static_cast<std::byte>((seed * 31 + i * 7) & 0xFF);
    return bytes;
}

std::span<const std::byte> spanOf(const std::vector<std::byte>& bytes) {
    return {bytes.data(), bytes.size()};
}

SafetensorsHeader parseBytes(const std::vector<std::byte>& bytes) {
    return parseSafetensorsHeader(spanOf(bytes), bytes.size(), "memory.safetensors");
}

std::uint64_t lengthPrefix(const std::vector<std::byte>& bytes) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(i)]);
    return value;
}

bool sameBytes(std::span<const std::byte> a, std::span<const std::byte> b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

const TensorInfo* findIn(const SafetensorsHeader& header, std::string_view name) {
    for (const auto& tensor : header.tensors)
        if (tensor.name == name)
            return &tensor;
    return nullptr;
}

} // namespace

TEST_CASE(dtypeNamesSizesAndKinds) {
    for (const auto name : kAllNames) {
        const auto dtype = dtypeFromName(name);
        REQUIRE(dtype.has_value());
        CHECK_EQ(dtypeName(*dtype), name);
    }
    CHECK_EQ(dtypeSize(DType::Bool), 1u);
    CHECK_EQ(dtypeSize(DType::U16), 2u);
    CHECK_EQ(dtypeSize(DType::BF16), 2u);
    CHECK_EQ(dtypeSize(DType::U32), 4u);
    CHECK_EQ(dtypeSize(DType::F64), 8u);
    CHECK_EQ(dtypeSize(DType::F8_E5M2), 1u);
    CHECK(isFloatingPoint(DType::F8_E4M3));
    CHECK(isFloatingPoint(DType::BF16));
    CHECK(!isFloatingPoint(DType::I64));
    CHECK(!isFloatingPoint(DType::Bool));
    CHECK(!dtypeFromName("bf16").has_value()); // the format spells dtypes in upper case only
    CHECK(!dtypeFromName("F8").has_value());
    CHECK(!dtypeFromName("").has_value());
}

TEST_CASE(writerAndReaderRoundTripEveryDtypeWithMetadata) {
    std::vector<std::vector<std::byte>> storage;
    std::vector<TensorToWrite> tensors;
    unsigned seed = 1;
    for (const auto name : kAllNames) {
        const auto dtype = *dtypeFromName(name);
        storage.push_back(patternBytes(2 * 3 * dtypeSize(dtype), seed++));
        tensors.push_back({"t." + std::string(name), dtype, {2, 3}, spanOf(storage.back())});
    }
    const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "Grüße, 画像"}};

    const auto bytes = serializeSafetensors(tensors, metadata);
    const auto header = parseBytes(bytes);
    CHECK_EQ(header.tensors.size(), tensors.size());
    CHECK(header.metadata == metadata);
    for (const auto& written : tensors) {
        const auto* read = findIn(header, written.name);
        REQUIRE(read != nullptr);
        CHECK_EQ(dtypeName(read->dtype), dtypeName(written.dtype));
        CHECK(read->shape == written.shape);
        CHECK_EQ(read->numel(), 6);
        const auto stored = std::span(bytes).subspan(header.dataOffset + read->dataBegin, read->byteSize());
        CHECK(sameBytes(stored, written.data));
    }

    // The same through a file and the mapping.
    const auto path = zimage::test::tempDir("round_trip") / "all.safetensors";
    writeSafetensors(path, tensors, metadata);
    const auto file = SafetensorsFile::open(path);
    CHECK_EQ(file->tensors().size(), tensors.size());
    CHECK(file->metadata() == metadata);
    for (const auto& written : tensors)
        CHECK(sameBytes(file->bytes(file->at(written.name)), written.data));
    CHECK_EQ(fs::file_size(path), bytes.size());
}

TEST_CASE(headerIsPaddedWithSpacesToEightBytes) {
    const auto data = patternBytes(4, 3);
    for (const std::string name : {"a", "ab", "abc", "abcdefg", "abcdefgh"}) {
        const auto bytes = serializeSafetensors({{name, DType::F32, {1}, spanOf(data)}});
        const auto length = lengthPrefix(bytes);
        CHECK_EQ(length % 8, 0u);
        CHECK_EQ(bytes.size(), 8 + length + 4);
        const std::string header(reinterpret_cast<const char*>(bytes.data()) + 8, length);
        CHECK_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
                 "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
    }
    const auto withMetadata = serializeSafetensors({{"x", DType::U8, {4}, spanOf(data)}}, {{"format", "pt"}});
    const std::string header(reinterpret_cast<const char*>(withMetadata.data()) + 8, lengthPrefix(withMetadata));
    CHECK(header.starts_with("{\"__metadata__\":{\"format\":\"pt\"},\"x\":"));
}

TEST_CASE(writerAlignsEachTensorToItsElementSize) {
    const auto odd = patternBytes(3, 1);
    const auto f64 = patternBytes(16, 2);
    const auto f32 = patternBytes(12, 3);
    const auto bf16 = patternBytes(6, 4);
    // Given smallest first, as a careless writer would lay them out.
    const auto bytes = serializeSafetensors({{"odd", DType::U8, {3}, spanOf(odd)},
                                             {"half", DType::BF16, {3}, spanOf(bf16)},
                                             {"single", DType::F32, {3}, spanOf(f32)},
                                             {"double", DType::F64, {2}, spanOf(f64)}});
    const auto header = parseBytes(bytes);
    CHECK_EQ(header.dataOffset % 8, 0u);
    for (const auto& tensor : header.tensors)
        CHECK_EQ((header.dataOffset + tensor.dataBegin) % dtypeSize(tensor.dtype), 0u);
    // Reference order: larger elements first, then by name.
    REQUIRE_EQ(header.tensors.size(), 4u);
    CHECK_EQ(header.tensors[0].name, "double");
    CHECK_EQ(header.tensors[1].name, "single");
    CHECK_EQ(header.tensors[2].name, "half");
    CHECK_EQ(header.tensors[3].name, "odd");
}

TEST_CASE(writerRejectsInconsistentTensors) {
    const auto data = patternBytes(8, 1);
    CHECK_THROWS_WITH(serializeSafetensors({{"w", DType::F32, {3}, spanOf(data)}}), IoError,
                      "tensor 'w': data holds 8 bytes but shape [3] of F32 needs 12");
    CHECK_THROWS_WITH(serializeSafetensors({{"w", DType::F32, {2}, spanOf(data)}, {"w", DType::U8, {8}, spanOf(data)}}),
                      IoError, "tensor 'w': appears twice");
    CHECK_THROWS_WITH(serializeSafetensors({{"__metadata__", DType::U8, {8}, spanOf(data)}}), IoError, "reserved");
    CHECK_THROWS_WITH(serializeSafetensors({{"w", DType::U8, {-8}, spanOf(data)}}), IoError, "negative dimension");
    const std::string badName = "bad\xff";
    CHECK_THROWS_WITH(serializeSafetensors({{badName, DType::U8, {8}, spanOf(data)}}), IoError, "not valid UTF-8");
}

TEST_CASE(atomicWriteLeavesOnlyTheFinalFile) {
    const auto dir = zimage::test::tempDir("atomic_write");
    const auto path = dir / "out.safetensors";
    const auto first = patternBytes(16, 1);
    const auto second = patternBytes(4, 2);
    writeSafetensors(path, {{"a", DType::F32, {4}, spanOf(first)}});
    writeSafetensors(path, {{"b", DType::U8, {4}, spanOf(second)}}); // replaces the file
    const auto file = SafetensorsFile::open(path);
    CHECK_EQ(file->tensors().size(), 1u);
    CHECK(file->find("a") == nullptr);
    CHECK(sameBytes(file->bytes(file->at("b")), spanOf(second)));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
        ++entries;
    CHECK_EQ(entries, 1u); // no temporary file left behind

    // A failed write (size mismatch) leaves the previous file as it was.
    CHECK_THROWS_WITH(writeSafetensors(path, {{"c", DType::F64, {4}, spanOf(second)}}), IoError, "needs 32");
    CHECK(SafetensorsFile::open(path)->find("b") != nullptr);

    CHECK_THROWS_WITH(writeSafetensors(dir / "missing" / "x.safetensors", {}), IoError,
                      "cannot create a temporary file");
}

TEST_CASE(emptyAndZeroSizedTensors) {
    const auto none = serializeSafetensors({});
    const auto header = parseBytes(none);
    CHECK(header.tensors.empty());
    CHECK(header.metadata.empty());

    const auto scalar = patternBytes(4, 5);
    const auto bytes = serializeSafetensors({{"empty", DType::F32, {0}, {}},
                                             {"empty2d", DType::BF16, {2, 0, 3}, {}},
                                             {"scalar", DType::F32, {}, spanOf(scalar)}});
    const auto parsed = parseBytes(bytes);
    REQUIRE_EQ(parsed.tensors.size(), 3u);
    const auto* empty2d = findIn(parsed, "empty2d");
    REQUIRE(empty2d != nullptr);
    CHECK_EQ(empty2d->numel(), 0);
    CHECK_EQ(empty2d->byteSize(), 0u);
    const auto* scalarInfo = findIn(parsed, "scalar");
    REQUIRE(scalarInfo != nullptr);
    CHECK(scalarInfo->shape.empty());
    CHECK_EQ(scalarInfo->numel(), 1);
}

TEST_CASE(lookupAndRangesOfAnOpenFile) {
    const auto path = zimage::test::tempDir("lookup") / "w.safetensors";
    const auto a = patternBytes(24, 1);
    const auto b = patternBytes(8, 2);
    writeSafetensors(path, {{"a", DType::F32, {2, 3}, spanOf(a)}, {"b", DType::I64, {1}, spanOf(b)}});
    const auto file = SafetensorsFile::open(path);
    CHECK_EQ(file->path(), path);
    CHECK(file->find("a") != nullptr);
    CHECK(file->find("c") == nullptr);
    CHECK_THROWS_WITH(file->at("c"), IoError, "tensor 'c': not in this file");
    // In data order.
    for (std::size_t i = 1; i < file->tensors().size(); ++i)
        CHECK(file->tensors()[i - 1].dataBegin <= file->tensors()[i].dataBegin);
    const auto& info = file->at("a");
    CHECK(sameBytes(file->dataRange(info.dataBegin + 4, info.dataBegin + 12), std::span(a).subspan(4, 8)));
    CHECK_THROWS_WITH(file->dataRange(0, 1000), IoError, "outside the data section");
    CHECK_THROWS_WITH(file->dataRange(8, 4), IoError, "outside the data section");
}

TEST_CASE(openingWhatIsNotAFileFails) {
    const auto dir = zimage::test::tempDir("not_a_file");
    CHECK_THROWS_WITH(SafetensorsFile::open(dir / "absent.safetensors"), IoError, "cannot open: No such file");
    CHECK_THROWS_WITH(SafetensorsFile::open(dir), IoError, "is a folder");
    std::ofstream(dir / "empty.safetensors").close();
    CHECK_THROWS_WITH(SafetensorsFile::open(dir / "empty.safetensors"), IoError, "file is 0 bytes, too short");
}

TEST_CASE(everyFixtureFileOpens) {
    const auto root = zimage::test::fixtureDir();
    if (!fs::exists(root))
        SKIP("fixture not found at " + root.string());
    std::size_t count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".safetensors")
            continue;
        ++count;
        const auto file = SafetensorsFile::open(entry.path());
        CHECK(!file->tensors().empty());
        std::uint64_t previousEnd = 0;
        for (const auto& tensor : file->tensors()) {
            CHECK_EQ(tensor.byteSize(), static_cast<std::uint64_t>(tensor.numel()) * dtypeSize(tensor.dtype));
            CHECK(tensor.dataBegin >= previousEnd);
            previousEnd = tensor.dataEnd;
            CHECK_EQ(file->bytes(tensor).size(), tensor.byteSize());
        }
    }
    CHECK_EQ(count, 17u); // 2 comfy + 10 golden + 2 text encoder shards + 2 DiT shards + 1 VAE
}

TEST_CASE(fixtureFilesHoldTheExpectedTensors) {
    const auto root = zimage::test::fixtureDir();
    if (!fs::exists(root))
        SKIP("fixture not found at " + root.string());

    const auto vae = SafetensorsFile::open(root / "golden" / "vae.safetensors");
    CHECK_EQ(vae->tensors().size(), 5u);
    const auto& z = vae->at("z");
    CHECK_EQ(dtypeName(z.dtype), "F32");
    CHECK(z.shape == (std::vector<std::int64_t>{1, 16, 12, 16}));
    CHECK(vae->at("decoded").shape == (std::vector<std::int64_t>{1, 3, 96, 128}));

    const auto comfy = SafetensorsFile::open(root / "comfy" / "z_image_tiny_bf16.safetensors");
    CHECK_EQ(comfy->tensors().size(), 89u);
    for (const auto& tensor : comfy->tensors())
        CHECK_EQ(dtypeName(tensor.dtype), "BF16");
    CHECK(comfy->at("cap_embedder.1.weight").shape == (std::vector<std::int64_t>{256, 32}));
    CHECK_EQ(SafetensorsFile::open(root / "comfy" / "ae_tiny.safetensors")->tensors().size(), 240u);

    const auto shard = SafetensorsFile::open(root / "model" / "text_encoder" / "model-00001-of-00002.safetensors");
    CHECK_EQ(shard->tensors().size(), 18u);
    CHECK_EQ(shard->metadata().at("format"), "pt");
    CHECK(shard->at("model.embed_tokens.weight").shape == (std::vector<std::int64_t>{151936, 32}));

    const auto dit = root / "model" / "transformer";
    CHECK_EQ(SafetensorsFile::open(dit / "diffusion_pytorch_model-00001-of-00002.safetensors")->tensors().size(), 51u);
    CHECK_EQ(SafetensorsFile::open(dit / "diffusion_pytorch_model-00002-of-00002.safetensors")->tensors().size(), 50u);
    const auto diffusersVae = SafetensorsFile::open(root / "model" / "vae" / "diffusion_pytorch_model.safetensors");
    CHECK_EQ(diffusersVae->tensors().size(), 240u);
    CHECK(diffusersVae->at("decoder.conv_in.weight").shape == (std::vector<std::int64_t>{64, 16, 3, 3}));
    const auto textEncoder = SafetensorsFile::open(root / "golden" / "text_encoder.safetensors");
    CHECK_EQ(textEncoder->at("input_ids").dtype, DType::I64);
}
