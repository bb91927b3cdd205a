# Every C, C++ (as C++17) and Fortran code example in README.md, docs/ and the public headers'
# comments is compiled and linked against the runtime (tests/docs/check_examples.py finds them).
# nosan: it checks the documentation, and compiles with the MPI compiler wrappers unsanitised.
find_program(CAIRN_PYTHON3 python3)
if(CAIRN_PYTHON3 AND MPI_CXX_COMPILER AND MPI_C_COMPILER)
    set(doc_examples_args --source-dir ${PROJECT_SOURCE_DIR} --runtime-lib $<TARGET_FILE:cairn_runtime>
        --cxx ${MPI_CXX_COMPILER} --cc ${MPI_C_COMPILER})
    if(TARGET cairn_fortran)
        list(APPEND doc_examples_args --fortran-lib $<TARGET_FILE:cairn_fortran>
             --fortran-mod ${CAIRN_FORTRAN_MODULE_DIR} --fc ${CMAKE_Fortran_COMPILER})
    endif()
    cairn_add_script_test(NAME doc_examples
        COMMAND ${CAIRN_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/../docs/check_examples.py
                ${doc_examples_args}
        TIMEOUT 300 LABELS docs nosan)
else()
    message(WARNING "python3 or the MPI compiler wrappers not found: test doc_examples is not added")
endif()
