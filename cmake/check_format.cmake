# Fails when a C++ file of the project is not formatted per .clang-format (run: cmake -DSOURCE_DIR=. -P this file).
find_program(CLANG_FORMAT clang-format REQUIRED)
file(GLOB_RECURSE sources
    "${SOURCE_DIR}/app/*.cpp" "${SOURCE_DIR}/app/*.h" "${SOURCE_DIR}/engine/*.cpp" "${SOURCE_DIR}/engine/*.h"
    "${SOURCE_DIR}/ui/*.cpp" "${SOURCE_DIR}/ui/*.h" "${SOURCE_DIR}/tests/*.cpp" "${SOURCE_DIR}/tests/*.h")
set(unformatted "")
foreach(source IN LISTS sources)
    execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "${source}"
        RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
    if(NOT result EQUAL 0)
        list(APPEND unformatted "${source}")
    endif()
endforeach()
if(unformatted)
    list(JOIN unformatted "\n  " listing)
    message(FATAL_ERROR "Not formatted per .clang-format (fix with clang-format -i):\n  ${listing}")
endif()
list(LENGTH sources count)
message(STATUS "${count} files formatted correctly")
