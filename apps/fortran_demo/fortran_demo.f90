! fortran_demo: 1-D diffusion on a block decomposition, checkpointed and restarted by cairn from
! Fortran. Rerunning the same command after a failure resumes from the newest checkpoint and ends
! with the same checksum as an uninterrupted run.
!
! usage: mpirun -n P fortran_demo [--n N] [--steps S] [--checkpoint-every C] [--stop-after K]
!   --stop-after K   abort the job (MPI_Abort, exit code 3) right after step K: a simulated failure
program fortran_demo
    use, intrinsic :: iso_c_binding
    use, intrinsic :: iso_fortran_env, only: int64, real64, error_unit
    use mpi_f08
    use cairn
    implicit none

    integer(int64) :: n = 1000, nsteps = 400, every = 50, stop_after = -1
    integer(c_int64_t), target :: step
    real(c_double), allocatable, target :: u(:)
    real(real64), allocatable :: un(:)
    integer :: rank, nprocs, left, right, i
    integer(int64) :: nloc, first, hash, ghash, gi
    integer(c_int64_t), allocatable :: kept(:)
    logical :: restored

    call parse_args()
    call check(cairn_init(), "cairn_init")
    if (.not. cairn_initialized()) error stop "fortran_demo: cairn_initialized() is false after init"
    call MPI_Comm_rank(MPI_COMM_WORLD, rank)
    call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

    ! Block decomposition of n cells; u(0) and u(nloc+1) are halo cells.
    nloc = n / nprocs
    first = rank * nloc
    if (rank < mod(n, int(nprocs, int64))) then
        nloc = nloc + 1
        first = first + rank
    else
        first = first + mod(n, int(nprocs, int64))
    end if
    allocate(u(0:nloc + 1), un(0:nloc + 1))
    u = 0
    step = 0
    left = merge(MPI_PROC_NULL, rank - 1, rank == 0)
    right = merge(MPI_PROC_NULL, rank + 1, rank == nprocs - 1)

    call check(cairn_register_buffer("step", c_loc(step), CAIRN_INT64, 1_c_size_t), "register step")
    call check(cairn_register_distributed("u", c_loc(u), CAIRN_FLOAT64, [n], [first], [nloc], &
                                          mem_shape=[nloc + 2], mem_offset=[1_int64]), "register u")
    call check(cairn_restore(restored), "cairn_restore")
    if (restored .and. rank == 0) then
        print '(a, i0, a, i0)', "fortran_demo: restarted from epoch ", cairn_epoch(), &
              " at step ", step
        call check(cairn_committed_epochs(kept), "cairn_committed_epochs")
        print '(a, *(1x, i0))', "fortran_demo: kept checkpoints", kept
    end if

    do while (step < nsteps)
        call exchange_halos()
        if (rank == 0) u(0) = 1.0_real64  ! hot left end
        if (rank == nprocs - 1) u(nloc + 1) = 0.0_real64
        do i = 1, int(nloc)
            un(i) = u(i) + 0.25_real64 * (u(i - 1) - 2 * u(i) + u(i + 1))
        end do
        u(1:nloc) = un(1:nloc)
        step = step + 1
        call check(cairn_safe_point(), "cairn_safe_point")
        if (mod(step, every) == 0) then
            call check(cairn_checkpoint_now(), "cairn_checkpoint_now")
            if (rank == 0) print '(a, i0, a, i0)', "fortran_demo: checkpoint epoch ", &
                                                  cairn_epoch(), " at step ", step
        end if
        if (step == stop_after) then
            if (rank == 0) print '(a, i0)', "fortran_demo: simulated failure after step ", step
            call MPI_Abort(MPI_COMM_WORLD, 3)
        end if
        if (cairn_exit_requested()) exit
    end do

    ! Exact, decomposition-independent checksum: XOR of the rotated bit patterns of every cell.
    hash = 0
    do i = 1, int(nloc)
        gi = first + i
        hash = ieor(hash, ishftc(transfer(u(i), 0_int64), int(mod(gi, 63_int64)) + 1))
    end do
    call MPI_Allreduce(hash, ghash, 1, MPI_INTEGER8, MPI_BXOR, MPI_COMM_WORLD)
    if (rank == 0) print '(a, z16.16, a, i0)', "fortran_demo: final checksum ", ghash, &
                                               " steps ", step
    call check(cairn_finalize(), "cairn_finalize")
    if (cairn_initialized()) error stop "fortran_demo: cairn_initialized() is true after finalize"

contains

    subroutine exchange_halos()
        type(MPI_Comm) :: comm
        type(MPI_Datatype) :: dt
        comm = MPI_COMM_WORLD
        dt = MPI_DOUBLE_PRECISION
        call MPI_Sendrecv(u(nloc), 1, dt, right, 1, u(0), 1, dt, left, 1, comm, MPI_STATUS_IGNORE)
        call MPI_Sendrecv(u(1), 1, dt, left, 2, u(nloc + 1), 1, dt, right, 2, comm, &
                          MPI_STATUS_IGNORE)
    end subroutine exchange_halos

    subroutine check(rc, what)
        integer(c_int), intent(in) :: rc
        character(len=*), intent(in) :: what
        if (rc /= CAIRN_OK) then
            write (error_unit, '(a)') "fortran_demo: " // what // " failed: " // cairn_last_error()
            error stop 1
        end if
    end subroutine check

    subroutine parse_args()
        character(len=64) :: key, val
        integer :: k, nargs, ios
        integer(int64) :: v
        nargs = command_argument_count()
        k = 1
        do while (k <= nargs)
            call get_command_argument(k, key)
            if (k + 1 > nargs) call usage("missing value for " // trim(key))
            call get_command_argument(k + 1, val)
            read (val, *, iostat=ios) v
            if (ios /= 0) call usage("bad value '" // trim(val) // "' for " // trim(key))
            select case (trim(key))
            case ("--n")
                n = v
            case ("--steps")
                nsteps = v
            case ("--checkpoint-every")
                every = v
            case ("--stop-after")
                stop_after = v
            case default
                call usage("unknown option " // trim(key))
            end select
            k = k + 2
        end do
        if (n < 1 .or. every < 1 .or. nsteps < 0) call usage("values out of range")
    end subroutine parse_args

    subroutine usage(msg)
        character(len=*), intent(in) :: msg
        write (error_unit, '(a)') "fortran_demo: " // msg
        write (error_unit, '(a)') "usage: mpirun -n P fortran_demo [--n N] [--steps S] " // &
            "[--checkpoint-every C] [--stop-after K]"
        error stop 2
    end subroutine usage

end program fortran_demo
