// zimage-cli: Z-Image Studio's engine without a GUI.

#include "arguments.h"
#include "commands.h"
#include "io/io_error.h"
#include "text/tokenizer.h"

#include <zimage/errors.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view kUsage = R"(Usage: zimage-cli COMMAND [OPTIONS]

Commands:
  generate --model PATH --prompt P [--prompt P2 ...] [--negative-prompt N] [--seed S] [--steps N]
           [--width W] [--height H] [--guidance G] [--cfg-normalization C] [--cfg-truncation T]
           [--max-sequence-length L] [--sigmas S1,S2,...] [--noise cpu|cuda] [--device auto|cpu|cuda]
           [--precision auto|fp32|bf16|fp16] [--output DIR] [--save-latents FILE] [--json]
           [--dit F] [--text-encoder F] [--vae F] [--tokenizer DIR] [MEMORY OPTIONS]
      Generate one PNG per prompt (image i uses seed + i) with its parameters embedded. Defaults: a random
      seed, 8 steps, 1024x1024, guidance 0, CPU noise (ComfyUI-compatible seeds), output to the current folder.
  bench [--model PATH | --random-weights] [--width W] [--height H] [--steps N] [--runs R]
        [--precision P] [--fresh-prompts] [--json] [MEMORY OPTIONS]
      Time warm generations (then one with a new prompt); --random-weights builds the full-size model with
      random weights (no download). The JSON has the plan, peaks and the allocator's baseline after each run.
  bench --tokenizer-only --model DIR   Time tokenizer loading and a 512+ token prompt.
  inspect PATH [--json]
      List a .safetensors file, a sharded index or a model folder: tensors, dtypes, shapes, parameter counts,
      detected layout and the diffusers names.
  tokenize --model DIR (--text S | --file F) [--chat] [--max-length N]
      Print {"ids":[...]}. --chat wraps the text in the Qwen3 chat template as Z-Image does and truncates to
      --max-length (default 512).
  sigmas --steps N [--shift S]
      Print the flow-matching schedule (sigmas and timesteps) as JSON.

Memory options (generate, bench):
  --vram-budget GIB        device memory to plan with (default: the free memory, less a margin)
  --plan auto|resident|sequential|stream|cpu
                           where the weights live: all on the GPU; the text encoder on the GPU only while
                           encoding; layers streamed from pinned host memory; the text encoder on the CPU
  --vae-tiling auto|on|off --tile-size PX   tiled VAE decode (PX a multiple of 64, 256..4096)
  --memory-fraction F      cap the CUDA allocator at F of the device (acts as a smaller card)
  --generation-log PATH | --no-generation-log
                           one JSON line per generation (default: ~/.local/share/zimage-studio/generations.jsonl)

Every command: --help, --verbose (debug logging to stderr). zimage-cli --version.
Exit codes: 0 ok, 2 invalid input, 3 bad or missing model files, 4 out of memory, 130 cancelled.
)";

int exitCodeFor(zimage::ErrorCode code) {
    using zimage::ErrorCode;
    switch (code) {
    case ErrorCode::InvalidInput:
        return zimage::cli::kExitInvalidInput;
    case ErrorCode::ModelFiles:
        return zimage::cli::kExitModelFiles;
    case ErrorCode::OutOfMemory:
        return zimage::cli::kExitOutOfMemory;
    case ErrorCode::Cancelled:
        return zimage::cli::kExitCancelled;
    default:
        return zimage::cli::kExitFailure;
    }
}

int dispatch(std::string_view command, int argc, char** argv) {
    using namespace zimage::cli;
    if (command == "inspect")
        return runInspect(argc, argv);
    if (command == "tokenize")
        return runTokenize(argc, argv);
    if (command == "sigmas")
        return runSigmas(argc, argv);
    if (command == "generate")
        return runGenerate(argc, argv);
    if (command == "bench")
        return runBench(argc, argv);
    throw UsageError("unknown command '" + std::string(command) + "'; run 'zimage-cli --help'");
}

} // namespace

int main(int argc, char** argv) {
    // Logs go to stderr: stdout carries the JSON and file names that scripts read.
    spdlog::set_default_logger(spdlog::stderr_color_mt("zimage"));
    spdlog::set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
    spdlog::set_level(spdlog::level::warn);
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--verbose") == 0)
            spdlog::set_level(spdlog::level::debug);

    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        std::cout << kUsage;
        return argc < 2 ? zimage::cli::kExitInvalidInput : zimage::cli::kExitOk;
    }
    if (std::strcmp(argv[1], "--version") == 0) {
        std::cout << "zimage-cli " << ZIMAGE_VERSION << "\n";
        return zimage::cli::kExitOk;
    }
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0) {
            std::cout << kUsage;
            return zimage::cli::kExitOk;
        }
    }

    try {
        return dispatch(argv[1], argc, argv);
    } catch (const zimage::cli::UsageError& error) {
        std::cerr << "zimage-cli: " << error.what() << "\n";
        return zimage::cli::kExitInvalidInput;
    } catch (const zimage::EngineError& error) {
        std::cerr << "zimage-cli: " << error.what() << "\n";
        if (!error.hint().empty())
            std::cerr << "  " << error.hint() << "\n";
        return exitCodeFor(error.code());
    } catch (const zimage::io::IoError& error) {
        std::cerr << "zimage-cli: " << error.what() << "\n";
        return zimage::cli::kExitModelFiles;
    } catch (const zimage::text::TokenizerError& error) {
        std::cerr << "zimage-cli: " << error.what() << "\n";
        return zimage::cli::kExitInvalidInput;
    } catch (const std::invalid_argument& error) {
        std::cerr << "zimage-cli: " << error.what() << "\n";
        return zimage::cli::kExitInvalidInput;
    } catch (const std::exception& error) {
        std::cerr << "zimage-cli: unexpected error: " << error.what() << "\n";
        return zimage::cli::kExitFailure;
    }
}
