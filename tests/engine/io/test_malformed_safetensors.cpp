// A malformed-file corpus made here: valid files from serializeSafetensors, then corrupted. Each must be rejected
// with its own message naming the file and (where there is one) the tensor; none may crash or throw anything but
// IoError. The messages checked are the parser's own wording (engine/src/io/safetensors.cpp).

#include "io/io_error.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace zimage::io;

namespace {

const std::filesystem::path kName = "bad.safetensors";

std::vector<std::byte> toBytes(std::string_view text) {
    const auto* begin = reinterpret_cast<const std::byte*>(text.data());
    return {begin, begin + text.size()};
}

void setLength(std::vector<std::byte>& bytes, std::uint64_t length) {
    for (std::size_t i = 0; i < 8; ++i)
        bytes[i] = static_cast<std::byte>((length >> (8 * i)) & 0xFF);
}

// A file with this exact header text (no padding) followed by `dataBytes` bytes of data.
std::vector<std::byte> withHeader(std::string_view header, std::size_t dataBytes = 64) {
    std::vector<std::byte> bytes(8);
    setLength(bytes, header.size());
    const auto text = toBytes(header);
    bytes.insert(bytes.end(), text.begin(), text.end());
    bytes.resize(bytes.size() + dataBytes, std::byte{0x5A});
    return bytes;
}

SafetensorsHeader parse(const std::vector<std::byte>& bytes) {
    return parseSafetensorsHeader({bytes.data(), bytes.size()}, bytes.size(), kName);
}

// Two F32 tensors, "a" [2, 2] and "b" [3], as the real writer lays them out.
std::vector<std::byte> validFile() {
    static const std::vector<float> a = {1, 2, 3, 4};
    static const std::vector<float> b = {5, 6, 7};
    return serializeSafetensors(
        {{"a", DType::F32, {2, 2}, std::as_bytes(std::span(a))}, {"b", DType::F32, {3}, std::as_bytes(std::span(b))}},
        {{"format", "pt"}});
}

// Parses `bytes`; anything but success or IoError fails the test (the fuzz target's contract).
void parsesOrRejects(const std::vector<std::byte>& bytes) {
    try {
        (void)parse(bytes);
    } catch (const IoError& error) {
        CHECK(std::string(error.what()).starts_with("bad.safetensors: "));
    }
}

constexpr std::string_view kEntry = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

} // namespace

TEST_CASE(theBaseFileIsValid) {
    const auto header = parse(validFile());
    CHECK_EQ(header.tensors.size(), 2u);
}

TEST_CASE(truncatedFiles) {
    CHECK_THROWS_WITH(parse({}), IoError, "bad.safetensors: file is 0 bytes, too short for a safetensors header");
    CHECK_THROWS_WITH(parse(std::vector<std::byte>(5)), IoError, "file is 5 bytes, too short");
    auto file = validFile();
    const auto header = parse(file);
    // Cut inside the data: the last tensor's range runs past the end.
    auto cutData = file;
    cutData.resize(file.size() - 2);
    CHECK_THROWS_WITH(parse(cutData), IoError, "lies past the end of the file (the data section holds");
    // Cut inside the header.
    auto cutHeader = file;
    cutHeader.resize(header.dataOffset - 3);
    CHECK_THROWS_WITH(parse(cutHeader), IoError, "runs past the end of the file");
    // Every prefix is rejected or accepted, never a crash.
    for (std::size_t size = 0; size <= file.size(); ++size)
        parsesOrRejects(std::vector<std::byte>(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size)));
}

TEST_CASE(headerLengthPastTheEnd) {
    auto file = validFile();
    setLength(file, file.size()); // 8 + length > size
    CHECK_THROWS_WITH(parse(file), IoError, "header length " + std::to_string(file.size()) + " runs past the end");
    setLength(file, file.size() - 7);
    CHECK_THROWS_WITH(parse(file), IoError, "runs past the end");
}

TEST_CASE(hugeHeaderLengths) {
    auto file = validFile();
    for (const std::uint64_t length :
         {kMaxHeaderBytes + 1, std::uint64_t{1} << 32, std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
        setLength(file, length);
        CHECK_THROWS_WITH(parse(file), IoError, "header length " + std::to_string(length) + " exceeds the limit");
    }
}

TEST_CASE(overlappingAndOutOfRangeOffsets) {
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})")),
                      IoError, "tensor 'b': data range [4, 12) overlaps tensor 'a' [0, 8)");
    // Same range twice; reported on whichever sorts second.
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                                       R"("b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}})")),
                      IoError, "overlaps tensor");
    CHECK_THROWS_WITH(
        parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[60,68]}})")), IoError,
        "tensor 'a': data range [60, 68) lies past the end of the file (the data section holds 64 bytes)");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[100,100]}})")), IoError,
                      "lies past the end");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})")), IoError,
                      "tensor 'a': \"data_offsets\" [8, 0] are reversed");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}})")), IoError,
                      "exactly two numbers");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})")), IoError,
                      "exactly two numbers");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}})")), IoError,
                      "offsets must be non-negative integers");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551615,)"
                                       R"(18446744073709551615]}})")),
                      IoError, "needs 8 bytes");
    // Gaps and empty tensors anywhere are fine.
    const auto ok = parse(withHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},)"
                                     R"("e":{"dtype":"F32","shape":[0],"data_offsets":[20,20]},)"
                                     R"("b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})"));
    REQUIRE_EQ(ok.tensors.size(), 3u);
    CHECK_EQ(ok.tensors[0].name, "b"); // sorted by data position
}

TEST_CASE(unknownDtype) {
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}})")), IoError,
                      "bad.safetensors: tensor 'a': unknown dtype 'F7'");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"bf16","shape":[2],"data_offsets":[0,4]}})")), IoError,
                      "unknown dtype 'bf16'");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}})")), IoError,
                      "\"dtype\" is a number, not a string");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":["F32"],"shape":[2],"data_offsets":[0,8]}})")), IoError,
                      "\"dtype\" is an array, not a string");
}

TEST_CASE(shapeAndSizeMismatch) {
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})")), IoError,
                      "tensor 'a': shape [3] of F32 needs 12 bytes but \"data_offsets\" [0, 8] hold 8");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,4]}})")), IoError,
                      "needs 8 bytes");
    // Products past 2^63, also when a zero would make them empty, and byte sizes past 2^64.
    CHECK_THROWS_WITH(
        parse(withHeader(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})")), IoError,
        "shape [4294967296, 4294967296] has too many elements");
    CHECK_THROWS_WITH(
        parse(withHeader(R"({"a":{"dtype":"U8","shape":[4611686018427387904,4,0],"data_offsets":[0,0]}})")), IoError,
        "has too many elements");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})")),
                      IoError, "has too many elements");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,0]}})")),
                      IoError, "dimension 9223372036854775808 is too large");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})")), IoError,
                      "\"shape\" holds a negative number; dimensions must be non-negative integers");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})")), IoError,
                      "\"shape\" holds a fractional number");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}})")), IoError,
                      "\"shape\" holds an array");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})")), IoError,
                      "\"shape\" is a string, not an array");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":{},"data_offsets":[0,8]}})")), IoError,
                      "\"shape\" is an object, not an array");
}

TEST_CASE(missingAndRepeatedEntryKeys) {
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"shape":[2],"data_offsets":[0,8]}})")), IoError,
                      "tensor 'a': missing \"dtype\"");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})")), IoError, "missing \"shape\"");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","shape":[2]}})")), IoError, "missing \"data_offsets\"");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})")),
                      IoError, "tensor 'a': repeats the key \"dtype\"");
    // Keys the format does not define are ignored, however deeply nested.
    const auto ok = parse(
        withHeader(R"({"a":{"dtype":"F32","extra":{"x":[1,{"y":null}],"x":2},"shape":[2],"data_offsets":[0,8]}})"));
    CHECK_EQ(ok.tensors.size(), 1u);
}

TEST_CASE(duplicateTensorNames) {
    CHECK_THROWS_WITH(
        parse(withHeader(std::string("{\"a\":") + std::string(kEntry) + ",\"a\":" + std::string(kEntry) + "}")),
        IoError, "bad.safetensors: tensor 'a': appears twice in the header");
}

TEST_CASE(invalidUtf8InTheHeader) {
    const std::string entry(kEntry);
    for (const std::string& name : {std::string("\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                    std::string("\xf4\x90\x80\x80"), std::string("\xe6\x97")}) {
        CHECK_THROWS_WITH(parse(withHeader("{\"" + name + "\":" + entry + "}")), IoError,
                          "header is not valid UTF-8 (byte 10 of the file)");
    }
    // Also outside strings, and at the very end.
    CHECK_THROWS_WITH(parse(withHeader("{}\x80")), IoError, "not valid UTF-8 (byte 10");
    // Well-formed non-ASCII names are fine.
    const auto ok = parse(withHeader("{\"Gew\xc3\xa4"
                                     "\xe7\x94\xbb\xf0\x9f\x98\x80\":" +
                                     entry + "}"));
    CHECK_EQ(ok.tensors.front().name, "Gew\xc3\xa4\xe7\x94\xbb\xf0\x9f\x98\x80");
    // The assumption behind the explicit check: nlohmann rejects ill-formed UTF-8 inside strings by itself too.
    CHECK_THROWS_WITH(nlohmann::json::parse("{\"\xff\":1}").size(), nlohmann::json::parse_error, "invalid string");
}

TEST_CASE(headerThatIsNotAnObject) {
    CHECK_THROWS_WITH(parse(withHeader("[1,2]")), IoError,
                      "bad.safetensors: header is not a JSON object (it is an array)");
    CHECK_THROWS_WITH(parse(withHeader("42")), IoError, "header is not a JSON object (it is a number)");
    CHECK_THROWS_WITH(parse(withHeader("\"x\"")), IoError, "header is not a JSON object (it is a string)");
    CHECK_THROWS_WITH(parse(withHeader("null")), IoError, "header is not a JSON object (it is null)");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":5})")), IoError, "tensor 'a': entry is a number, not an object");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":[]})")), IoError, "tensor 'a': entry is an array, not an object");
}

TEST_CASE(headerThatIsNotJson) {
    CHECK_THROWS_WITH(parse(withHeader("")), IoError, "header is not valid JSON: ");
    CHECK_THROWS_WITH(parse(withHeader("{")), IoError, "header is not valid JSON");
    CHECK_THROWS_WITH(parse(withHeader("{} x")), IoError, "header is not valid JSON");
    // nlohmann stops at a NUL as at the end of the input; the reference reader rejects it as trailing content.
    CHECK_THROWS_WITH(parse(withHeader(std::string_view("{}\0\0\0", 5))), IoError,
                      "header holds a NUL byte (byte 10 of the file)");
    CHECK_THROWS_WITH(parse(withHeader(std::string_view("{}\0{\"", 5))), IoError, "NUL byte");
    CHECK_THROWS_WITH(parse(withHeader(R"({"a":{"dtype":"F32",}})")), IoError, "header is not valid JSON");
    // Trailing spaces are the reference writer's padding.
    CHECK_EQ(parse(withHeader("{}      ")).tensors.size(), 0u);
}

TEST_CASE(malformedMetadata) {
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":[1]})")), IoError,
                      "\"__metadata__\" is an array, not an object");
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":"pt"})")), IoError,
                      "\"__metadata__\" is a string, not an object");
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":{"format":1}})")), IoError,
                      "\"__metadata__\" value of 'format' is a number, not a string");
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":{"format":{"x":"y"}}})")), IoError,
                      "value of 'format' is an object, not a string");
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":{"k":"a","k":"b"}})")), IoError,
                      "\"__metadata__\" repeats the key 'k'");
    CHECK_THROWS_WITH(parse(withHeader(R"({"__metadata__":{},"__metadata__":{}})")), IoError,
                      "\"__metadata__\" appears twice");
    const auto ok = parse(withHeader(R"({"__metadata__":{"format":"pt","total":"12"}})"));
    CHECK_EQ(ok.metadata.size(), 2u);
}

TEST_CASE(errorsNameTheFileAndTensor) {
    try {
        (void)parse(withHeader(R"({"w.1":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})"));
        FAIL("no error");
    } catch (const IoError& error) {
        CHECK_EQ(error.file(), kName);
        CHECK_EQ(error.tensor(), "w.1");
    }
    // The same corruption read from disk names the path the caller gave.
    const auto path = zimage::test::tempDir("malformed_on_disk") / "broken.safetensors";
    auto bytes = validFile();
    setLength(bytes, std::uint64_t{1} << 63);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    CHECK_THROWS_WITH(SafetensorsFile::open(path), IoError, path.string() + ": header length");
}

// Deterministic random corruption: byte flips, insertions and deletions in the header, and random length
// prefixes. Each result must parse or throw IoError; a crash or another exception fails (ASan/UBSan builds see more).
TEST_CASE(randomCorruptionNeverEscapesAsAnotherError) {
    const auto base = validFile();
    const auto dataOffset = parse(base).dataOffset;
    std::mt19937_64 random(20240607);
    for (int round = 0; round < 3000; ++round) {
        auto bytes = base;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            const auto at = 8 + random() % (dataOffset - 8);
            switch (random() % 4) {
            case 0:
                bytes[at] = static_cast<std::byte>(random() & 0xFF);
                break;
            case 1:
                bytes[at] = static_cast<std::byte>("0123456789[]{},:\"-.e "[random() % 21]);
                break;
            case 2:
                bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at));
                break;
            default:
                setLength(bytes, random() % 2 ? random() : random() % (bytes.size() + 16));
                break;
            }
        }
        parsesOrRejects(bytes);
    }
}
