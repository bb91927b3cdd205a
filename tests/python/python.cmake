# Tests of the Python package (runtime/python), run with the package from the build tree
# (PYTHONPATH=<build>/python, set by tests/python/common.sh). Labelled nosan: under the
# sanitizer build python3 itself is not instrumented and would need the ASan runtime preloaded
# (docs/developer.md, "Python tests").
if(TARGET cairn_python)
    set(CAIRN_PY_ENV PYTHON=${CAIRN_PYTHON_EXECUTABLE})
    foreach(mode nonblocking blocking)
        cairn_add_script_test(NAME python_heat_kill_${mode}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_kill.sh ${mode}
            NPROCS 4 TIMEOUT 180 LABELS python nosan ENV ${CAIRN_PY_ENV})
    endforeach()
    cairn_add_script_test(NAME python_heat_signal
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_signal.sh
        NPROCS 4 TIMEOUT 180 LABELS python nosan ENV ${CAIRN_PY_ENV})
    cairn_add_script_test(NAME python_docs_port
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/docs_port.sh
        NPROCS 4 TIMEOUT 180 LABELS python nosan ENV ${CAIRN_PY_ENV})
    if(TARGET cairn_cli)
        cairn_add_script_test(NAME python_heat_elastic
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_elastic.sh $<TARGET_FILE:cairn_cli>
            NPROCS 4 TIMEOUT 180 LABELS python nosan ENV ${CAIRN_PY_ENV})
    endif()
endif()
if(TARGET cairn_python AND TARGET bank_check)
    cairn_add_script_test(NAME python_bank_oracle
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bank_oracle.sh $<TARGET_FILE:bank_check>
        NPROCS 4 TIMEOUT 180 LABELS python nosan ENV PYTHON=${CAIRN_PYTHON_EXECUTABLE})
endif()
if(TARGET cairn_python)
    cairn_add_script_test(NAME python_api_errors
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/api_errors.sh
        NPROCS 2 TIMEOUT 300 LABELS python nosan ENV PYTHON=${CAIRN_PYTHON_EXECUTABLE})
endif()
# nosan as install_consumer: packaging (cmake --install), the code it runs is covered above.
if(TARGET cairn_python)
    cairn_add_script_test(NAME python_install
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/install.sh ${CMAKE_COMMAND} ${CAIRN_PYTHON_INSTALL_DIR}
        NPROCS 2 TIMEOUT 300 LABELS python install nosan ENV PYTHON=${CAIRN_PYTHON_EXECUTABLE})
endif()
