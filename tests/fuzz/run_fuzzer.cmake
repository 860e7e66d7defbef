# Runs one libFuzzer binary for SECONDS over a fresh CORPUS seeded with SEEDS; fails if the fuzzer finds a crash.
file(REMOVE_RECURSE "${CORPUS}")
file(MAKE_DIRECTORY "${CORPUS}")
foreach(seed IN LISTS SEEDS)
    if(EXISTS "${seed}")
        file(COPY "${seed}" DESTINATION "${CORPUS}")
    endif()
endforeach()
execute_process(
    COMMAND "${FUZZER}" -max_total_time=${SECONDS} -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1
            -artifact_prefix=${CORPUS}/../ "${CORPUS}"
    RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "${FUZZER} found a failure (exit ${result}); the reproducer is next to ${CORPUS}")
endif()
