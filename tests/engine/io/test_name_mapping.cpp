// Name mapping between layouts. Expected names and shapes come from real_model_manifest.json (the real model's
// diffusers, ComfyUI and LDM names, listed by the reference checkpoints) and from the tiny fixture, whose comfy/ files
// hold the same weights as model/ (fixture README).

#include "io/model_config.h"
#include "io/name_mapping.h"
#include "io/safetensors_writer.h"
#include "io/tensor_collection.h"
#include "test_harness.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

using namespace zimage::io;
using nlohmann::json;
using Shape = std::vector<std::int64_t>;

namespace {

const json& manifest() {
    static const json value = readJsonFile(zimage::test::fixtureDir() / "real_model_manifest.json");
    return value;
}

std::map<std::string, Shape> manifestPart(const char* part) {
    std::map<std::string, Shape> result;
    for (const auto& [name, shape] : manifest()[part].items())
        result[name] = shape.get<Shape>();
    return result;
}

// A file of zero-filled F32 tensors with the given names and shapes.
TensorCollection zeroCollection(std::string_view test, const std::vector<std::pair<std::string, Shape>>& tensors) {
    std::vector<std::vector<std::byte>> buffers;
    std::vector<TensorToWrite> toWrite;
    for (const auto& [name, shape] : tensors) {
        std::int64_t numel = 1;
        for (const auto d : shape)
            numel *= d;
        buffers.emplace_back(static_cast<std::size_t>(numel) * 4);
    }
    for (std::size_t i = 0; i < tensors.size(); ++i)
        toWrite.push_back({tensors[i].first, DType::F32, tensors[i].second, buffers[i]});
    const auto path = zimage::test::tempDir(test) / "tensors.safetensors";
    writeSafetensors(path, toWrite);
    return TensorCollection::fromFile(path);
}

// By value: CHECK_EQ binds a reference to its argument, which must not point into a temporary optional.
std::string ldmName(std::string_view name) {
    return ldmToDiffusersVaeName(name).value_or("<none>");
}

TransformerConfig tinyTransformerConfig() {
    return readTransformerConfig(zimage::test::fixtureDir() / "model" / "transformer" / "config.json");
}

} // namespace

TEST_CASE(ldmVaeNamesMapOneToOneOntoTheManifest) {
    const auto diffusers = manifestPart("vae");
    const auto ldm = manifestPart("vae_ldm");
    REQUIRE_EQ(ldm.size(), 244u);
    REQUIRE_EQ(diffusers.size(), 244u);
    std::set<std::string> mappedNames;
    for (const auto& [name, shape] : ldm) {
        const auto mapped = ldmToDiffusersVaeName(name);
        if (!mapped) {
            FAIL("no mapping for " + name);
        }
        const auto it = diffusers.find(*mapped);
        if (it == diffusers.end()) {
            FAIL(name + " -> " + *mapped + ", which the diffusers VAE does not have");
        }
        // The mid-block attention is 1x1 convolutions in LDM and Linear layers in diffusers.
        const bool attentionConv =
            shape.size() == 4 && shape[2] == 1 && shape[3] == 1 && mapped->find("attentions.0") != std::string::npos;
        const Shape expected = attentionConv ? Shape{shape[0], shape[1]} : shape;
        CHECK(it->second == expected);
        CHECK(mappedNames.insert(*mapped).second);
    }
    CHECK_EQ(mappedNames.size(), 244u);
}

TEST_CASE(ldmVaeNameExamples) {
    // The reversed numbering of the decoder's levels (REFERENCE.md): up.3 runs first.
    CHECK_EQ(ldmName("decoder.up.3.block.0.conv1.weight"), std::string("decoder.up_blocks.0.resnets.0.conv1.weight"));
    CHECK_EQ(ldmName("decoder.up.0.block.2.norm2.bias"), std::string("decoder.up_blocks.3.resnets.2.norm2.bias"));
    CHECK_EQ(ldmName("decoder.up.1.upsample.conv.weight"), std::string("decoder.up_blocks.2.upsamplers.0.conv.weight"));
    CHECK_EQ(ldmName("encoder.down.1.block.0.nin_shortcut.weight"),
             std::string("encoder.down_blocks.1.resnets.0.conv_shortcut.weight"));
    CHECK_EQ(ldmName("encoder.mid.attn_1.proj_out.bias"), std::string("encoder.mid_block.attentions.0.to_out.0.bias"));
    CHECK_EQ(ldmName("first_stage_model.decoder.norm_out.weight"), std::string("decoder.conv_norm_out.weight"));
    CHECK(!ldmToDiffusersVaeName("decoder.up.4.block.0.conv1.weight"));
    CHECK(!ldmToDiffusersVaeName("model.diffusion_model.input_blocks.0.0.weight"));
    CHECK(!ldmToDiffusersVaeName("decoder.mid.attn_1.unknown.weight"));
}

TEST_CASE(comfyDitNamesMapOntoTheManifest) {
    const auto diffusers = manifestPart("transformer");
    const auto comfy = manifestPart("transformer_comfy");
    const auto config = TransformerConfig::fromJson(manifest()["configs"]["transformer"]);
    std::set<std::string> covered;
    for (const auto& [name, shape] : comfy) {
        // ComfyUI files may carry the prefix of its model wrapper; both spellings map the same.
        const std::string mapped = comfyToDiffusersTransformerName(name);
        CHECK_EQ(comfyToDiffusersTransformerName("model.diffusion_model." + name), mapped);
        const auto fused = mapped.find("attention.qkv.weight");
        if (fused == std::string::npos) {
            const auto it = diffusers.find(mapped);
            if (it == diffusers.end()) {
                FAIL(name + " -> " + mapped + ", which the diffusers DiT does not have");
            }
            CHECK(it->second == shape);
            covered.insert(mapped);
            continue;
        }
        // concat(q, k, v) along dim 0: heads * head_dim rows for q, kv_heads * head_dim for k and v.
        const std::int64_t qRows = config.numHeads * config.headDim();
        const std::int64_t kvRows = config.numKvHeads * config.headDim();
        CHECK_EQ(shape[0], qRows + 2 * kvRows);
        const std::string block = mapped.substr(0, fused);
        const std::vector<std::pair<std::string, std::int64_t>> parts = {
            {"to_q", qRows}, {"to_k", kvRows}, {"to_v", kvRows}};
        for (const auto& [projection, rows] : parts) {
            const auto it = diffusers.find(block + "attention." + projection + ".weight");
            REQUIRE(it != diffusers.end());
            CHECK(it->second == (Shape{rows, shape[1]}));
            covered.insert(it->first);
        }
    }
    CHECK_EQ(covered.size(), diffusers.size());
}

TEST_CASE(comfyDitNameExamples) {
    CHECK_EQ(comfyToDiffusersTransformerName("x_embedder.weight"), std::string("all_x_embedder.2-1.weight"));
    CHECK_EQ(comfyToDiffusersTransformerName("model.diffusion_model.final_layer.linear.bias"),
             std::string("all_final_layer.2-1.linear.bias"));
    CHECK_EQ(comfyToDiffusersTransformerName("layers.3.attention.out.weight"),
             std::string("layers.3.attention.to_out.0.weight"));
    CHECK_EQ(comfyToDiffusersTransformerName("noise_refiner.1.attention.k_norm.weight"),
             std::string("noise_refiner.1.attention.norm_k.weight"));
    CHECK_EQ(comfyToDiffusersTransformerName("cap_embedder.1.weight"), std::string("cap_embedder.1.weight"));
}

TEST_CASE(layoutDetectionOnTheFixture) {
    const auto root = zimage::test::fixtureDir();
    const auto diffusersDit = TensorCollection::fromPath(root / "model" / "transformer");
    const auto comfyDit = TensorCollection::fromPath(root / "comfy" / "z_image_tiny_bf16.safetensors");
    const auto diffusersVae = TensorCollection::fromPath(root / "model" / "vae");
    const auto ldmVae = TensorCollection::fromPath(root / "comfy" / "ae_tiny.safetensors");
    const auto encoder = TensorCollection::fromPath(root / "model" / "text_encoder");
    CHECK(detectTransformerLayout(diffusersDit) == TransformerLayout::Diffusers);
    CHECK(detectTransformerLayout(comfyDit) == TransformerLayout::Comfy);
    CHECK(detectTransformerLayout(diffusersVae) == TransformerLayout::Unknown);
    CHECK(detectVaeLayout(diffusersVae) == VaeLayout::Diffusers);
    CHECK(detectVaeLayout(ldmVae) == VaeLayout::Ldm);
    CHECK(detectVaeLayout(comfyDit) == VaeLayout::Unknown);
    CHECK(detectTextEncoderLayout(encoder) == TextEncoderLayout::Transformers);
    CHECK(detectTextEncoderLayout(comfyDit) == TextEncoderLayout::Unknown);
    CHECK_EQ(layoutName(TransformerLayout::Comfy), std::string_view("comfyui"));
    CHECK_EQ(layoutName(VaeLayout::Ldm), std::string_view("ldm"));
}

TEST_CASE(comfyDitMapsToTheDiffusersNamesOfTheFixture) {
    const auto root = zimage::test::fixtureDir();
    const auto diffusers = TensorCollection::fromPath(root / "model" / "transformer");
    const auto mapped = mapComfyTransformer(
        TensorCollection::fromPath(root / "comfy" / "z_image_tiny_bf16.safetensors"), tinyTransformerConfig());
    REQUIRE_EQ(mapped.size(), diffusers.size());
    for (const auto& [name, ref] : diffusers) {
        const TensorRef* other = mapped.find(name);
        REQUIRE(other != nullptr);
        CHECK(other->shape == ref.shape);
    }
    // q, k and v are consecutive row ranges of the fused tensor: 256 rows of 256 BF16 values = 131072 bytes each.
    const TensorRef& q = mapped.at("layers.0.attention.to_q.weight");
    const TensorRef& k = mapped.at("layers.0.attention.to_k.weight");
    const TensorRef& v = mapped.at("layers.0.attention.to_v.weight");
    CHECK_EQ(q.storedName, std::string("layers.0.attention.qkv.weight"));
    CHECK_EQ(k.byteBegin, q.byteEnd);
    CHECK_EQ(v.byteBegin, k.byteEnd);
    CHECK_EQ(q.byteEnd - q.byteBegin, 131072u);
}

TEST_CASE(fusedQkvThatDoesNotFitTheConfigStaysWhole) {
    const auto tensors = zeroCollection("fusedQkvThatDoesNotFit", {{"layers.0.attention.qkv.weight", {10, 4}}});
    TransformerConfig config;
    config.dim = 4;
    config.numHeads = 1;
    config.numKvHeads = 1;
    const auto mapped = splitFusedQkv(tensors, config);
    CHECK(mapped.contains("layers.0.attention.qkv.weight"));
    CHECK(!mapped.contains("layers.0.attention.to_q.weight"));
    // With a GQA-style config (12 = 4 + 2 * 4 rows) the split follows the config's head counts.
    const auto gqa = zeroCollection("fusedQkvGqa", {{"layers.0.attention.qkv.weight", {8, 4}}});
    config.dim = 4;
    config.numHeads = 2; // head_dim 2: q 4 rows, k and v 2 rows each
    const auto split = splitFusedQkv(gqa, config);
    CHECK(split.at("layers.0.attention.to_q.weight").shape == (Shape{4, 4}));
    CHECK(split.at("layers.0.attention.to_k.weight").shape == (Shape{2, 4}));
    CHECK(split.at("layers.0.attention.to_v.weight").shape == (Shape{2, 4}));
}

TEST_CASE(ldmVaeOfTheFixtureMapsWithLinearAttention) {
    const auto root = zimage::test::fixtureDir();
    const auto diffusers = TensorCollection::fromPath(root / "model" / "vae");
    const auto mapped = mapLdmVae(TensorCollection::fromPath(root / "comfy" / "ae_tiny.safetensors"));
    REQUIRE_EQ(mapped.size(), diffusers.size());
    for (const auto& [name, ref] : diffusers) {
        const TensorRef* other = mapped.find(name);
        REQUIRE(other != nullptr);
        CHECK(other->shape == ref.shape);
    }
    CHECK(mapped.at("decoder.mid_block.attentions.0.to_q.weight").shape == (Shape{64, 64}));
    CHECK_EQ(mapped.at("decoder.mid_block.attentions.0.to_q.weight").storedName,
             std::string("decoder.mid.attn_1.q.weight"));
}

TEST_CASE(textEncoderPrefix) {
    CHECK_EQ(normalizeTextEncoderName("layers.0.mlp.up_proj.weight"), std::string("model.layers.0.mlp.up_proj.weight"));
    CHECK_EQ(normalizeTextEncoderName("model.norm.weight"), std::string("model.norm.weight"));
    CHECK_EQ(normalizeTextEncoderName("lm_head.weight"), std::string("lm_head.weight"));
    const auto unprefixed =
        zeroCollection("textEncoderPrefix", {{"embed_tokens.weight", {8, 4}}, {"norm.weight", {4}}});
    CHECK(detectTextEncoderLayout(unprefixed) == TextEncoderLayout::Unprefixed);
    const auto normalized = normalizeTextEncoder(unprefixed);
    CHECK(normalized.contains("model.embed_tokens.weight"));
    CHECK(normalized.contains("model.norm.weight"));
    CHECK(detectTextEncoderLayout(normalized) == TextEncoderLayout::Transformers);
}
