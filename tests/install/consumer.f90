! Consumer of the installed package (Fortran): the first run checkpoints, the second restores.
program consumer_f
    use, intrinsic :: iso_c_binding
    use cairn
    implicit none
    integer(c_int64_t), target :: step
    logical :: restored
    step = 0
    if (cairn_init() /= CAIRN_OK) call die()
    if (cairn_register_buffer("step", c_loc(step), CAIRN_INT64, 1_c_size_t) /= CAIRN_OK) call die()
    if (cairn_restore(restored) /= CAIRN_OK) call die()
    if (restored) then
        print '(a, l1)', "consumer_f: restored: ", step == 42
        if (step /= 42) error stop 1
    else
        step = 42
        if (cairn_checkpoint_now() /= CAIRN_OK) call die()
        print '(a, a)', "consumer_f: checkpointed with cairn ", cairn_version()
    end if
    if (cairn_finalize() /= CAIRN_OK) call die()
contains
    subroutine die()
        print '(a, a)', "consumer_f: ", cairn_last_error()
        error stop 1
    end subroutine die
end program consumer_f
