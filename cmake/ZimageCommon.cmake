# One INTERFACE target carries the language standard, warnings and sanitizers for every target of the project.
add_library(zimage_common INTERFACE)
add_library(zimage::common ALIAS zimage_common)
target_compile_features(zimage_common INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_options(zimage_common INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wno-unused-parameter>)
# LibTorch headers trip -Wpedantic/-Wshadow in ways we cannot fix; targets that include them add this.
add_library(zimage_torch_hygiene INTERFACE)
target_compile_options(zimage_torch_hygiene INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wno-pedantic -Wno-shadow -Wno-missing-field-initializers -Wno-deprecated-declarations>)

# Qt hygiene (qBittorrent's set) for the targets that use Qt.
add_library(zimage_qt_hygiene INTERFACE)
target_compile_definitions(zimage_qt_hygiene INTERFACE
    QT_NO_KEYWORDS QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_USE_QSTRINGBUILDER)

if(ZIMAGE_SANITIZE)
    list(JOIN ZIMAGE_SANITIZE "," _zimage_sanitizers)
    target_compile_options(zimage_common INTERFACE -fsanitize=${_zimage_sanitizers} -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=all)
    target_link_options(zimage_common INTERFACE -fsanitize=${_zimage_sanitizers})
endif()
