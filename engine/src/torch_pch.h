#pragma once
// Precompiled header of zimage_engine: the LibTorch headers every torch-side file uses.
#include <torch/torch.h>
