#!/usr/bin/env bash
# Z-Image Studio: set up, build and run or test, on a fresh Debian 12 / Ubuntu 24.04 machine.
#   ./build.sh run [MODEL_PATH]   install what is missing, build, and open the desktop app (on the model at MODEL_PATH)
#   ./build.sh test               install what is missing, build, and run every test (what CI runs)
# Environment: BUILD_DIR (default build), JOBS (default: number of cores), ZIMAGE_SKIP_INSTALL=1 to skip apt.
set -euo pipefail
cd "$(dirname "$0")"

readonly BUILD_DIR="${BUILD_DIR:-build}"
readonly SANITIZE_DIR="${BUILD_DIR}-sanitize"
readonly JOBS="${JOBS:-$(nproc)}"
readonly PACKAGES=(
    cmake ninja-build g++ clang clang-format libclang-rt-dev git
    libtorch-dev libspdlog-dev nlohmann-json3-dev libutf8proc-dev libpng-dev
    qt6-base-dev qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite qt6-translations-l10n xvfb
    librsvg2-bin dpkg-dev appstream desktop-file-utils fonts-wqy-microhei
)

log() { printf '\n== %s\n' "$*"; }

install_packages() {
    [[ "${ZIMAGE_SKIP_INSTALL:-0}" == 1 ]] && return
    local missing=()
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [[ ${#missing[@]} -eq 0 ]] && return
    log "Installing ${missing[*]}"
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build_main [TARGET...]: configure and build the given targets (default: all).
build_main() {
    log "Building in ${BUILD_DIR}"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    local targets=()
    [[ $# -gt 0 ]] && targets=(--target "$@")
    cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"
}

# The torch-free core (safetensors parser, tokenizer, schedule) under ASan/UBSan with clang, plus the fuzzers.
build_sanitized() {
    log "Building the sanitizer and fuzzing build in ${SANITIZE_DIR}"
    CXX=clang++ cmake -S . -B "$SANITIZE_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DZIMAGE_BUILD_GUI=OFF \
        -DZIMAGE_WITH_TORCH=OFF -DZIMAGE_BUILD_FUZZERS=ON "-DZIMAGE_SANITIZE=address;undefined"
    cmake --build "$SANITIZE_DIR" -j "$JOBS"
}

run_tests() {
    local status=0
    log "Tests (${BUILD_DIR})"
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" || status=1
    log "Tests under ASan/UBSan and fuzzing (${SANITIZE_DIR})"
    ctest --test-dir "$SANITIZE_DIR" --output-on-failure -j "$JOBS" || status=1
    return $status
}

main() {
    local command="${1:-}"
    case "$command" in
    run)
        install_packages
        build_main zimage-studio zimage-cli
        local options=()
        [[ -n "${2:-}" ]] && options=(--model "$2")
        if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
            echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): run this from a desktop session, or over" >&2
            echo "ssh with X forwarding (ssh -X), or in a virtual display: xvfb-run ./build.sh run" >&2
        fi
        exec "${BUILD_DIR}/app/zimage-studio" "${options[@]}"
        ;;
    test)
        install_packages
        build_main
        build_sanitized
        run_tests
        ;;
    *)
        sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    esac
}

main "$@"
