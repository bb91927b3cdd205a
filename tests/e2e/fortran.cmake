# The Fortran bindings: the Fortran demo fails after a checkpoint, restarts, same checksum.
if(TARGET fortran_demo)
    cairn_add_script_test(NAME e2e_fortran_restart
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/fortran_demo.sh $<TARGET_FILE:fortran_demo>
        NPROCS 2 TIMEOUT 120 LABELS fortran)
endif()
