# The example ports of docs/porting.md (apps/ports) under SIGKILL and restart, both modes: the final
# result (printed with %.17g) equals an uninterrupted run's. nosan: random kills.
foreach(port cg_port hydro_port)
    if(TARGET ${port})
        if(port STREQUAL "cg_port")
            set(port_args --n 6000 --iters 600)
        else()
            set(port_args --cells 3000 --steps 600)
        endif()
        foreach(mode nonblocking blocking)
            cairn_add_script_test(NAME e2e_${port}_${mode}
                COMMAND ${CMAKE_CURRENT_LIST_DIR}/port_restart.sh $<TARGET_FILE:${port}> ${mode}
                        ${port_args}
                NPROCS 3 TIMEOUT 240 LABELS ports nosan)
        endforeach()
    endif()
endforeach()
