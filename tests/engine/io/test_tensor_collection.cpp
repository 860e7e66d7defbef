// TensorCollection: single files, sharded checkpoints through *.safetensors.index.json (the fixture's and ones
// built here, broken on purpose), folder lookup, and the zero-copy row slices and reshapes. Expected counts come
// from the fixture's index files (35 text-encoder and 101 DiT tensors, 240 VAE tensors).

#include "io/io_error.h"
#include "io/safetensors_writer.h"
#include "io/tensor_collection.h"
#include "test_harness.h"

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace zimage::io;
namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& path, std::string_view text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::vector<float> iota(std::size_t count, float start) {
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i)
        values[i] = start + static_cast<float>(i);
    return values;
}

std::vector<float> floatsOf(const TensorRef& ref) {
    const auto bytes = ref.bytes();
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

// A two-shard checkpoint: "a" [6, 4] F32 and "b" [2] F32 in shard 1, "c" [3] F32 in shard 2.
fs::path writeShardedCheckpoint(const fs::path& dir) {
    const auto a = iota(24, 0), b = iota(2, 100), c = iota(3, 200);
    writeSafetensors(dir / "model-00001-of-00002.safetensors", {{"a", DType::F32, {6, 4}, std::as_bytes(std::span(a))},
                                                                {"b", DType::F32, {2}, std::as_bytes(std::span(b))}});
    writeSafetensors(dir / "model-00002-of-00002.safetensors", {{"c", DType::F32, {3}, std::as_bytes(std::span(c))}});
    const auto index = dir / "model.safetensors.index.json";
    writeText(index, R"({"metadata":{"total_size":116},"weight_map":{
        "a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors",
        "c":"model-00002-of-00002.safetensors"}})");
    return index;
}

} // namespace

TEST_CASE(fixtureShardedCheckpointsLoad) {
    const auto root = zimage::test::fixtureDir() / "model";
    if (!fs::exists(root))
        SKIP("fixture not found at " + root.string());
    const auto textIndex = root / "text_encoder" / "model.safetensors.index.json";
    const auto text = TensorCollection::fromIndex(textIndex);
    CHECK_EQ(text.size(), 35u);
    CHECK_EQ(text.files().size(), 2u);
    CHECK_EQ(text.source(), textIndex);
    const auto& embed = text.at("model.embed_tokens.weight");
    CHECK(embed.shape == (std::vector<std::int64_t>{151936, 32}));
    CHECK_EQ(embed.dtype, DType::BF16);
    CHECK_EQ(embed.file->path().filename(), "model-00001-of-00002.safetensors");
    CHECK_EQ(text.at("model.norm.weight").file->path().filename(), "model-00002-of-00002.safetensors");

    const auto dit = TensorCollection::fromPath(root / "transformer"); // a folder with an index and its shards
    CHECK_EQ(dit.size(), 101u);
    CHECK_EQ(dit.source().filename(), "diffusion_pytorch_model.safetensors.index.json");

    const auto vae = TensorCollection::fromPath(root / "vae"); // a folder with one file
    CHECK_EQ(vae.size(), 240u);
    CHECK_EQ(vae.files().size(), 1u);
    const auto single = TensorCollection::fromPath(root / "vae" / "diffusion_pytorch_model.safetensors");
    CHECK_EQ(single.size(), 240u);
}

TEST_CASE(shardedCheckpointBuiltHere) {
    const auto dir = zimage::test::tempDir("sharded_ok");
    const auto index = writeShardedCheckpoint(dir);
    const auto collection = TensorCollection::fromIndex(index);
    CHECK_EQ(collection.size(), 3u);
    CHECK_EQ(collection.files().size(), 2u);
    CHECK(floatsOf(collection.at("c")) == iota(3, 200));
    CHECK(floatsOf(collection.at("a")) == iota(24, 0));
    CHECK_EQ(collection.at("b").describe(), (dir / "model-00001-of-00002.safetensors").string() + ": tensor 'b'");
    CHECK(collection.contains("a"));
    CHECK(!collection.contains("d"));
    CHECK_THROWS_WITH(collection.at("d"), IoError, index.string() + ": tensor 'd': not found in this checkpoint");
    // fromPath picks the index over the shards beside it.
    CHECK_EQ(TensorCollection::fromPath(dir).size(), 3u);
    CHECK_EQ(TensorCollection::fromPath(index).size(), 3u);

    // Shards in a subfolder are fine; only escaping the folder is not.
    fs::create_directories(dir / "sub");
    fs::rename(dir / "model-00002-of-00002.safetensors", dir / "sub" / "shard.safetensors");
    writeText(index, R"({"weight_map":{"a":"model-00001-of-00002.safetensors","c":"sub/shard.safetensors"}})");
    const auto nested = TensorCollection::fromIndex(index);
    CHECK_EQ(nested.size(), 2u); // only what the index lists
    CHECK(floatsOf(nested.at("c")) == iota(3, 200));
}

TEST_CASE(missingShard) {
    const auto dir = zimage::test::tempDir("sharded_missing");
    const auto index = writeShardedCheckpoint(dir);
    fs::remove(dir / "model-00001-of-00002.safetensors");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError,
                      index.string() + ": shard 'model-00001-of-00002.safetensors' is missing (it should hold tensor "
                                       "'a' and 1 more)");
}

TEST_CASE(tensorListedButNotInItsShard) {
    const auto dir = zimage::test::tempDir("sharded_absent");
    const auto index = writeShardedCheckpoint(dir);
    writeText(index, R"({"weight_map":{"a":"model-00001-of-00002.safetensors","c":"model-00001-of-00002.safetensors",
        "d":"model-00001-of-00002.safetensors"}})");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError,
                      index.string() + ": tensor 'c': listed in the index under shard "
                                       "'model-00001-of-00002.safetensors' but not stored there (nor are 1 more)");
}

TEST_CASE(malformedIndex) {
    const auto dir = zimage::test::tempDir("sharded_bad_index");
    const auto index = writeShardedCheckpoint(dir);
    writeText(index, R"({"weight_map":{"a":"model-00001-of-00002.safetensors",})");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, index.string() + ": is not valid JSON");
    writeText(index, "[]");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, "is not a JSON object");
    writeText(index, R"({"metadata":{}})");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, "has no \"weight_map\" object");
    writeText(index, R"({"weight_map":["a"]})");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, "has no \"weight_map\" object");
    writeText(index, R"({"weight_map":{"a":1}})");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, "tensor 'a': its shard in \"weight_map\" is not");
    writeText(index, "{\"weight_map\":{\"a\":\"x\xff.safetensors\"}}");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError, "is not valid JSON");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(dir / "absent.safetensors.index.json"), IoError, "cannot read");

    // A shard that exists but is itself broken is reported against the shard.
    writeText(index, R"({"weight_map":{"a":"broken.safetensors"}})");
    writeText(dir / "broken.safetensors", "abc");
    CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError,
                      (dir / "broken.safetensors").string() + ": file is 3 bytes, too short");
}

TEST_CASE(indexEntriesMayNotLeaveTheFolder) {
    const auto dir = zimage::test::tempDir("sharded_escape");
    const auto index = writeShardedCheckpoint(dir);
    for (const std::string shard :
         {"../model-00001-of-00002.safetensors", "/etc/passwd", "sub/../../x.safetensors", "..", ""}) {
        writeText(index, R"({"weight_map":{"a":")" + shard + "\"}}");
        CHECK_THROWS_WITH(TensorCollection::fromIndex(index), IoError,
                          "tensor 'a': shard '" + shard + "' is not a file in the index's folder");
    }
}

TEST_CASE(fromPathFolderRules) {
    const auto dir = zimage::test::tempDir("from_path");
    CHECK_THROWS_WITH(TensorCollection::fromPath(dir / "nothing"), IoError, "nothing: does not exist");
    CHECK_THROWS_WITH(TensorCollection::fromPath(dir), IoError, "holds no .safetensors file");
    const auto values = iota(2, 0);
    writeSafetensors(dir / "one.safetensors", {{"x", DType::F32, {2}, std::as_bytes(std::span(values))}});
    CHECK_EQ(TensorCollection::fromPath(dir).size(), 1u);
    writeSafetensors(dir / "two.safetensors", {{"y", DType::F32, {2}, std::as_bytes(std::span(values))}});
    CHECK_THROWS_WITH(TensorCollection::fromPath(dir), IoError,
                      "holds several .safetensors files (one.safetensors, two.safetensors) and no index");
    writeText(dir / "a.safetensors.index.json", R"({"weight_map":{"x":"one.safetensors"}})");
    CHECK_EQ(TensorCollection::fromPath(dir).size(), 1u);
    writeText(dir / "b.safetensors.index.json", R"({"weight_map":{"y":"two.safetensors"}})");
    CHECK_THROWS_WITH(TensorCollection::fromPath(dir), IoError,
                      "holds several sharded checkpoints (a.safetensors.index.json, b.safetensors.index.json)");
}

TEST_CASE(sliceRowsAndReshape) {
    const auto dir = zimage::test::tempDir("slices");
    const auto all = iota(24, 0);
    writeSafetensors(dir / "w.safetensors", {{"qkv", DType::F32, {6, 4}, std::as_bytes(std::span(all))}});
    auto collection = TensorCollection::fromFile(dir / "w.safetensors");
    const auto& qkv = collection.at("qkv");
    CHECK_EQ(qkv.numel(), 24);

    // As for a fused qkv: rows [2, 4) are "k".
    const auto k = sliceRows(qkv, 2, 2);
    CHECK(k.shape == (std::vector<std::int64_t>{2, 4}));
    CHECK(floatsOf(k) == iota(8, 8));
    CHECK_EQ(k.storedName, "qkv");
    CHECK_EQ(k.numel(), 8);
    CHECK(sliceRows(qkv, 6, 0).bytes().empty());
    CHECK_THROWS_WITH(sliceRows(qkv, 5, 2), IoError, "tensor 'qkv': cannot take 2 rows from row 5 of shape [6, 4]");
    CHECK_THROWS_WITH(sliceRows(qkv, -1, 2), IoError, "cannot take");

    // As for LDM attention: a [C, C, 1, 1] conv weight seen as a [C, C] linear weight.
    const auto flat = reshaped(qkv, {24});
    CHECK(flat.shape == (std::vector<std::int64_t>{24}));
    CHECK(floatsOf(flat) == all);
    CHECK(reshaped(qkv, {6, 4, 1, 1}).shape.size() == 4u);
    CHECK_THROWS_WITH(reshaped(qkv, {5, 5}), IoError, "tensor 'qkv': cannot view shape [6, 4] as [5, 5]");
    CHECK_THROWS_WITH(reshaped(qkv, {-6, -4}), IoError, "cannot view");
    CHECK(floatsOf(sliceRows(reshaped(qkv, {2, 3, 4}), 1, 1)) == iota(12, 12));
    const auto scalar = reshaped(sliceRows(flat, 5, 1), {});
    CHECK(floatsOf(scalar) == std::vector<float>{5});
    CHECK_THROWS_WITH(sliceRows(scalar, 0, 1), IoError, "without dimensions");

    // add() renames without copying and replaces entries of the same name.
    collection.add("attention.to_k.weight", k);
    collection.add("qkv", flat);
    CHECK_EQ(collection.size(), 2u);
    CHECK_EQ(collection.at("qkv").shape.size(), 1u);
    CHECK_EQ(collection.at("attention.to_k.weight").bytes().data(), k.bytes().data());
}
