#pragma once
// Scaled dot-product attention shared by the text encoder and the DiT. On LibTorch >= 2.0 this is
// at::scaled_dot_product_attention (flash / memory-efficient kernels on CUDA). LibTorch 1.13 has no public SDPA, so
// there it is computed in query chunks sized so that no [heads, L, L] score matrix is ever materialised for large L.

#include <torch/types.h>

#include <optional>

namespace zimage::nn {

// q: [B, H, Lq, D], k and v: [B, H, Lk, D] (repeat grouped KV heads before calling).
// mask: optional boolean, broadcastable to [B, H, Lq, Lk]; true = may attend. causal: position i attends to j <= i.
// Returns [B, H, Lq, D] in q's dtype. Softmax scale 1/sqrt(D).
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const std::optional<torch::Tensor>& mask = std::nullopt, bool causal = false);

// The chunked implementation, public so tests can compare it with the fused one on every LibTorch version.
// `maxScoreBytes` bounds the size of one chunk's score matrix.
torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::optional<torch::Tensor>& mask, bool causal,
                               std::int64_t maxScoreBytes = 256ll << 20);

// [B, Hkv, L, D] -> [B, Hkv * groups, L, D], each KV head repeated for `groups` consecutive query heads (GQA).
torch::Tensor repeatKvHeads(const torch::Tensor& kv, std::int64_t groups);

} // namespace zimage::nn
