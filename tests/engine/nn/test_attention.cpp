// Attention against the textbook formula softmax(q k^T / sqrt(d) + mask) v computed in float64 here; the chunked
// fallback (LibTorch 1.13) and the fused path (SDPA on >= 2.0) must both agree with it.

#include "nn/attention.h"
#include "test_harness.h"

#include <torch/torch.h>

#include <cmath>

using zimage::nn::attention;
using zimage::nn::chunkedAttention;

namespace {

torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const std::optional<torch::Tensor>& mask, bool causal) {
    auto scores = torch::matmul(q.to(torch::kFloat64), k.to(torch::kFloat64).transpose(-2, -1)) /
                  std::sqrt(static_cast<double>(q.size(-1)));
    if (mask)
        scores = scores.masked_fill(mask->logical_not(), -INFINITY);
    if (causal)
        scores = scores.masked_fill(torch::ones({q.size(2), k.size(2)}, torch::kBool).triu(1), -INFINITY);
    return torch::matmul(torch::softmax(scores, -1), v.to(torch::kFloat64)).to(q.scalar_type());
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

} // namespace

TEST_CASE(chunkedEqualsReferenceForEveryChunkSize) {
    torch::manual_seed(1);
    const auto q = torch::randn({2, 3, 37, 16}), k = torch::randn({2, 3, 37, 16}), v = torch::randn({2, 3, 37, 16});
    for (const bool causal : {false, true}) {
        const auto expected = reference(q, k, v, std::nullopt, causal);
        // 1 byte forces one query row per chunk; 1 GiB one chunk for all.
        for (const std::int64_t budget : {1ll, 2 * 3 * 37 * 4 * 5ll, 1ll << 30})
            CHECK(maxDiff(chunkedAttention(q, k, v, std::nullopt, causal, budget), expected) < 1e-5);
        CHECK(maxDiff(attention(q, k, v, std::nullopt, causal), expected) < 1e-5);
    }
}

TEST_CASE(paddingMaskHidesKeys) {
    // Batch item 1 has only 20 valid keys: the result must equal attention over the first 20 keys alone.
    torch::manual_seed(2);
    const auto q = torch::randn({2, 2, 30, 8}), k = torch::randn({2, 2, 30, 8}), v = torch::randn({2, 2, 30, 8});
    auto mask = torch::ones({2, 1, 1, 30}, torch::kBool);
    mask.index_put_({1, torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(20)}, false);
    const auto out = attention(q, k, v, mask, false);
    const auto alone = reference(q[1].unsqueeze(0), k[1].unsqueeze(0).slice(2, 0, 20),
                                 v[1].unsqueeze(0).slice(2, 0, 20), std::nullopt, false);
    CHECK(maxDiff(out[1].unsqueeze(0), alone) < 1e-5);
    CHECK(maxDiff(chunkedAttention(q, k, v, mask, false, 64), reference(q, k, v, mask, false)) < 1e-5);
}

TEST_CASE(causalWithMask) {
    torch::manual_seed(3);
    const auto q = torch::randn({1, 2, 9, 8}), k = torch::randn({1, 2, 9, 8}), v = torch::randn({1, 2, 9, 8});
    const auto mask = torch::ones({1, 1, 1, 9}, torch::kBool);
    CHECK(maxDiff(attention(q, k, v, mask, true), reference(q, k, v, mask, true)) < 1e-5);
}

TEST_CASE(repeatKvHeadsGroupsConsecutively) {
    // GQA as transformers' repeat_kv: query heads 0..3 use KV head 0, 4..7 KV head 1.
    const auto kv = torch::arange(2).reshape({1, 2, 1, 1}).to(torch::kFloat32);
    const auto repeated = zimage::nn::repeatKvHeads(kv, 4).flatten();
    CHECK(torch::equal(repeated, torch::tensor({0.f, 0.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f})));
}
