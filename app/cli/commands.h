#pragma once
// The subcommands of zimage-cli. Each returns the process exit code; errors are thrown (see main.cpp for the
// mapping of error kinds to exit codes: 2 invalid input, 3 model files, 4 out of memory, 130 cancelled).

namespace zimage::cli {

int runInspect(int argc, char** argv);
int runTokenize(int argc, char** argv);
int runSigmas(int argc, char** argv);
int runBench(int argc, char** argv);
int runGenerate(int argc, char** argv);

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitInvalidInput = 2;
inline constexpr int kExitModelFiles = 3;
inline constexpr int kExitOutOfMemory = 4;
inline constexpr int kExitCancelled = 130;

} // namespace zimage::cli
