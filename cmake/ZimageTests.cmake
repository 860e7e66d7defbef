# zimage_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...>)
# One executable per test file (KeePassXC's habit); exit code 77 means "skipped" (e.g. a gpu test without CUDA).
function(zimage_add_test)
    cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE zimage_test_support ${ARG_LIBS})
    if("zimage_engine" IN_LIST ARG_LIBS)
        # The torch headers are precompiled once for the engine; its tests reuse them (compile time on 2 cores).
        target_precompile_headers(${ARG_NAME} REUSE_FROM zimage_engine)
    endif()
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} ${ARG_ARGS})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 600)
    endif()
    set_tests_properties(${ARG_NAME} PROPERTIES
        LABELS "${ARG_LABELS}"
        SKIP_RETURN_CODE 77
        TIMEOUT ${ARG_TIMEOUT})
endfunction()

# zimage_add_qt_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...> [PLATFORM <qpa>]
#                    [LAUNCHER <command...>])
# A Qt Test executable for the GUI layer (one per test file, as KeePassXC does). It runs on the offscreen platform, so
# no display is needed, and always carries the label "ui". PLATFORM and LAUNCHER run it elsewhere, e.g. on xcb under
# xvfb-run.
function(zimage_add_qt_test)
    cmake_parse_arguments(ARG "" "NAME;TIMEOUT;PLATFORM" "SOURCES;LIBS;LABELS;LAUNCHER" ${ARGN})
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE Qt6::Test zimage_qt_hygiene ${ARG_LIBS})
    set_target_properties(${ARG_NAME} PROPERTIES AUTOMOC ON)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_LAUNCHER} $<TARGET_FILE:${ARG_NAME}>)
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    if(NOT ARG_PLATFORM)
        set(ARG_PLATFORM offscreen)
    endif()
    set(labels ui ${ARG_LABELS})
    list(REMOVE_DUPLICATES labels)
    set_tests_properties(${ARG_NAME} PROPERTIES
        LABELS "${labels}"
        ENVIRONMENT "QT_QPA_PLATFORM=${ARG_PLATFORM}"
        TIMEOUT ${ARG_TIMEOUT})
endfunction()
